"""``geo build``: raw files in, LSOA table, boundary layers and display layers out, cached.

The cache is keyed on the size and modification time of every raw input and on
``BUILD_VERSION``; a manifest written last records a SHA-256 of every output, so a cache that
is damaged, half-written or from an older build is detected and rebuilt. A build writes into a
folder of its own inside the cache and moves its files into place only once all are made, so a
build that fails leaves the previous cache exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import cache as cache_files
from geo.build import raw as rawfiles
from geo.build.layers import clean_lsoa_geometry, deprivation_fifths, display_layer, dissolve
from geo.build.lsoa_table import add_groupings, assign_ccg_2013, build_lsoa_table
from geo.build.org_register import build_hospitals, build_register
from geo.geography import LAYERS, to_geojson

Progress = Callable[[str], None]
#: The folder (inside the cache, so on the same disk) where a build writes before moving its files into place.
BUILDING = ".building-"


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


def cache_problem(raw: Path, cache: Path) -> str | None:
    """Why the cache cannot be reused for ``raw`` (``None`` when it can)."""
    manifest = cache_files.read_manifest(cache)
    if manifest is None:
        return "no cache yet" if not (cache / cache_files.MANIFEST).exists() else "cache manifest is damaged"
    if not cache_files.current_build(manifest):
        return "cache is from an older build"
    if manifest.get("inputs") != input_fingerprint(raw):
        return "raw inputs have changed"
    return cache_files.output_problem(cache, manifest)


def build(raw: Path, cache: Path, *, force: bool = False, progress: Progress = print,
          expected_lsoas: int | None = rawfiles.EXPECTED_LSOAS) -> dict:
    """Build the cache from ``raw`` unless it is already current; return the manifest.

    ``expected_lsoas`` is England's LSOA count; ``None`` builds a subset of districts (the fast
    test tier), checking only that the lookup and the polygons hold the same LSOAs.
    """
    started = time.perf_counter()

    def say(message: str) -> None:
        progress(f"[{time.perf_counter() - started:5.1f}s] {message}")

    problem = "rebuild requested" if force else cache_problem(raw, cache)
    if problem is None:
        say(f"cache in {cache} is current for {raw}: reusing it")
        return json.loads((cache / cache_files.MANIFEST).read_text()) | {"reused": True}
    say(f"building into {cache} ({problem})")
    fingerprint = input_fingerprint(raw)
    work = cache / f"{BUILDING}{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        for sub in ("layers", "display"):
            (work / sub).mkdir(parents=True, exist_ok=True)
        layer_summary = _outputs(raw, work, expected_lsoas, say)
        manifest = {
            "build_version": cache_files.BUILD_VERSION,
            "code": cache_files.code_fingerprint(),
            "raw_dir": str(raw),
            "inputs": fingerprint,
            "outputs": {rel: cache_files.sha256(work / rel) for rel in cache_files.output_files()},
            "summary": layer_summary,
            "seconds": round(time.perf_counter() - started, 1),
        }
        (work / cache_files.MANIFEST).write_text(json.dumps(manifest, indent=1))
        _move_into_place(work, cache)
    except OSError as exc:  # the cache folder cannot be written (read-only, full, a file...): name it
        raise OSError(exc.errno, exc.strerror or str(exc), str(cache)) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say("done")
    return manifest | {"reused": False}


def _outputs(raw: Path, work: Path, expected_lsoas: int | None, say: Progress) -> dict:
    """Every output file, written into ``work``; the layer summary."""
    table, lsoa_geom = _lsoas(raw, work, expected_lsoas, say)
    layer_summary = _layers(table, lsoa_geom, work, say)
    say("dissolving LSOAs by national fifth of deprivation (IMD 2015) for the map")
    (work / cache_files.IMD_FIFTHS).write_text(to_geojson(deprivation_fifths(table, lsoa_geom)))
    say("reading the organisation register (GP practices, NHS trusts)")
    register = build_register(raw, lsoa_geom)
    register.to_parquet(work / cache_files.REGISTER, index=False)
    say(f"register: {len(register):,} organisations")
    hospitals = build_hospitals(raw, lsoa_geom)
    hospitals.to_parquet(work / cache_files.HOSPITALS, index=False)
    say(f"hospitals: {len(hospitals):,} NHS Choices hospital sites of NHS trusts")
    return layer_summary


def _move_into_place(work: Path, cache: Path) -> None:
    """Each output over the old one (a rename on one disk), then the manifest: until it is replaced, the old
    manifest's hashes no longer match, so a build stopped half-way is seen as damaged, never as good."""
    for rel in cache_files.output_files():
        (cache / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / rel, cache / rel)
    os.replace(work / cache_files.MANIFEST, cache / cache_files.MANIFEST)


def _lsoas(raw: Path, cache: Path, expected: int | None, say: Progress) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The LSOA table (with 2013 CCGs) and the cleaned LSOA polygons, written to the cache."""
    say("reading lookups and population")
    table = build_lsoa_table(raw, expected)
    say(f"LSOA table: {len(table):,} LSOAs, population {table['population'].sum():,}")
    say("reading LSOA polygons (one file per district)")
    polygons = rawfiles.lsoa_polygons(raw, expected)
    if set(polygons["LSOA11CD"]) != set(table["lsoa_code"]):
        raise rawfiles.RawDataError(raw / rawfiles.LSOA_POLYGONS,
                                    "the polygons and the LSOA lookup hold different LSOAs")
    say("repairing LSOA polygons and snapping them into a clean coverage (the slow step)")
    lsoa_geom = clean_lsoa_geometry(polygons)
    lsoa_geom.to_parquet(cache / cache_files.LSOA_GEOMETRY, index=False)
    ccg13 = rawfiles.ccg_2013(raw)
    ccg13.to_parquet(cache / cache_files.CCG_2013, index=False)
    table["ccg13_ods"] = assign_ccg_2013(table, lsoa_geom, ccg13, rawfiles.ccg_2013_polygons(raw)).to_numpy()
    table = add_groupings(table, raw, ccg13)
    table.to_parquet(cache / cache_files.LSOA_TABLE, index=False)
    return table, lsoa_geom


def _layers(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame, cache: Path, say: Progress) -> dict:
    """Every boundary layer and its display version, written to the cache; their summary."""
    layer_summary = {}
    for key, spec in LAYERS.items():
        layer = dissolve(table, lsoa_geom, spec)
        layer.to_parquet(cache / cache_files.layer_file(key), index=False)
        text = to_geojson(display_layer(layer, spec.tolerance_m))
        (cache / cache_files.display_file(key)).write_text(text)
        layer_summary[key] = {"areas": len(layer), "population": int(layer["population"].sum()),
                              "display_bytes": len(text.encode())}
        say(f"layer {key}: {len(layer)} areas, population {layer_summary[key]['population']:,}, "
            f"display {len(text.encode()) / 1024:.0f} KB")
    return layer_summary
