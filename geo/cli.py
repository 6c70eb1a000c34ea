"""Command line: ``python -m geo build | layers | geocode | sites``."""

from __future__ import annotations

import argparse
import json
import sys

from geo import config
from geo.raw import RawDataError


def _build(args: argparse.Namespace) -> int:
    from geo.build import build

    manifest = build(config.raw_dir(args.raw), config.cache_dir(args.cache), force=args.force)
    print(_layer_table(manifest["summary"]))
    if not manifest["reused"]:
        print(f"built in {manifest['seconds']} s")
    return 0


def _assets(args: argparse.Namespace) -> int:
    from geo.assets import install_static

    print(f"map assets in {install_static()}")
    return 0


def _layer_table(summary: dict) -> str:
    lines = [f"{'layer':<18}{'areas':>7}{'population':>14}{'display KB':>12}"]
    for key, row in summary.items():
        lines.append(f"{key:<18}{row['areas']:>7}{row['population']:>14,}{row['display_bytes'] / 1024:>12.0f}")
    return "\n".join(lines)


def _layers(args: argparse.Namespace) -> int:
    from geo.build import cache_problem, summary

    cache = config.cache_dir(args.cache)
    problem = cache_problem(config.raw_dir(args.raw), cache)
    if problem:
        print(f"cannot read layers: {problem}; run `python -m geo build` first", file=sys.stderr)
        return 1
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
    _add_geocoding_commands(sub, common)
    return top


def _add_geocoding_commands(sub, common) -> None:
    try:
        from geo.geocode_cli import add_commands
    except ImportError:
        return
    add_commands(sub, common)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (RawDataError, config.ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
