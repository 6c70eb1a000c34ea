"""Who lives in each footprint: the profile columns every site table carries, wherever it is written.

The command line's sites file, the Sites page's downloads and a geocoded list all get the same columns
from here: residents by age band (:mod:`geo.present.age`) and their deprivation (:mod:`geo.present.deprivation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from geo.atlas import Atlas
from geo.present.age import AGE_COLUMNS, OLDER_SHARE, with_age_columns
from geo.present.deprivation import DEPRIVATION_COLUMNS, with_deprivation_columns

#: The profile columns, in the order they are added.
PROFILE_COLUMNS = [*AGE_COLUMNS.values(), OLDER_SHARE, *DEPRIVATION_COLUMNS]


def with_profiles(frame: pd.DataFrame, footprints: Mapping[object, Iterable[str]] | list, atlas: Atlas,
                  key: str = "site_id") -> pd.DataFrame:
    """``frame`` with :data:`PROFILE_COLUMNS` for each row's footprint (missing values where it has none)."""
    aged = with_age_columns(frame, footprints, atlas, key)
    return with_deprivation_columns(aged, footprints, atlas, key)
