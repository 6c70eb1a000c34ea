"""Where the raw data is read from and where the build cache is written."""

from __future__ import annotations

import os
from pathlib import Path

RAW_ENV = "ATLAS_RAW_DIR"
CACHE_ENV = "ATLAS_CACHE_DIR"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW = PROJECT_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_CACHE = PROJECT_ROOT / ".cache"


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
