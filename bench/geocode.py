"""Time to geocode 10,000 names (exact, alias, organisation and fuzzy), after loading.

    .venv/bin/python bench/geocode.py [--n 10000] [--seed 1] [--baseline DIR]

``--baseline DIR`` first runs DIR's own copy of this script (another checkout, e.g. ``git archive
main`` unpacked, with its own built cache in DIR/.cache) in the same run, and prints its figure
beside this one, so the two are measured on the same machine load.

Names are drawn from the real gazetteer and disguised the way lists disguise them (case,
"NHS ... CCG", "Clinical Commissioning Group", "Council", typing slips), so most are unique
and the per-name cache helps only as much as it would on a real list. Target: <= 1 s.
Then one hostile name of 65,001 parts, which must be read (and refused) in under a second.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.atlas import open_atlas  # noqa: E402
from geo.geocode.ladder import Geocoder  # noqa: E402


def slip(name: str, rng: random.Random) -> str:
    """One typing slip: two letters swapped or one dropped, away from the first letter."""
    if len(name) < 6:
        return name
    i = rng.randrange(2, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:] if rng.random() < 0.5 else name[:i] + name[i + 1:]


def names(atlas, n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    lsoas = atlas.lsoas
    ccgs = sorted(lsoas["ccg_name"].unique())
    lads = sorted(lsoas["lad_name"].unique())
    aliases = pd.read_csv(Path(__file__).resolve().parent.parent / "data" / "aliases.csv")["alias"].tolist()
    register = atlas.register
    trusts = sorted(register.loc[register["org_type"] == "trust", "name"])
    practices = sorted(register.loc[register["org_type"] == "practice", "name"].unique())
    kinds = {
        "exact": lambda: rng.choice([
            lambda: rng.choice(ccgs),
            lambda: rng.choice(ccgs).replace("NHS ", "").replace(" CCG", " Clinical Commissioning Group"),
            lambda: rng.choice(lads) + rng.choice(["", " Council", " Borough Council"]),
            lambda: rng.choice(ccgs).upper(),
        ])(),
        "alias": lambda: rng.choice(aliases) + rng.choice(["", " ", " (vanguard)"]).rstrip(" ("),
        "organisation": lambda: rng.choice([rng.choice(trusts).title(), rng.choice(practices)]),
        "fuzzy": lambda: slip(rng.choice(lads + ccgs), rng),
    }
    return [(kind, kinds[kind]()) for kind in (rng.choice(list(kinds)) for _ in range(n))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", help="another checkout to measure first, for comparison")
    args = parser.parse_args()
    baseline = ""
    if args.baseline:
        root = Path(args.baseline).resolve()
        env = os.environ | {"ATLAS_CACHE_DIR": str(root / ".cache")}
        run = subprocess.run([sys.executable, str(root / "bench" / "geocode.py"), "--n", str(args.n), "--seed",
                              str(args.seed)], capture_output=True, text=True, env=env, check=True)
        baseline = next(line for line in run.stdout.splitlines() if line.startswith("geocode "))
    started = time.perf_counter()
    atlas = open_atlas()
    geocoder = Geocoder(atlas)
    geocoder.resolve("warm up")  # lazy indexes (towns, district neighbours) load on first use
    geocoder.resolve("Salford Royal NHS Foundation Trust")  # and the trusts' hospital sites
    print(f"loading: {time.perf_counter() - started:.2f} s")
    drawn = names(atlas, args.n, args.seed)
    frame = pd.DataFrame({"site_name": [n for _, n in drawn], "kind": [k for k, _ in drawn]})
    print(f"{len(frame):,} names, {frame['site_name'].nunique():,} distinct; "
          + ", ".join(f"{k} {v}" for k, v in frame["kind"].value_counts().sort_index().items()))
    started = time.perf_counter()
    out, _ = geocoder.geocode_frame(frame)
    seconds = time.perf_counter() - started
    print(f"geocode {len(frame):,} names: {seconds:.2f} s   target <= 1 s")
    if baseline:
        print(f"baseline ({args.baseline}): {baseline}")
    table = pd.crosstab(out["kind"], out["status"])
    print(table.to_string())
    hostile = "/".join(["Leeds", "Wirral", "Sutton"] * 21_667)  # one 130 KB cell of 65,001 parts
    started = time.perf_counter()
    match = geocoder.resolve(hostile)
    print(f"one name of 65,001 '/'-separated parts: {time.perf_counter() - started:.2f} s ({match.status})   "
          "target < 1 s")


if __name__ == "__main__":
    main()
