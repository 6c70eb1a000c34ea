"""The GeoJSON of a geocoded list: time, size and peak memory, in proportion to its distinct footprints.

    .venv/bin/python bench/geojson.py [--rows 50000] [--baseline-rows 300]

Lists, geocoded as the Geocode page does (the geocoding itself is not timed here; bench/geocode.py
does that):

- ``--rows`` rows of one repeated footprint (``x,E12000008``: the South East region, as the audit used);
- ``--rows`` rows of district names, every district of England in turn (326 distinct footprints);
- ``--rows`` rows each naming a different pair of districts in ``areas`` (``--rows`` distinct
  footprints: the worst a list within the limits can do; the map and the file are bounded).

For each: the map's shapes of the drawn footprints (``list_geometries``, done once when the list is
geocoded), then the file (``list_geojson``, done on the download click): seconds, peak memory
(tracemalloc) and size. The baseline, in the same run, is the per-row GeoJSON this replaced
(``export.to_geojson_export``: every row's footprint dissolved at full resolution on its own) on
``--baseline-rows`` rows of the region, with the target beside it: 300 rows of one region in under 2 s.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.atlas import open_atlas  # noqa: E402
from geo.geocode.batch import geocode_in_chunks  # noqa: E402
from geo.geocode.ladder import Geocoder  # noqa: E402
from geo.present import export  # noqa: E402
from geo.present import list_footprints as lf  # noqa: E402
from geo.sources import ATTRIBUTION  # noqa: E402

TARGET_S = 2.0


def measured(work):
    """(result, seconds, peak MB) of ``work()``: timed once as it runs, then run again under tracemalloc for
    its peak memory (tracing slows Python several times over, so it never overlaps the timing)."""
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    work()
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def geocoded(geocoder: Geocoder, frame: pd.DataFrame):
    result = geocode_in_chunks(geocoder, frame)
    result.frame.insert(0, "row", range(1, len(result.frame) + 1))
    return result


def carried(result) -> pd.DataFrame:
    """What the page passes: the row numbers, the site names and the footprint's columns."""
    return result.frame[["row", "site_name", *[result.names[c] for c in lf.FOOTPRINT_COLUMNS]]]


def lists(atlas, rows: int) -> dict[str, pd.DataFrame]:
    lads = sorted(atlas.lsoas["lad_code"].unique())
    names = sorted(atlas.lsoas["lad_name"].unique())
    pairs = itertools.islice(itertools.combinations(lads, 2), rows)
    return {
        f"{rows:,} rows of one region (x,E12000008)": pd.DataFrame({"site_name": "x", "areas": ["E12000008"] * rows}),
        f"{rows:,} rows of district names ({len(names)} distinct)":
            pd.DataFrame({"site_name": [names[i % len(names)] for i in range(rows)]}),
        f"{rows:,} rows, each a different pair of districts":
            pd.DataFrame({"site_name": "x", "areas": [f"lad:{a};lad:{b}" for a, b in pairs]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--baseline-rows", type=int, default=300)
    args = parser.parse_args()
    atlas = open_atlas()
    geocoder = Geocoder(atlas)
    assert len(atlas.lsoa_geometry)  # loaded once, as a running server has it
    print(f"{'list':52}{'shapes':>8}{'map s':>8}{'map MB':>8}{'file s':>8}{'file MB':>9}{'size MB':>9}")
    for label, frame in lists(atlas, args.rows).items():
        result = geocoded(geocoder, frame)
        geometries, map_s, map_mb = measured(lambda r=result: lf.list_geometries(atlas, r.sets))
        data, file_s, file_mb = measured(
            lambda r=result, g=geometries: lf.list_geojson(carried(r), r.sets, "row", g, ATTRIBUTION))
        left_out = lf.drawable(lf.distinct_footprints(result.sets))[1]
        bound = f"   ({left_out:,} footprints past the bound, said so)" if left_out else ""
        print(f"{label:52}{len(geometries):>8,}{map_s:>8.2f}{map_mb:>8.0f}{file_s:>8.2f}{file_mb:>9.0f}"
              f"{len(data) / 1e6:>9.2f}{bound}")
    small = geocoded(geocoder, pd.DataFrame({"site_name": "x", "areas": ["E12000008"] * args.baseline_rows}))
    def shapes_and_file() -> bytes:
        shapes = lf.list_geometries(atlas, small.sets)
        return lf.list_geojson(carried(small), small.sets, "row", shapes, ATTRIBUTION)

    data, ours_s, ours_mb = measured(shapes_and_file)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the baseline is slow: run once, untraced
    started = time.perf_counter()
    old = export.to_geojson_export(small.frame, small.sets, atlas, ATTRIBUTION)
    old_s = time.perf_counter() - started
    old_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    ok = "ok" if ours_s < TARGET_S else "MISSED"
    print(f"{args.baseline_rows} rows of one region, shapes and file: {ours_s:.2f} s, {len(data) / 1e6:.2f} MB, "
          f"peak {ours_mb:.0f} MB   target < {TARGET_S:g} s {ok}")
    print(f"  baseline, one dissolve per row (export.to_geojson_export): {old_s:.2f} s, {len(old) / 1e6:.1f} MB, "
          f"the process's peak memory grew {old_mb:.0f} MB")


if __name__ == "__main__":
    main()
