"""Time to geocode 10,000 names (exact, alias, organisation and fuzzy), after loading.

    .venv/bin/python bench/geocode.py [--n 10000] [--seed 1] [--baseline DIR]

``--baseline DIR`` first runs DIR's own copy of this script (another checkout, e.g. ``git archive
main`` unpacked, with its own built cache in DIR/.cache) in the same run, and prints its figure
beside this one, so the two are measured on the same machine load.

Names are drawn from the real gazetteer and disguised the way lists disguise them (case,
"NHS ... CCG", "Clinical Commissioning Group", "Council", typing slips), so most are unique
and the per-name cache helps only as much as it would on a real list. Target: <= 1 s.
Then one hostile name of 65,001 parts, which must be read (and refused) in under a second, and the cell
shapes that made patterns backtrack (issue 20) at the cell limit, 131,072 characters: each read as a
site name, a lead organisation and an areas cell, and by every text function of the geocoder (the
ladder reads names of up to 4,000 characters, so it is also timed on a name of that length). Target:
each under 0.5 s. ``--baseline DIR`` times DIR's geocoder on the audit's four shapes too (each stopped
after ``--baseline-limit`` seconds).
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
from geo.geocode import normalise as nm  # noqa: E402
from geo.geocode.ladder import Geocoder  # noqa: E402
from geo.geocode.site_csv import MAX_CELL_CHARS  # noqa: E402
from geo.geocode.steps import MAX_NAME_CHARS  # noqa: E402

#: The audit's four shapes (issue 20), then their kin: the cell is the unit repeated to the length.
SHAPES = {"'x ' + 'and ' * n + ' y'": ("x ", "and ", " y"), "'<' * n": ("", "<", ""),
          "'x ' + ', ' * n + 'y'": ("x ", ", ", "y"), "'care ' * n": ("", "care ", ""),
          "'Health in ' + '&' * n": ("Health in ", "&", ""), "'x ' + '+' * n": ("x ", "+", ""),
          "'(a' * n": ("", "(a", ""), "'<a' * n": ("", "<a", ""), "'health in ' * n": ("", "health in ", ""),
          "' ' * n (untrimmed)": ("", " ", ""), "'\u00e9' * n": ("", "\u00e9", "")}
AUDIT_SHAPES = list(SHAPES)[:4]
HOSTILE_TARGET_S = 0.5


def shape_cell(name: str, length: int = MAX_CELL_CHARS) -> str:
    head, unit, tail = SHAPES[name]
    body = unit * ((length - len(head) - len(tail)) // len(unit) + 1)
    return (head + body)[: length - len(tail)] + tail


def timed(work, *args) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def hostile_lines(geocoder: Geocoder) -> None:
    """Each shape at the cell limit: the time to read it (the slowest of site name, lead organisation and
    areas), to read the longest name the ladder reads, and (for linearity) the text functions on the whole
    cell and on a cell 16 times shorter."""
    print(f"hostile cells of {MAX_CELL_CHARS:,} characters: read as a site name, lead organisation or areas "
          f"(slowest); the ladder on its first {MAX_NAME_CHARS:,}; the text functions on all of it, and on 1/16:")
    for name in SHAPES:
        cell = shape_cell(name)
        longest = cell[:MAX_NAME_CHARS]
        reads = []
        for args in ((cell,), ("Health Network", cell), ("x", "", cell), (longest, longest)):
            reads.append(timed(geocoder._resolve, *args))
            geocoder.forget()
        whole, part = timed(nm.text_readings, cell), timed(nm.text_readings, shape_cell(name, MAX_CELL_CHARS // 16))
        worst = max(reads)
        print(f"  {name:34} read {max(reads[:3]):6.3f} s, longest name {reads[3]:6.3f} s   target < "
              f"{HOSTILE_TARGET_S} s {'ok' if worst < HOSTILE_TARGET_S else 'MISSED'}   text functions "
              f"{whole:6.3f} s, on 1/16 {part:6.3f} s (x{whole / part if part else float('nan'):.0f})")


BASELINE_SHAPE = """
import sys, time
from geo.atlas import open_atlas
from geo.geocode.ladder import Geocoder
head, unit, tail = eval(sys.argv[1])
n = int(sys.argv[2])
cell = (head + unit * ((n - len(head) - len(tail)) // len(unit) + 1))[: n - len(tail)] + tail
geocoder = Geocoder(open_atlas())
geocoder.resolve("warm up")
started = time.perf_counter()
geocoder.resolve(cell)
print(f"{time.perf_counter() - started:.3f}")
"""


def baseline_shapes(root: Path, limit_s: float) -> None:
    """The baseline checkout's geocoder on the audit's shapes, each stopped after ``limit_s`` seconds."""
    env = os.environ | {"ATLAS_CACHE_DIR": str(root / ".cache")}
    for name in AUDIT_SHAPES:
        try:
            run = subprocess.run([sys.executable, "-c", BASELINE_SHAPE, repr(SHAPES[name]), str(MAX_CELL_CHARS)],
                                 cwd=root, env=env, capture_output=True, text=True, timeout=limit_s + 30)
            figure = f"{float(run.stdout.strip().splitlines()[-1]):6.3f} s"
        except subprocess.TimeoutExpired:
            figure = f"over {limit_s:.0f} s (stopped)"
        print(f"  baseline {name:25} {figure}")


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
    parser.add_argument("--baseline-limit", type=float, default=60.0,
                        help="seconds after which a baseline hostile cell is stopped (default 60)")
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
    hostile_lines(geocoder)
    if args.baseline:
        baseline_shapes(Path(args.baseline).resolve(), args.baseline_limit)


if __name__ == "__main__":
    main()
