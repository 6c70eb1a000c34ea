"""Your list beside the programme: which rows of an uploaded list fall inside which sites.

"Which of my places were in a vanguard?" Each row's footprint (a set of LSOAs) is compared with
every site's: a row overlaps a site when they share LSOAs, and the people living in the shared
LSOAs say how much. Every row of the list comes back at least once, so nothing is silently lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from geo.atlas import Atlas

COLUMNS = ["row", "site_name", "status", "row_population", "site", "programme", "care_model",
           "people_in_both", "share_of_row_pct"]


def list_overlap(
    atlas: Atlas,
    rows: pd.DataFrame,
    row_footprints: Sequence[frozenset[str]],
    sites: pd.DataFrame,
    site_footprints: Mapping[str, frozenset[str]],
) -> pd.DataFrame:
    """One line per (row, overlapping site), and one line for each row that overlaps no site.

    ``rows`` is a geocoded list (with ``row``, ``site_name``, ``status``), ``row_footprints`` its
    LSOA sets in row order; ``sites`` the programme's sites (``site_id``, ``display_name``,
    ``programme``, ``care_model``). ``people_in_both`` counts residents of the shared LSOAs;
    ``share_of_row_pct`` is their share of the row's residents. A row with no footprint says so.
    """
    records = []
    site_list = [(s, site_footprints.get(s, frozenset())) for s in sites["site_id"]]
    info = sites.set_index("site_id")
    seen: dict[frozenset[str], tuple[int, list[dict]]] = {}
    for (_, row), codes in zip(rows.iterrows(), row_footprints, strict=True):
        base = {"row": row.get("row"), "site_name": row.get("site_name"), "status": row.get("status")}
        if not codes:
            records.append(base | {"row_population": pd.NA, "site": "(no footprint: not located)"})
            continue
        if codes not in seen:  # a long list repeats a few footprints: intersect each once
            seen[codes] = _site_overlaps(atlas, codes, site_list, info)
        residents, found = seen[codes]
        hits = [base | {"row_population": residents} | hit for hit in found]
        records.extend(sorted(hits, key=lambda r: -r["people_in_both"]) or
                       [base | {"row_population": residents, "site": "(none: outside every site shown)",
                                "people_in_both": 0, "share_of_row_pct": 0.0}])
    out = pd.DataFrame(records, columns=COLUMNS)
    for column in ("row_population", "people_in_both"):
        out[column] = out[column].astype("Int64")
    return out


def _site_overlaps(atlas: Atlas, codes: frozenset[str], site_list: list, info: pd.DataFrame) -> tuple[int, list[dict]]:
    """Residents of one footprint, and what it shares with each site it meets."""
    residents = atlas.population(codes)
    hits = []
    for site_id, footprint in site_list:
        shared = footprint & codes
        if shared:
            people = atlas.population(shared)
            hits.append({"site": info.at[site_id, "display_name"], "programme": info.at[site_id, "programme"],
                         "care_model": info.at[site_id, "care_model"], "people_in_both": people,
                         "share_of_row_pct": round(people / residents * 100, 1) if residents else None})
    return residents, hits


def rows_inside(overlap: pd.DataFrame) -> int:
    """How many rows of the list share people with at least one site."""
    return int(overlap.loc[overlap["people_in_both"].fillna(0) > 0, "row"].nunique())
