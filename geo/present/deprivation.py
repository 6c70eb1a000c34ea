"""How deprived the residents of a footprint are: their shares in each national fifth of the IMD 2015.

The fifths are of England's 32,844 LSOAs ranked by the English Indices of Deprivation 2015 (deciles 1-2
are the most deprived fifth), not of people. A footprint's profile is the share of its residents
(mid-2015, the population basis of every total) living in LSOAs of each fifth, and their average rank
as a national percentile (``IMD_RANKED_LSOAS``). Shares are rounded to one decimal by largest
remainders, so the five always sum to exactly 100.0. A set of footprints counts each LSOA once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.atlas import Atlas
from geo.geography import IMD_FIFTHS, IMD_RANKED_LSOAS
from geo.present.coverage import per_footprint, unions_by

#: The columns a site table gets (percent of residents, one decimal), most deprived first.
FIFTH_COLUMNS: dict[int, str] = {1: "most_deprived_fifth_pct", 2: "second_most_deprived_fifth_pct",
                                 3: "middle_fifth_pct", 4: "second_least_deprived_fifth_pct",
                                 5: "least_deprived_fifth_pct"}
RANK_PERCENTILE = "imd_rank_percentile"
DEPRIVATION_COLUMNS = [*FIFTH_COLUMNS.values(), RANK_PERCENTILE]
#: Short names of the fifths for a chart's key, most deprived first (1 to 5).
FIFTH_SHORT: dict[int, str] = {1: "1 most deprived", 2: "2", 3: "3", 4: "4", 5: "5 least deprived"}
#: The rows of :func:`deprivation_by` before the groups, and its label column.
ENGLAND_ROW, ALL_SHOWN_ROW, GROUP = "England (all residents)", "All sites shown (each person once)", "residents_of"


@dataclass(frozen=True)
class DeprivationProfile:
    """Residents of a set of LSOAs by national fifth, their shares and their average rank's percentile."""

    residents: int
    by_fifth: dict[int, int]
    shares: dict[int, float]  # percent, one decimal, summing to exactly 100.0 (empty with no residents)
    rank_percentile: float | None  # 0 most deprived, 100 least; None with no residents


def shares_pct(counts: Sequence[int], decimals: int = 1) -> list[float]:
    """Percentages of ``counts`` rounded so that they sum to exactly 100 (largest remainders).

    Each share is its exact value rounded down or up by one last digit: the units short of the total
    go to the largest remainders (ties to the first), as the Hare quota does with seats.
    """
    counts = np.asarray(counts, dtype="float64")
    if counts.sum() <= 0:
        return [float("nan")] * len(counts)
    units = 100 * 10 ** decimals
    exact = counts / counts.sum() * units
    floor = np.floor(exact).astype("int64")
    order = np.argsort(-(exact - floor), kind="stable")
    floor[order[: units - int(floor.sum())]] += 1
    return [round(int(u) / 10 ** decimals, decimals) for u in floor]


def rank_percentile(ranks: np.ndarray, residents: np.ndarray) -> float | None:
    """The residents' average national IMD rank as a percentile: ``(mean rank - 0.5) / 32,844 * 100``.

    The mean is weighted by residents; 0 is the most deprived LSOA, 100 the least, 50 the middle one.
    """
    weight = residents.sum()
    if weight <= 0:
        return None
    mean_rank = float((ranks * residents).sum() / weight)
    return round((mean_rank - 0.5) / IMD_RANKED_LSOAS * 100, 1)


def deprivation_profile(atlas: Atlas, lsoas: Iterable[str]) -> DeprivationProfile:
    """The deprivation profile of the residents of a set of LSOAs (each LSOA once)."""
    unique = pd.unique(np.asarray(list(lsoas), dtype=object))
    table = atlas.lsoas.loc[unique, ["population", "imd_fifth", "imd_rank"]]
    residents = table["population"].to_numpy(dtype="int64")
    by_fifth = np.bincount(table["imd_fifth"].to_numpy(dtype="int64"), weights=residents, minlength=6)[1:6]
    counts = {fifth: int(by_fifth[fifth - 1]) for fifth in IMD_FIFTHS}
    total = int(residents.sum())
    shares = dict(zip(IMD_FIFTHS, shares_pct(list(counts.values())))) if total else {}
    return DeprivationProfile(total, counts, shares, rank_percentile(table["imd_rank"].to_numpy(), residents))


def england_deprivation(atlas: Atlas) -> DeprivationProfile:
    """Every resident of the atlas (England in a full build): the reference for every footprint."""
    return deprivation_profile(atlas, atlas.lsoas.index)


def profile_row(profile: DeprivationProfile | None) -> dict[str, object]:
    """A profile as the deprivation columns (missing values for no footprint or no residents)."""
    if profile is None or not profile.residents:
        return {column: pd.NA for column in DEPRIVATION_COLUMNS}
    return {**{FIFTH_COLUMNS[f]: profile.shares[f] for f in IMD_FIFTHS}, RANK_PERCENTILE: profile.rank_percentile}


def with_deprivation_columns(frame: pd.DataFrame, footprints: Mapping[object, Iterable[str]] | list,
                             atlas: Atlas, key: str = "site_id") -> pd.DataFrame:
    """``frame`` with its footprints' deprivation profiles (see :data:`DEPRIVATION_COLUMNS`).

    ``footprints`` maps ``frame[key]`` to LSOA codes, or is a list in row order; a row with no footprint
    gets missing values. Each distinct footprint is profiled once.
    """
    rows = [profile_row(p) for p in per_footprint(frame, footprints, key, lambda x: deprivation_profile(atlas, x))]
    out = frame.copy()
    for column in DEPRIVATION_COLUMNS:
        out[column] = pd.array([row[column] for row in rows], dtype="Float64")
    return out


def deprivation_by(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, Iterable[str]],
                   column: str) -> pd.DataFrame:
    """England, the sites shown together, then each value of ``column`` (care model...): residents covered
    (each person once within a row) and their deprivation profile."""
    everyone = set().union(*(footprints.get(site_id, ()) for site_id in frame["site_id"]))
    groups = {ENGLAND_ROW: england_deprivation(atlas), ALL_SHOWN_ROW: deprivation_profile(atlas, everyone)}
    for value, union in unions_by(frame, footprints, column).items():
        groups[str(value)] = deprivation_profile(atlas, union)
    rows = [{GROUP: name, "residents": p.residents, **profile_row(p)} for name, p in groups.items()]
    out = pd.DataFrame(rows, columns=[GROUP, "residents", *DEPRIVATION_COLUMNS])
    return out.astype({c: "Float64" for c in DEPRIVATION_COLUMNS})


def profile_text(profile: DeprivationProfile) -> str:
    """One line for a reader: the share in each fifth and the average rank, e.g. for a site's details."""
    parts = [f"{IMD_FIFTHS[f].lower()} {profile.shares[f]:.1f}%" for f in IMD_FIFTHS]
    return (f"{'; '.join(parts)}. Average IMD rank: percentile {profile.rank_percentile:.1f} of England's LSOAs "
            "(0 most deprived, 100 least).")
