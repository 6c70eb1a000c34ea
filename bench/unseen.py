"""How the geocoder does on names it has never seen (lists written from memory, not the seeds).

    .venv/bin/python bench/unseen.py [--show]

Reads ``data/evaluation/unseen_sites.csv`` (columns ``list, site_name, expected``; expected is
a footprint in alias-target form where the answer is certain, empty where the name is a
region-like or brand name that no official name should resolve). Prints per list the count
of matched / ambiguous / unmatched, and how many certain answers were right.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.atlas import open_atlas  # noqa: E402
from geo.geocode.gazetteer import Entry  # noqa: E402
from geo.geocode.ladder import Geocoder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every row")
    args = parser.parse_args()
    frame = pd.read_csv(ROOT / "data" / "evaluation" / "unseen_sites.csv", dtype=str, keep_default_na=False)
    geocoder = Geocoder(open_atlas())
    out, sets = geocoder.geocode_frame(frame)
    verdicts = []
    for expected, got, status in zip(out["expected"], sets, out["status"]):
        if not expected:
            verdicts.append("no certain answer")
            continue
        want = frozenset().union(*(geocoder.gaz.lsoas(Entry(*t.split(":"), "")) for t in expected.split(";")))
        verdicts.append("right" if got == want else ("wrong" if status == "matched" else f"not matched ({status})"))
    out["verdict"] = verdicts
    print(pd.crosstab(out["list"], out["status"]).to_string())
    print()
    print(pd.crosstab(out["list"], out["verdict"]).to_string())
    if args.show:
        pd.set_option("display.width", 250)
        pd.set_option("display.max_colwidth", 70)
        print(out[["site_name", "status", "method", "ccg_codes", "verdict", "candidates"]].to_string())


if __name__ == "__main__":
    main()
