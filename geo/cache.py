"""The build cache: the one agreement between the build (which writes it) and the atlas (which reads it).

File names, the manifest and the readers live here, so the read side never imports build code.
The manifest is written last and records a SHA-256 of every output, so a cache that is damaged,
half-written or from an older build can be told apart from a good one without the raw data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.geography import LAYERS

BUILD_VERSION = 5
MANIFEST = "manifest.json"
LSOA_TABLE = "lsoa.parquet"
LSOA_GEOMETRY = "lsoa_geometry.parquet"
REGISTER = "register.parquet"
CCG_2013 = "ccg2013.parquet"
HOSPITALS = "hospitals.parquet"
#: England's LSOAs dissolved by national IMD 2015 fifth, light, for the map's deprivation shading.
IMD_FIFTHS = "display/imd_fifths.geojson"


class CacheError(RuntimeError):
    """The cache is missing, damaged or from an older build; the message says how to rebuild it."""


def layer_file(key: str) -> str:
    return f"layers/{key}.parquet"


def display_file(key: str) -> str:
    return f"display/{key}.geojson"


def output_files() -> list[str]:
    """Every file a complete build writes, relative to the cache directory."""
    files = [LSOA_TABLE, LSOA_GEOMETRY, REGISTER, CCG_2013, HOSPITALS, IMD_FIFTHS]
    for key in LAYERS:
        files += [layer_file(key), display_file(key)]
    return files


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(cache: Path) -> dict | None:
    """The manifest of the last complete build, or ``None`` if there is none or it is unreadable."""
    try:
        manifest = json.loads((cache / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def output_problem(cache: Path, manifest: dict) -> str | None:
    """Why the outputs do not match the manifest (``None`` when every file is whole)."""
    for rel in output_files():
        path = cache / rel
        try:
            if manifest.get("outputs", {}).get(rel) != sha256(path):
                return f"cache file {rel} is missing or damaged"
        except OSError:
            return f"cache file {rel} is missing or unreadable"
    return None


def code_fingerprint() -> str:
    """Hash of the modules that shape the cache (read as files, never imported), so editing them
    invalidates an older build."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted((here / "build").glob("*.py")), here / "geography.py", here / "cache.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def current_build(manifest: dict) -> bool:
    """Whether a manifest comes from this version of the build code."""
    return manifest.get("build_version") == BUILD_VERSION and manifest.get("code") == code_fingerprint()


def cache_damage(cache: Path) -> str | None:
    """Why a cache cannot be read (``None`` when it can), from the cache alone.

    The checks of ``geo build`` (manifest, build version, SHA-256 of every output) except the raw
    inputs, so the app can check a cache on a machine that has no raw data.
    """
    manifest = read_manifest(cache)
    if manifest is None:
        exists = (cache / MANIFEST).exists()
        return f"the cache manifest in {cache} is damaged" if exists else f"no built cache in {cache}"
    if not current_build(manifest):
        return f"the cache in {cache} is from an older build"
    if not isinstance(manifest.get("outputs"), dict):
        return f"the cache manifest in {cache} is damaged"
    problem = output_problem(cache, manifest)
    return f"{problem} (in {cache})" if problem else None


def summary(cache: Path) -> dict:
    """The layer summary stored with the last build."""
    return json.loads((cache / MANIFEST).read_text())["summary"]


def read_lsoa_geometry(cache: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(cache / LSOA_GEOMETRY)


def read_lsoa_table(cache: Path) -> pd.DataFrame:
    return pd.read_parquet(cache / LSOA_TABLE)
