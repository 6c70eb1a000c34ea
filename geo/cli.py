"""Command line: ``python -m geo build | layers | geocode | sites | covers``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from geo import config
from geo.build.raw import RawDataError

if TYPE_CHECKING:
    import pandas as pd


def _build(args: argparse.Namespace) -> int:
    from geo.atlas import Atlas
    from geo.build.pipeline import build
    from geo.present.map_data import DATA_DIR, prepare

    cache = config.cache_dir(args.cache)
    manifest = build(config.raw_dir(args.raw), cache, force=args.force)
    print(_layer_table(manifest["summary"]))
    if not manifest["reused"]:
        print(f"built in {manifest['seconds']} s")
    urls = prepare(Atlas(cache))  # the app's own files, so that a server only reads
    print(f"map data: {len(urls)} files in {DATA_DIR}; bundled sites and the index in {cache}")
    return 0


def _assets(args: argparse.Namespace) -> int:
    from geo.build.static_assets import install_static

    print(f"map assets in {install_static()}")
    return 0


def _layer_table(summary: dict) -> str:
    lines = [f"{'layer':<18}{'areas':>7}{'population':>14}{'display KB':>12}"]
    for key, row in summary.items():
        lines.append(f"{key:<18}{row['areas']:>7}{row['population']:>14,}{row['display_bytes'] / 1024:>12.0f}")
    return "\n".join(lines)


def _layers(args: argparse.Namespace) -> int:
    """The built cache's layers; the raw data is not needed (a machine may have only the cache)."""
    from geo.build.pipeline import cache_problem
    from geo.cache import cache_damage, summary

    cache = config.cache_dir(args.cache)
    problem = cache_damage(cache)
    if problem:
        print(f"error: cannot read layers: {problem}; run `python -m geo build` first", file=sys.stderr)
        return 2
    try:
        stale = cache_problem(config.raw_dir(args.raw), cache)
    except (config.ConfigError, RawDataError):
        stale = None  # no raw data here: the cache is read as it is
    if stale:
        print(f"note: {stale} since this cache was built: `python -m geo build` rebuilds it", file=sys.stderr)
    data = summary(cache)
    if args.json:
        print(json.dumps({k: {"areas": v["areas"], "population": v["population"]} for k, v in data.items()}))
    else:
        print(_layer_table(data))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--raw", help=f"raw data directory (default: ${config.RAW_ENV} or ../shared/data/raw)")
    common.add_argument("--cache", help=f"build cache directory (default: ${config.CACHE_ENV} or ./.cache)")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", parents=[common], help="build the LSOA table and boundary layers")
    p.add_argument("--force", action="store_true", help="rebuild even when the cache is current")
    p.set_defaults(run=_build)
    p = sub.add_parser("layers", parents=[common], help="areas and population per layer")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_layers)
    p = sub.add_parser("assets", help="copy Leaflet and jQuery into static/vendor for offline maps")
    p.set_defaults(run=_assets)
    p = sub.add_parser("geocode", parents=[common], help="geocode a CSV of sites (needs a site_name column)")
    p.add_argument("input", help="CSV with site_name and optional lead_organisation, areas, postcode, lat, lon")
    p.add_argument("-o", "--output", required=True, help="CSV to write: every input row, in order, geocoded")
    p.add_argument("--attribution", action="store_true", help="put the attribution lines before the header")
    p.add_argument("--budget", type=float, default=0, metavar="SECONDS",
                   help="stop geocoding after this long; rows not reached are kept, unmatched (default: no limit)")
    p.set_defaults(run=_geocode)
    p = sub.add_parser("sites", parents=[common],
                       help="write the bundled site lists, geocoded, with who lives in each footprint")
    p.add_argument("-o", "--output", required=True, help="CSV to write")
    p.add_argument("--attribution", action="store_true", help="put the attribution lines before the header")
    p.set_defaults(run=_sites)
    p = sub.add_parser("covers", parents=[common], help="which programme sites cover a place",
                       description="Which programme sites cover a place: the place read as the geocoder reads a "
                                   "name (a town, district, county, CCG, council, trust or GP practice, or typed "
                                   "codes such as ccg:02R), then, per site whose footprint shares LSOAs with it, "
                                   "its site_id, name, care model, residents in both (mid-2015, nearest 100) and "
                                   "the share of the place's residents covered. Exit status 2 when the place "
                                   "cannot be read, or has several readings (they are listed with their codes: "
                                   "pass the codes of the one you mean).")
    p.add_argument("place", nargs="+", help="the place, e.g. Halifax, or codes such as ccg:02R or lad:E08000033")
    p.set_defaults(run=_covers)
    return top


def _open_geocoder(args: argparse.Namespace):
    from geo.atlas import Atlas
    from geo.build.pipeline import build
    from geo.geocode.ladder import Geocoder

    cache = config.cache_dir(args.cache)
    build(config.raw_dir(args.raw), cache, progress=lambda m: print(m, file=sys.stderr))
    atlas = Atlas(cache)
    return atlas, Geocoder(atlas)


