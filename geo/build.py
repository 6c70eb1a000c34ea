"""``geo build``: raw files in, LSOA table, boundary layers and display layers out, cached.

The cache is keyed on the size and modification time of every raw input and on
``BUILD_VERSION``; a manifest written last records a SHA-256 of every output, so a cache that
is damaged, half-written or from an older build is detected and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import raw as rawfiles
from geo.layers import LAYERS, clean_lsoa_geometry, display_layer, dissolve, to_geojson
from geo.lsoa import assign_ccg_2013, build_lsoa_table
from geo.register import build_register

BUILD_VERSION = 3
MANIFEST = "manifest.json"
LSOA_TABLE = "lsoa.parquet"
LSOA_GEOMETRY = "lsoa_geometry.parquet"
REGISTER = "register.parquet"
CCG_2013 = "ccg2013.parquet"

Progress = Callable[[str], None]


def layer_file(key: str) -> str:
    return f"layers/{key}.parquet"


def display_file(key: str) -> str:
    return f"display/{key}.geojson"


def output_files() -> list[str]:
    """Every file a complete build writes, relative to the cache directory."""
    files = [LSOA_TABLE, LSOA_GEOMETRY, REGISTER, CCG_2013]
    for key in LAYERS:
        files += [layer_file(key), display_file(key)]
    return files


def input_fingerprint(raw: Path) -> dict[str, list[int]]:
    """Size and mtime of every raw input; a missing file raises, naming it."""
    paths = [raw / rel for rel in rawfiles.BUILD_INPUTS]
    paths += sorted((raw / rawfiles.LSOA_POLYGONS).glob("E*.json"))
    out = {}
    for path in paths:
        if not path.is_file():
            raise rawfiles.RawDataError(path, "file is missing")
        stat = path.stat()
        out[str(path.relative_to(raw))] = [stat.st_size, stat.st_mtime_ns]
    if not any(k.startswith(rawfiles.LSOA_POLYGONS) for k in out):
        raise rawfiles.RawDataError(raw / rawfiles.LSOA_POLYGONS, "folder is missing or holds no E*.json files")
    return out


def code_fingerprint() -> str:
    """Hash of the modules that shape the cache, so editing them invalidates an older build."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("build.py", "layers.py", "lsoa.py", "raw.py", "register.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_problem(raw: Path, cache: Path) -> str | None:
    """Why the cache cannot be reused (``None`` when it can)."""
    manifest_path = cache / MANIFEST
    if not manifest_path.is_file():
        return "no cache yet"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return "cache manifest is damaged"
    if manifest.get("build_version") != BUILD_VERSION or manifest.get("code") != code_fingerprint():
        return "cache is from an older build"
    if manifest.get("inputs") != input_fingerprint(raw):
        return "raw inputs have changed"
    for rel in output_files():
        path = cache / rel
        if not path.is_file() or manifest.get("outputs", {}).get(rel) != _sha256(path):
            return f"cache file {rel} is missing or damaged"
    return None


def cache_damage(cache: Path) -> str | None:
    """Why a cache cannot be read (``None`` when it can), from the cache alone.

    The same checks as :func:`cache_problem` (manifest, build version, SHA-256 of every output)
    except the raw inputs, so the app can check a cache on a machine that has no raw data.
    """
    manifest_path = cache / MANIFEST
    if not manifest_path.is_file():
        return f"no built cache in {cache}"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return f"the cache manifest in {cache} is damaged"
    if not isinstance(manifest, dict) or manifest.get("build_version") != BUILD_VERSION \
            or manifest.get("code") != code_fingerprint():
        return f"the cache in {cache} is from an older build"
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict):
        return f"the cache manifest in {cache} is damaged"
    for rel in output_files():
        path = cache / rel
        try:
            if outputs.get(rel) != _sha256(path):
                return f"cache file {rel} in {cache} is damaged"
        except OSError:
            return f"cache file {rel} in {cache} is missing or unreadable"
    return None


def summary(cache: Path) -> dict:
    """The layer summary stored with the last build."""
    return json.loads((cache / MANIFEST).read_text())["summary"]


def build(raw: Path, cache: Path, *, force: bool = False, progress: Progress = print) -> dict:
    """Build the cache from ``raw`` unless it is already current; return the manifest."""
    started = time.perf_counter()

    def say(message: str) -> None:
        progress(f"[{time.perf_counter() - started:5.1f}s] {message}")

    problem = "rebuild requested" if force else cache_problem(raw, cache)
    if problem is None:
        say(f"cache in {cache} is current for {raw}: reusing it")
        return json.loads((cache / MANIFEST).read_text()) | {"reused": True}
    say(f"building into {cache} ({problem})")
    fingerprint = input_fingerprint(raw)
    (cache / MANIFEST).unlink(missing_ok=True)
    for sub in ("layers", "display"):
        (cache / sub).mkdir(parents=True, exist_ok=True)

    say("reading lookups and population")
    table = build_lsoa_table(raw)
    say(f"LSOA table: {len(table):,} LSOAs, population {table['population'].sum():,}")

    say("reading LSOA polygons (one file per district)")
    polygons = rawfiles.lsoa_polygons(raw)
    say("repairing LSOA polygons and snapping them into a clean coverage (the slow step)")
    lsoa_geom = clean_lsoa_geometry(polygons)
    lsoa_geom.to_parquet(cache / LSOA_GEOMETRY, index=False)
    ccg13 = rawfiles.ccg_2013(raw)
    ccg13.to_parquet(cache / CCG_2013, index=False)
    table["ccg13_ods"] = assign_ccg_2013(table, lsoa_geom, ccg13, rawfiles.ccg_2013_polygons(raw)).to_numpy()
    table.to_parquet(cache / LSOA_TABLE, index=False)

    layer_summary = {}
    for key, spec in LAYERS.items():
        layer = dissolve(table, lsoa_geom, spec)
        layer.to_parquet(cache / layer_file(key), index=False)
        display = display_layer(layer, spec.tolerance_m)
        text = to_geojson(display)
        (cache / display_file(key)).write_text(text)
        layer_summary[key] = {"areas": len(layer), "population": int(layer["population"].sum()),
                              "display_bytes": len(text.encode())}
        say(f"layer {key}: {len(layer)} areas, population {layer_summary[key]['population']:,}, "
            f"display {len(text.encode()) / 1024:.0f} KB")

    say("reading the organisation register (GP practices, NHS trusts)")
    register = build_register(raw, lsoa_geom)
    register.to_parquet(cache / REGISTER, index=False)
    say(f"register: {len(register):,} organisations")

    manifest = {
        "build_version": BUILD_VERSION,
        "code": code_fingerprint(),
        "raw_dir": str(raw),
        "inputs": fingerprint,
        "outputs": {rel: _sha256(cache / rel) for rel in output_files()},
        "summary": layer_summary,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (cache / MANIFEST).write_text(json.dumps(manifest, indent=1))
    say("done")
    return manifest | {"reused": False}


def read_lsoa_geometry(cache: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(cache / LSOA_GEOMETRY)


def read_lsoa_table(cache: Path) -> pd.DataFrame:
    return pd.read_parquet(cache / LSOA_TABLE)
