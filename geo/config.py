"""Where things live: the raw data directory, the build cache, and the map's own copy of Leaflet."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

RAW_ENV = "ATLAS_RAW_DIR"
CACHE_ENV = "ATLAS_CACHE_DIR"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW = PROJECT_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_CACHE = PROJECT_ROOT / ".cache"
#: Leaflet and jQuery are copied here by the build (``geo.build.static_assets``) and served by
#: Streamlit at ``/app/static/vendor/`` (``server.enableStaticServing``), so maps need no internet.
STATIC_DIR = PROJECT_ROOT / "static" / "vendor"
STATIC_URL = "app/static/vendor"


def _versioned(path: str, package: str) -> str:
    """``path?v=<package version>``: a new version is a new address, so a proxy may let browsers cache
    these files for good (scripts/replicas.py)."""
    try:
        return f"{path}?v={version(package)}"
    except PackageNotFoundError:
        return path


#: What folium's ``Map.default_js`` / ``default_css`` should point at (relative to the page).
LOCAL_JS = [("leaflet", _versioned(f"{STATIC_URL}/leaflet/leaflet.js", "xstatic-leaflet")),
            ("jquery", _versioned(f"{STATIC_URL}/jquery/jquery.min.js", "xstatic-jquery"))]
LOCAL_CSS = [("leaflet_css", _versioned(f"{STATIC_URL}/leaflet/leaflet.css", "xstatic-leaflet"))]


class ConfigError(RuntimeError):
    """The raw data directory or the cache folder cannot be used; the message says which and why."""


def _resolved(chosen: str | os.PathLike[str], what: str, how: str) -> Path:
    """An absolute path, or a ConfigError naming it: a symlink loop or an overlong name is not a folder."""
    try:
        path = Path(chosen).expanduser().resolve()
        path.exists()  # an overlong name raises here
    except (OSError, RuntimeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"the {what} {str(chosen)[:120]} (from {how}) cannot be used: {why}") from exc
    return path


def raw_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the raw data directory: ``--raw`` flag, then ``$ATLAS_RAW_DIR``, then ``../shared/data/raw``."""
    for candidate, how in ((explicit, "--raw"), (os.environ.get(RAW_ENV), f"${RAW_ENV}")):
        if candidate:
            path = _resolved(candidate, "raw data directory", how)
            if not path.is_dir():
                raise ConfigError(f"raw data directory {path} (from {how}) does not exist")
            return path
    if DEFAULT_RAW.is_dir():
        return DEFAULT_RAW.resolve()
    raise ConfigError(
        f"no raw data directory: pass --raw DIR or set {RAW_ENV} (the default {DEFAULT_RAW} does not exist)"
    )


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the build cache directory: argument, then ``$ATLAS_CACHE_DIR``, then ``./.cache``.

    A path that cannot be a folder (a file, a symlink loop, an overlong name) raises ConfigError.
    """
    how = "--cache" if explicit else (f"${CACHE_ENV}" if os.environ.get(CACHE_ENV) else "the default")
    path = _resolved(explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE, "cache folder", how)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"the cache folder {path} (from {how}) is a file, not a folder: give a folder")
    return path
