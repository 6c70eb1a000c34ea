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
#: The atlas's columns that describe a footprint (the same for every row that has it): a feature carries them.
FOOTPRINT_COLUMNS = ("ccg_codes", "ccg_names", "lad_codes", "lad_names", "utla_codes", "utla_names",
                     "nhs_regions", "population", "population_basis", "footprint_level")
GEOMETRY_NOTE = ("one feature per distinct footprint, with the rows of your list that have it (rows, row_count, "
                 "site_names: the first 20) and the footprint's columns as of its first row; shapes simplified "
                 "together as on the atlas's map (about 250 m), coordinates in WGS84 to 4 decimal places (about 10 m)")


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
                 geometries: Mapping[int, dict], attribution: str | Iterable[str],
                 about: Mapping[str, object] | None = None, max_bytes: int = MAX_GEOJSON_BYTES) -> bytes:
    """GeoJSON of a geocoded list: one feature per distinct footprint drawn, with the rows that have it.

    ``frame`` holds the row numbers (``row_column``), ``site_name`` and the columns each feature
    carries, from the footprint's first row (:data:`FOOTPRINT_COLUMNS`, under any names); ``about``
    adds top-level members (what the columns mean), as :func:`geo.present.export.to_geojson_export`.

    ``geometries`` are the map's shapes keyed by the position (1-based) of each footprint's first
    row. A footprint without one (past the map's bounds), or whose shape would take the file past
    ``max_bytes``, has no feature: its rows are listed in ``rows_not_drawn`` and a note says why;
    rows with no footprint are listed in ``rows_without_footprint``. Written feature by feature from
    plain lists, so the work is in proportion to the footprints and the server is never held long.
    """
    numbers = [_json_value(n) for n in frame[row_column].tolist()]
    positions: dict[frozenset[str], list[int]] = {}
    without = []
    for position, footprint in enumerate(sets):
        if footprint:
            positions.setdefault(footprint, []).append(position)
        else:
            without.append(numbers[position])
    drawn = [where for where in positions.values() if where[0] + 1 in geometries]
    not_drawn = [numbers[p] for where in positions.values() if where[0] + 1 not in geometries for p in where]
    firsts = [where[0] for where in drawn]  # only these rows' cells are read: the work goes with the footprints
    columns = {c: frame[c].iloc[firsts].tolist() for c in frame.columns if c not in (row_column, "site_name")}
    named = frame["site_name"].iloc[[p for where in drawn for p in where[:20]]].tolist()
    features, size, too_big, offset = [], 0, 0, 0
    for i, where in enumerate(drawn):
        rows = [numbers[p] for p in where]
        properties = {"footprint": len(features) + 1, "rows": rows, "row_count": len(rows),
                      "site_names": _names(named[offset: offset + min(20, len(where))], len(where))}
        offset += min(20, len(where))
        text = _feature(properties | {c: _json_value(v[i]) for c, v in columns.items()}, geometries[where[0] + 1])
        if size + len(text) > max_bytes:
            too_big += 1
            not_drawn += rows
            continue
        features.append(text)
        size += len(text)
    notes = [GEOMETRY_NOTE]
    if not_drawn:
        missing = len(positions) - len(features)
        why = [f"{too_big:,} would take the file past {max_bytes / 1e6:g} MB"] if too_big else []
        why += [left_out_note(missing - too_big)] if missing > too_big else []
        notes.append(f"{missing:,} footprints have no feature here (their rows are in rows_not_drawn): "
                     + "; ".join(why))
    about = dict(about or {})
    notes += list(about.pop("notes", []))
    head = json.dumps({"type": "FeatureCollection", "attribution": attribution_lines(attribution), **about,
                       "notes": notes, "rows_without_footprint": without, "rows_not_drawn": not_drawn},
                      ensure_ascii=False, separators=(",", ":"))
    return (head[:-1] + ',"features":[' + ",".join(features) + "]}").encode("utf-8")


def _feature(properties: dict, geometry: dict | None) -> str:
    return json.dumps({"type": "Feature", "properties": properties, "geometry": geometry}, ensure_ascii=False,
                      separators=(",", ":"))


def _names(names: list, total: int) -> str:
    """The first site names of a footprint's rows, and how many more."""
    listed = [str(n) for n in names]
    more = total - len(listed)
    return "; ".join(listed) + (f"; and {more:,} more" if more > 0 else "")


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
