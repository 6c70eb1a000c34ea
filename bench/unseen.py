"""How the geocoder does on names it has never seen: other NHS programmes, and the names analysts paste today.

    .venv/bin/python bench/unseen.py [--show] [--list NAME]

Reads every CSV in ``data/evaluation/`` (columns ``list, site_name, lead_organisation, expected,
source``; ``expected`` is a footprint in typed-code form where the answer is certain, empty where it
is not). The geocoder gets only the name and the lead organisation. Per list it prints, for the rows
with a certain answer: right (the same LSOAs), confidently wrong (matched, but to a different
footprint), not matched (ambiguous or unmatched) and, of those, right among candidates (one of the
readings offered to choose from is the answer); and for the rows with no certain answer, how many
were matched all the same (each one worth a look). The goal is most right, none confidently wrong,
and the answer among the candidates of a row not matched. These lists are a yardstick only: see
the README beside them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.atlas import open_atlas  # noqa: E402
from geo.geocode.ladder import Geocoder  # noqa: E402
from geo.geocode.match import parse_candidates  # noqa: E402

EVALUATION = ROOT / "data" / "evaluation"
COLUMNS = ["right", "wrong", "not matched", "right among candidates", "no certain answer (matched)",
           "no certain answer (not matched)"]


def read_lists(folder: Path = EVALUATION) -> pd.DataFrame:
    """Every evaluation list, in file order."""
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def codes_footprint(geocoder: Geocoder, codes: str) -> frozenset[str]:
    """The footprint of typed codes put in ``areas``."""
    return geocoder.footprint(geocoder.resolve("", "", codes))


def verdicts(frame: pd.DataFrame, geocoder: Geocoder) -> pd.DataFrame:
    """The geocoded rows with a ``verdict`` (right, wrong, not matched, no certain answer) and
    ``among`` (the answer is one of the candidates of a row not matched)."""
    out, sets = geocoder.geocode_frame(frame[["list", "site_name", "lead_organisation", "expected"]])
    found, among = [], []
    for expected, got, status, offered in zip(out["expected"], sets, out["status"], out["candidates"]):
        if not expected:
            found.append("no certain answer (matched)" if status == "matched" else "no certain answer (not matched)")
            among.append(False)
            continue
        want = codes_footprint(geocoder, expected)
        found.append("right" if got == want else ("wrong" if status == "matched" else "not matched"))
        among.append(status != "matched" and any(codes_footprint(geocoder, c.codes) == want
                                                 for c in parse_candidates(offered)))
    return out.assign(verdict=found, among=among)


def table(out: pd.DataFrame) -> pd.DataFrame:
    """Counts per list, with a total row."""
    counts = pd.crosstab(out["list"], out["verdict"]).reindex(columns=COLUMNS, fill_value=0)
    counts["right among candidates"] = out.groupby("list")["among"].sum().reindex(counts.index).astype(int)
    counts = counts.reindex(list(dict.fromkeys(out["list"])))
    counts.loc["total"] = counts.sum()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every row")
    parser.add_argument("--list", help="only this list")
    args = parser.parse_args()
    frame = read_lists()
    if args.list:
        frame = frame[frame["list"] == args.list]
    out = verdicts(frame, Geocoder(open_atlas()))
    pd.set_option("display.width", 250)
    print(table(out).to_string())
    certain = out[out["expected"] != ""]
    print(f"\ncertain answers: {len(certain)}; right {(certain['verdict'] == 'right').sum()}, "
          f"confidently wrong {(certain['verdict'] == 'wrong').sum()}, "
          f"not matched {(certain['verdict'] == 'not matched').sum()} "
          f"(right among their candidates {int(certain['among'].sum())})")
    if args.show:
        pd.set_option("display.max_colwidth", 60)
        pd.set_option("display.max_rows", 1000)
        print(out[["list", "site_name", "status", "method", "ccg_codes", "verdict", "among"]].to_string())


if __name__ == "__main__":
    main()
