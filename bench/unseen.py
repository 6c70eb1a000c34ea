"""How the geocoder does on names it has never seen: other NHS programmes of the era.

    .venv/bin/python bench/unseen.py [--show] [--list NAME]

Reads ``data/evaluation/unseen_programmes.csv`` (columns ``list, site_name, lead_organisation,
expected, source``; ``expected`` is a footprint in typed-code form where the answer is certain,
empty where it is not). The geocoder gets only the name and the lead organisation. Per list it
prints, for the rows with a certain answer: right (the same LSOAs), confidently wrong (matched,
but to a different footprint) and not matched (ambiguous or unmatched); and for the rows with
no certain answer, how many were matched all the same (each one worth a look). The goal is most
right and none confidently wrong. These lists are a yardstick only: see the README beside them.
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

LIST_CSV = ROOT / "data" / "evaluation" / "unseen_programmes.csv"


def verdicts(frame: pd.DataFrame, geocoder: Geocoder) -> pd.DataFrame:
    """The geocoded rows with a ``verdict``: right, wrong, not matched, or no certain answer."""
    out, sets = geocoder.geocode_frame(frame[["list", "site_name", "lead_organisation", "expected"]])
    found = []
    for expected, got, status in zip(out["expected"], sets, out["status"]):
        if not expected:
            found.append("no certain answer (matched)" if status == "matched" else "no certain answer (not matched)")
            continue
        want = frozenset().union(*(geocoder.gaz.lsoas(Entry(*t.split(":"), "")) for t in expected.split(";")))
        found.append("right" if got == want else ("wrong" if status == "matched" else "not matched"))
    return out.assign(verdict=found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every row")
    parser.add_argument("--list", help="only this list")
    args = parser.parse_args()
    frame = pd.read_csv(LIST_CSV, dtype=str, keep_default_na=False)
    if args.list:
        frame = frame[frame["list"] == args.list]
    out = verdicts(frame, Geocoder(open_atlas()))
    columns = ["right", "wrong", "not matched", "no certain answer (matched)", "no certain answer (not matched)"]
    table = pd.crosstab(out["list"], out["verdict"]).reindex(columns=columns, fill_value=0)
    table.loc["total"] = table.sum()
    print(table.to_string())
    certain = out[out["expected"] != ""]
    print(f"\ncertain answers: {len(certain)}; right {(certain['verdict'] == 'right').sum()}, "
          f"confidently wrong {(certain['verdict'] == 'wrong').sum()}, "
          f"not matched {(certain['verdict'] == 'not matched').sum()}")
    if args.show:
        pd.set_option("display.width", 250)
        pd.set_option("display.max_colwidth", 60)
        pd.set_option("display.max_rows", 500)
        print(out[["list", "site_name", "status", "method", "ccg_codes", "verdict"]].to_string())


if __name__ == "__main__":
    main()
