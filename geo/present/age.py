"""Who lives in a footprint: residents by age band (0-15, 16-59, 60 and over, mid-2015).

The bands come from the LSOA table (see ``geo.geography.AGE_BANDS``): each LSOA's population is split
in its IoD2019 age shares, so the bands of any set of LSOAs sum exactly to its residents. A set of
footprints is counted as a union, each person once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from geo.atlas import Atlas
from geo.geography import AGE_BANDS
from geo.present.coverage import per_footprint, unions_by

#: Column names added to a site table, in band order, and the share of older people.
AGE_COLUMNS: dict[str, str] = {band: f"residents_{band.removeprefix('age_')}" for band in AGE_BANDS}
OLDER_SHARE = "residents_60_plus_pct"
#: Said wherever a care home vanguard's population is shown (issue 11, item 5).
CARE_HOME_NOTE = (
    "Enhanced health in care homes vanguards published their 'population' as the residents of the care "
    "homes they worked with; the atlas's population counts everyone living in the footprint (all ages), "
    "so the two are not comparable."
)


def age_profile(atlas: Atlas, lsoas: Iterable[str]) -> dict[str, int]:
    """Residents of a set of LSOAs by age band (each LSOA once); the bands sum to its population."""
    unique = pd.unique(np.asarray(list(lsoas), dtype=object))
    if len(unique) == 0:
        return {band: 0 for band in AGE_BANDS}
    sums = atlas.lsoas.loc[unique, list(AGE_BANDS)].sum()
    return {band: int(sums[band]) for band in AGE_BANDS}


def with_age_columns(frame: pd.DataFrame, footprints: Mapping[object, Iterable[str]] | list,
                     atlas: Atlas, key: str = "site_id") -> pd.DataFrame:
    """``frame`` with residents by age band and the share aged 60 and over, per footprint.

    ``footprints`` maps ``frame[key]`` to LSOA codes, or is a list in row order. Rows with no
    footprint get missing values. The bands are residents, also where a site's ``population`` is
    a registered list.
    """
    rows = per_footprint(frame, footprints, key, lambda lsoas: age_profile(atlas, lsoas))
    out = frame.copy()
    for band, column in AGE_COLUMNS.items():
        out[column] = pd.array([r[band] if r else pd.NA for r in rows], dtype="Int64")
    total = sum(out[c] for c in AGE_COLUMNS.values())
    older = out[AGE_COLUMNS["age_60_plus"]]
    out[OLDER_SHARE] = (older / total.where(total > 0) * 100).round(1).astype("Float64")
    return out


def older_people_by(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, Iterable[str]],
                    column: str) -> pd.DataFrame:
    """Residents aged 60 and over covered, per value of ``column`` (care model...), each person once."""
    rows = []
    for value, union in unions_by(frame, footprints, column).items():
        profile = age_profile(atlas, union)
        everyone = sum(profile.values())
        rows.append({column: value, "residents": everyone, "aged_60_plus": profile["age_60_plus"],
                     "aged_60_plus_pct": round(profile["age_60_plus"] / everyone * 100, 1) if everyone else None})
    return pd.DataFrame(rows, columns=[column, "residents", "aged_60_plus", "aged_60_plus_pct"])
