"""The project's curated tables, each row with its source: aliases (``data/aliases.csv``), and councils
formed after 2015 or abolished before it (``data/council_changes.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from geo.geocode.entry import TARGET_KINDS, Entry
from geo.geocode.normalise import fold, normalise


def read_aliases(path: Path) -> dict[str, tuple[list[Entry], str]]:
    """Alias key -> its target entries and the reasoning behind it."""
    out: dict[str, tuple[list[Entry], str]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if None in row or None in row.values():
                raise ValueError(f"{path}, line {line}: expected 4 fields (quote values that contain commas)")
            entries = []
            for target in row["targets"].split(";"):
                kind, _, code = target.strip().partition(":")
                if kind not in TARGET_KINDS:
                    raise ValueError(f"{path}: alias {row['alias']!r} has target {target!r} of unknown kind")
                entries.append(Entry(kind, code, ""))
            out[normalise(row["alias"])] = (entries, row["reasoning"])
    return out


def read_council_changes(path: Path) -> list[tuple[Entry, list[str], dict[str, Entry], str]]:
    """Each council formed after 2015 or county abolished before it, as the union of its 2015
    districts: its entry, the keys it is known by, its official names (folded) and today's code."""
    out = []
    for row in pd.read_csv(path, dtype=str, keep_default_na=False).itertuples(index=False):
        entry = Entry(row.kind, row.made_of, f"{row.name} ({row.change})")
        official = row.official_names.split(";")
        keys = list(dict.fromkeys(normalise(name) for name in [row.name, *official]))
        out.append((entry, keys, {fold(name): entry for name in official}, row.code))
    return out
