"""Exports of a site table: CSV that no spreadsheet will run as a formula, and GeoJSON footprints.

A page's CSV starts with its header, so ``pandas.read_csv(path)`` and a spreadsheet open it as it
is; credit travels beside it (the page, the Excel workbook's Sources sheet, the GeoJSON's
``attribution`` member). The command line's ``--attribution`` puts the lines before the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from geo.atlas import Atlas
from geo.geography import geometry_json, to_wgs84

#: A cell starting with one of these can run as a formula in Excel, LibreOffice or Sheets
#: (OWASP "CSV injection"); full-width forms are included because some locales accept them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Lines before the header of a command-line CSV with ``--attribution`` start with this (one quoted cell each).
COMMENT = "#"
#: Text that reads as a plain number ("-2.29", "+44", "1e-3"): a spreadsheet takes it as that
#: number, not a formula, so it is written unchanged (negative longitudes survive a round trip).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def safe_cell(value: object) -> object:
    """Text that a spreadsheet could read as a formula gets a leading apostrophe; the rest is kept.

    Numbers stay numbers (a negative number is not text and is safe), and so does text that is
    exactly a number, such as a longitude of ``-2.29`` read from a CSV.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame, attribution: str | Sequence[str] = ()) -> bytes:
    """UTF-8 CSV (with a byte-order mark, for Excel) of ``frame``, formula-safe, the header first.

    Only when ``attribution`` is given (the command line's ``--attribution``) does each line come
    first, as one quoted cell starting with ``#``; ``geo.geocode.site_csv`` skips such lines.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in attribution_lines(attribution):
        writer.writerow([f"{COMMENT} {line}"])
    writer.writerow([safe_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([safe_cell(_plain(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def attribution_lines(attribution: str | Sequence[str]) -> list[str]:
    """Attribution as non-empty lines, each a single line of text."""
    lines = attribution.splitlines() if isinstance(attribution, str) else list(attribution)
    return [" ".join(line.split()) for line in lines if line and line.strip()]


def _plain(value: object) -> object:
    """A cell value as the csv module should write it: missing values empty, numpy unboxed."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(sorted(str(v) for v in value))
    return value


def to_geojson_export(
    frame: pd.DataFrame,
    footprints: Mapping[str, Iterable[str]] | Sequence[Iterable[str]],
    atlas: Atlas,
    attribution: str | Sequence[str],
    geometries: Mapping[str, dict] | None = None,
    key: str = "site_id",
    about: Mapping[str, object] | None = None,
) -> str:
    """GeoJSON FeatureCollection: one feature per row of ``frame``, its footprint as geometry.

    ``footprints`` is either a mapping from ``frame[key]`` to LSOA codes, or a list in row order.
    A row with no footprint keeps its properties with a null geometry, so nothing is lost.
    ``geometries`` (GeoJSON geometry dicts by key, e.g. from :func:`geo.present.folium_map.footprint_geometries`)
    is used when given; otherwise each footprint is dissolved from its LSOAs and reprojected.
    The attribution goes in a top-level ``attribution`` member and ``about`` (what the properties
    mean, notes) in further top-level members (RFC 7946 foreign members).
    """
    features = []
    for position, (_, row) in enumerate(frame.iterrows()):
        if isinstance(footprints, Mapping):
            ident = row[key]
            codes = footprints.get(ident, ())
        else:
            ident = position
            codes = footprints[position]
        geometry = None
        if geometries is not None and ident in geometries:
            geometry = geometries[ident]
        elif codes:
            geometry = _wgs84_geometry(atlas, codes)
        features.append({"type": "Feature", "properties": {c: _json_value(row[c]) for c in frame.columns},
                         "geometry": geometry})
    collection = {"type": "FeatureCollection", "attribution": attribution_lines(attribution), **(about or {}),
                  "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def _wgs84_geometry(atlas: Atlas, codes: Iterable[str]) -> dict | None:
    shape = atlas.footprint_polygon(list(codes))
    if shape.is_empty:
        return None
    return geometry_json(to_wgs84([shape], decimals=6)[0])


def _json_value(value: object) -> object:
    value = _plain(value)
    if value == "":
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    return value


def export_name(kind: str, words: Sequence[str], ext: str, today: dt.date | None = None) -> str:
    """A file name that says what the file holds: kind, filters and date, in safe characters."""
    today = today or dt.date.today()
    parts = [kind] + (list(words) or ["all"]) + [today.isoformat()]
    slug = "_".join(re.sub(r"[^a-z0-9]+", "-", p.casefold()).strip("-") for p in parts if p)
    slug = re.sub(r"_+", "_", slug)[:150].strip("_-")
    return f"{slug}.{ext}"
