"""A geocoded list's footprints: which are drawn, and the GeoJSON download, in proportion to places.

A list of 50,000 rows names a few hundred places many times over, or (written to hurt) 50,000
different ones. The map and the GeoJSON hold one shape per distinct footprint, simplified together
as the map's are, and at most :data:`MAX_FOOTPRINTS` of them covering at most :data:`MAX_LSOAS`
LSOAs between them (England has 32,844), so the work and the file are bounded whatever the list
holds; what is left out is said, and every row's codes and names stay in the CSV and Excel files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from geo.atlas import Atlas
from geo.present.export import attribution_lines
from geo.present.folium_map import footprint_geometries

#: Distinct footprints drawn on the map and written to the GeoJSON, first rows first.
MAX_FOOTPRINTS = 1_000
#: LSOAs summed over the footprints drawn (a region is about 5,000, a district about 100).
MAX_LSOAS = 500_000
#: The GeoJSON file's size; shapes past it are left out (their rows stay, with null geometry).
MAX_GEOJSON_BYTES = 20_000_000
#: The footprint columns a feature carries, from the first row with that footprint.
FOOTPRINT_COLUMNS = ("ccg_codes", "ccg_names", "lad_codes", "lad_names", "utla_codes", "utla_names",
                     "nhs_regions", "population", "population_basis", "footprint_level")
GEOMETRY_NOTE = ("one feature per distinct footprint; shapes simplified together as on the atlas's map (about "
                 "250 m), coordinates in WGS84 to 4 decimal places (about 10 m)")


def distinct_footprints(sets: Sequence[frozenset[str]]) -> dict[int, frozenset[str]]:
    """Each distinct non-empty footprint once, keyed by the first row (1-based) that has it.

    A long list names the same CCGs and districts many times: one map feature per footprint,
    not per row, keeps the map and the server's memory in proportion to the places, not the rows.
    """
    first: dict[frozenset[str], int] = {}
    for position, footprint in enumerate(sets, start=1):
        if footprint:
            first.setdefault(footprint, position)
    return {position: footprint for footprint, position in first.items()}


def drawable(first: Mapping[int, frozenset[str]], max_footprints: int = MAX_FOOTPRINTS,
             max_lsoas: int = MAX_LSOAS) -> tuple[dict[int, frozenset[str]], int]:
    """The distinct footprints (keyed by their first row) that are drawn, first rows first, within the
    bounds; and how many are left out."""
    drawn: dict[int, frozenset[str]] = {}
    lsoas = 0
    for row in sorted(first):
        footprint = first[row]
        if len(drawn) >= max_footprints or lsoas + len(footprint) > max_lsoas:
            break
        drawn[row] = footprint
        lsoas += len(footprint)
    return drawn, len(first) - len(drawn)


def list_geometries(atlas: Atlas, sets: Sequence[frozenset[str]],
                    progress: Callable[[], None] | None = None) -> dict[int, dict]:
    """The map's shapes of a list's drawn footprints, keyed by each one's first row (see :func:`drawable`)."""
    return footprint_geometries(atlas, drawable(distinct_footprints(sets))[0], progress=progress)


def left_out_note(left_out: int) -> str:
    """Why some footprints have no shape on the map or in the GeoJSON ("" when none is left out)."""
    if not left_out:
        return ""
    return (f"{left_out:,} of the list's distinct footprints are not drawn: the map and the GeoJSON hold at most "
            f"{MAX_FOOTPRINTS:,} footprints of {MAX_LSOAS:,} LSOAs in all, first rows first. Their rows keep "
            "their codes and names in the CSV and Excel files; geocode the rest as a separate list to draw them")


def list_geojson(frame: pd.DataFrame, sets: Sequence[frozenset[str]], row_column: str,
                 geometries: Mapping[int, dict], names: Mapping[str, str], attribution: str | Iterable[str],
                 max_bytes: int = MAX_GEOJSON_BYTES) -> bytes:
    """GeoJSON of a geocoded list: one feature per distinct footprint, with the rows that have it.

    ``geometries`` are the map's shapes keyed by the position (1-based) of each footprint's first
    row; a footprint without one (left out of the map, or past ``max_bytes``) keeps its feature with
    a null geometry. Rows with no footprint are listed at the top level. Written feature by feature,
    so the server is never held in one long call.
    """
    numbers = frame[row_column].tolist()
    positions: dict[frozenset[str], list[int]] = {}
    without: list[object] = []
    for position, footprint in enumerate(sets):
        if footprint:
            positions.setdefault(footprint, []).append(position)
        else:
            without.append(_json_value(numbers[position]))
    features, size, cut = [], 0, 0
    for number, where in enumerate(positions.values(), start=1):
        first = frame.iloc[where[0]]
        properties = {"footprint": number, "rows": [_json_value(numbers[p]) for p in where], "row_count": len(where),
                      "site_names": _names(frame["site_name"].iloc[where[:20]], len(where))}
        properties |= {c: _json_value(first[names.get(c, c)]) for c in FOOTPRINT_COLUMNS if names.get(c, c) in first}
        geometry = geometries.get(where[0] + 1)
        text = _feature(properties, geometry)
        if geometry is not None and size + len(text) > max_bytes:
            cut += 1
            text = _feature(properties, None)
        features.append(text)
        size += len(text)
    notes = [GEOMETRY_NOTE]
    if cut:
        notes.append(f"{cut:,} footprints have no geometry here: with them the file would pass "
                     f"{max_bytes / 1e6:g} MB")
    drawn = sum(1 for where in positions.values() if where[0] + 1 in geometries)
    if drawn < len(positions):
        notes.append(left_out_note(len(positions) - drawn))
    head = json.dumps({"type": "FeatureCollection", "attribution": attribution_lines(attribution), "notes": notes,
                       "rows_without_footprint": without}, ensure_ascii=False, separators=(",", ":"))
    return (head[:-1] + ',"features":[' + ",".join(features) + "]}").encode("utf-8")


def _feature(properties: dict, geometry: dict | None) -> str:
    return json.dumps({"type": "Feature", "properties": properties, "geometry": geometry}, ensure_ascii=False,
                      separators=(",", ":"))


def _names(names: pd.Series, total: int) -> str:
    """The first site names of a footprint's rows, and how many more."""
    listed = [str(n) for n in names.tolist()]
    more = total - len(listed)
    return "; ".join(listed) + (f"; and {more:,} more" if more > 0 else "")


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
