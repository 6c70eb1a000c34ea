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
    """The raw data directory cannot be found."""


def raw_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the raw data directory: ``--raw`` flag, then ``$ATLAS_RAW_DIR``, then ``../shared/data/raw``."""
    for candidate, how in ((explicit, "--raw"), (os.environ.get(RAW_ENV), f"${RAW_ENV}")):
        if candidate:
            path = Path(candidate).expanduser().resolve()
            if not path.is_dir():
                raise ConfigError(f"raw data directory {path} (from {how}) does not exist")
            return path
    if DEFAULT_RAW.is_dir():
        return DEFAULT_RAW.resolve()
    raise ConfigError(
        f"no raw data directory: pass --raw DIR or set {RAW_ENV} (the default {DEFAULT_RAW} does not exist)"
    )


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the build cache directory: argument, then ``$ATLAS_CACHE_DIR``, then ``./.cache``."""
    chosen = explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    return Path(chosen).expanduser().resolve()