class OutputError(Exception):
    """The output file cannot be written; the message says what to fix."""


def check_output(path: str) -> None:
    """Refuse an output path that cannot be written before any work is done."""
    import os
    import tempfile

    if not path:
        raise OutputError("the output path is empty: give -o OUT.csv")
    if os.path.isdir(path):
        raise OutputError(f"{path} is a folder: give a file name, e.g. -o {os.path.join(path, 'out.csv')}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"the folder {folder} does not exist: create it or choose another -o")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputError(f"{path} is not writable: choose another -o or change its permissions")
    if not os.path.exists(path):
        try:  # try it: permissions alone do not say (root, read-only mounts, virtual file systems)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise OutputError(f"cannot create files in {folder} ({exc.strerror or exc}): choose another -o") from exc


def _write(frame, path: str, attribution: bool) -> None:
    """Formula-safe CSV; attribution lines go before the header only when asked for, so that the
    default output stays a plain table any CSV reader takes as it is."""
    import errno

    from geo.present.export import to_safe_csv
    from geo.sources import ATTRIBUTION

    try:
        with open(path, "wb") as handle:
            handle.write(to_safe_csv(frame, ATTRIBUTION if attribution else ()))
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"the disk holding {path} is full: free some space or choose another -o") from exc
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}: choose another -o") from exc
    if not attribution:
        print("data attribution (add --attribution to put it in the file):", *ATTRIBUTION, sep="\n  ",
              file=sys.stderr)


def _summary_line(frame: pd.DataFrame) -> str:
    from geo.geocode.match import status_summary

    return status_summary(frame["status"])


def _geocode(args: argparse.Namespace) -> int:
    from geo.geocode.batch import clash_notice, geocode_in_chunks
    from geo.geocode.site_csv import SiteFileError, read_site_csv, read_site_file

    check_output(args.output)
    try:
        frame = read_site_csv(read_site_file(args.input))
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror or exc}: check the path", file=sys.stderr)
        return 2
    except SiteFileError as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2
    _atlas, geocoder = _open_geocoder(args)

    def progress(done: int, total: int) -> None:
        if total >= 1000 and done and (done % 1000 < 100 or done == total):
            print(f"geocoded {done:,} of {total:,} rows", file=sys.stderr)

    budget = args.budget if args.budget and args.budget > 0 else None
    result = geocode_in_chunks(geocoder, frame, budget_s=budget, progress=progress)
    if result.renamed:
        print(f"note: {clash_notice(result.renamed)}", file=sys.stderr)
    if result.stopped:
        print(f"note: {result.stopped}", file=sys.stderr)
    _write(result.frame, args.output, args.attribution)
    counts = result.column("status").value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("matched", "ambiguous", "unmatched"))
    print(f"{len(result.frame)} rows written to {args.output}: {summary}")
    return 0


def _sites(args: argparse.Namespace) -> int:
    from geo.geocode.bundled_sites import bundled_sites
    from geo.present.residents import with_profiles

    check_output(args.output)
    atlas, geocoder = _open_geocoder(args)
    out, footprints = bundled_sites(atlas, geocoder)
    _write(with_profiles(out, footprints, atlas), args.output, args.attribution)
    print(f"{len(out)} sites written to {args.output}: {_summary_line(out)}")
    return 0


def _covers(args: argparse.Namespace) -> int:
    from geo.geocode.bundled_cache import cached_bundled_sites
    from geo.geocode.match import UNMATCHED
    from geo.present.places import SiteCover, covers, covers_lines

    atlas, geocoder = _open_geocoder(args)
    frame, footprints = cached_bundled_sites(atlas)
    answer = covers(geocoder, SiteCover(atlas, frame, footprints), " ".join(args.place))
    if answer.reading.status == UNMATCHED or (not answer.reading.matched and not answer.reading.readings):
        print(f"error: {answer.reading.words()}", file=sys.stderr)
        return 2
    lines = "\n".join(covers_lines(answer))
    if not answer.reading.matched:  # ambiguous: its readings, with the codes to pass
        print(lines, file=sys.stderr)
        return 2
    print(lines)
    return 0


def main(argv: list[str] | None = None) -> int:
    from geo.present.map_data import MapDataError

    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (RawDataError, config.ConfigError, OutputError, MapDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a cache folder that cannot be written: read-only, full, not a folder...
        print(f"error: {os_error_line(exc)}", file=sys.stderr)
        return 2


def os_error_line(exc: OSError) -> str:
    """One line naming the file or folder and what is wrong with it, and what to do."""
    import errno

    where = str(exc.filename or "")[:200] or "a file"
    what = {errno.ENOSPC: "the disk is full", errno.EROFS: "the disk is read-only",
            errno.EACCES: "permission denied"}.get(exc.errno or 0, exc.strerror or str(exc))
    return f"cannot write {where}: {what}: choose a folder you can write (--cache or ${config.CACHE_ENV})"
