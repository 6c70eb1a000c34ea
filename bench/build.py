"""Benchmark the geography build against a naive approach, in the same run.

    .venv/bin/python bench/build.py [--naive ccg,lad | all]

Ours: a full ``geo build --force`` into a temporary cache (coverage-cleaned LSOAs, coverage
unions, coverage simplification). Naive: geopandas ``dissolve`` of the repaired LSOAs, then
per-feature ``simplify`` at the same tolerances. For every display layer it prints vertices,
GeoJSON bytes and whether neighbours still share borders (overlap area between neighbours).
Targets (2-core machine): build <= 45 s; display CCG <= 350 KB; all five <= 900 KB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import config  # noqa: E402
from geo.atlas import Atlas  # noqa: E402
from geo.build import raw as rawfiles  # noqa: E402
from geo.build.pipeline import build  # noqa: E402
from geo.geography import BNG, LAYERS, WGS84, round_coordinates, to_geojson  # noqa: E402


def overlap_km2(geoms_wgs: np.ndarray) -> float:
    """Area counted twice or more between neighbours: sum of areas minus area of the union.

    The union is taken on a 1 m grid, so a clean coverage reads as a few hundredths of a km2
    either side of zero; the "shared" column (``coverage_is_valid``) is the exact test.
    """
    projected = gpd.GeoSeries(geoms_wgs, crs=WGS84).to_crs(BNG).to_numpy()
    projected = shapely.make_valid(projected)
    return (shapely.area(projected).sum() - shapely.union_all(projected, grid_size=1.0).area) / 1e6


def shared(geoms: np.ndarray) -> str:
    """'yes' when neighbours share their borders exactly (a valid coverage: no gaps, no overlaps)."""
    return "yes" if shapely.coverage_is_valid(shapely.make_valid(geoms)) else "no"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--naive", default="ccg,lad", help="layers to also build the naive way (slow: 30 s "
                        "for CCGs, about 5 min for NHS local offices); 'all' for every layer")
    args = parser.parse_args()
    raw = config.raw_dir()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build(raw, Path(tmp), force=True, progress=lambda _m: None)
        ours_seconds = time.perf_counter() - started
        atlas = Atlas(Path(tmp))
        ours = {key: atlas.layer(key, display=True) for key in LAYERS}
        ours_text = {key: atlas.display_geojson(key) for key in LAYERS}
        table = atlas.lsoas.reset_index(drop=True)

    print(f"full build (ours): {ours_seconds:.1f} s   target <= 45 s")
    started = time.perf_counter()
    polygons = rawfiles.lsoa_polygons(raw).to_crs(BNG)
    polygons["geometry"] = shapely.make_valid(polygons.geometry.to_numpy())
    merged = polygons.merge(table, left_on="LSOA11CD", right_on="lsoa_code")
    print(f"naive: read and repair LSOAs {time.perf_counter() - started:.1f} s")

    header = (f"{'layer':<18}{'':>6}{'vertices':>10}{'GeoJSON KB':>12}{'overlap km2':>13}{'shared':>8}"
              f"{'seconds':>9}")
    print(header)
    print("(naive = geopandas dissolve of the repaired LSOAs + per-feature simplify. Its vertices are mostly"
          " sliver holes a plain union leaves between LSOAs that do not share vertices: 333,248 of them in the"
          " CCG layer, all but one under 1 ha, and simplify cannot remove a ring)")
    totals = {"ours": 0, "naive": 0}
    naive_layers = list(LAYERS) if args.naive == "all" else [k for k in args.naive.split(",") if k]
    for key, spec in LAYERS.items():
        disp = ours[key]
        size = len(ours_text[key].encode())
        totals["ours"] += size
        print(f"{key:<18}{'ours':>6}{shapely.get_num_coordinates(disp.geometry.to_numpy()).sum():>10}"
              f"{size / 1024:>12.0f}{overlap_km2(disp.geometry.to_numpy()):>13.3f}"
              f"{shared(disp.geometry.to_numpy()):>8}{'':>9}")
        if key not in naive_layers:
            continue
        started = time.perf_counter()
        naive = merged[[spec.code, "geometry"]].dissolve(by=spec.code).reset_index()
        simple = naive.geometry.simplify(spec.tolerance_m).to_crs(WGS84).to_numpy()
        simple = round_coordinates(simple)
        naive_frame = gpd.GeoDataFrame({"code": naive[spec.code]}, geometry=simple, crs=WGS84)
        naive_size = len(to_geojson(naive_frame).encode())
        naive_seconds = time.perf_counter() - started
        totals["naive"] += naive_size
        print(f"{'':<18}{'naive':>6}{shapely.get_num_coordinates(simple).sum():>10}{naive_size / 1024:>12.0f}"
              f"{overlap_km2(simple):>13.3f}{shared(simple):>8}{naive_seconds:>9.1f}")
    print(f"all five display layers (ours): {totals['ours'] / 1024:.0f} KB   target <= 900 KB; CCG <= 350 KB")
    print(f"naive, layers {', '.join(naive_layers)}: {totals['naive'] / 1024:.0f} KB")


if __name__ == "__main__":
    main()
