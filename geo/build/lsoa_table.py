"""The LSOA table: every English LSOA with its 2015 geography, calibrated mid-2015 population and IMD 2015."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.build import raw as rawfiles
from geo.geography import AGE_BANDS, imd_fifth

COLUMNS = [
    "lsoa_code", "lsoa_name", "population", "population_iod",
    "lad_code", "lad_name", "utla_code", "utla_name",
    "ccg_code", "ccg_ods", "ccg_name",
    "nhs_local_office_code", "nhs_local_office_ods", "nhs_local_office_name",
    "nhs_region_code", "nhs_region_ods", "nhs_region_name",
    "age_0_15", "age_16_59", "age_60_plus",
    "imd_score", "imd_rank", "imd_decile", "imd_fifth",
]


def calibrate(weights: np.ndarray, groups: np.ndarray, totals: dict) -> np.ndarray:
    """Scale integer ``weights`` within each group to that group's total, exactly.

    Largest-remainder rounding keeps every figure an integer and every group sum exact; a
    group whose weights are all zero is shared out equally.
    """
    out = np.zeros(len(weights), dtype="int64")
    for group, idx in pd.Series(range(len(groups))).groupby(groups).groups.items():
        idx = np.asarray(idx)
        w = weights[idx].astype("float64")
        if w.sum() <= 0:
            w = np.ones_like(w)
        exact = w / w.sum() * totals[group]
        floor = np.floor(exact).astype("int64")
        short = int(totals[group] - floor.sum())
        order = np.argsort(-(exact - floor), kind="stable")
        floor[order[:short]] += 1
        out[idx] = floor
    return out


def split_bands(totals: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """Split each integer total in the shares of its row of ``bands``, exactly (largest remainders).

    Row ``i`` of the result sums to ``totals[i]``; a row of zero weights is split equally.
    """
    weights = bands.astype("float64")
    empty = weights.sum(axis=1) <= 0
    weights[empty] = 1.0
    exact = weights / weights.sum(axis=1, keepdims=True) * totals[:, None]
    floor = np.floor(exact).astype("int64")
    short = totals - floor.sum(axis=1)
    order = np.argsort(-(exact - floor), axis=1, kind="stable")
    rank = np.argsort(order, axis=1)
    floor += (rank < short[:, None]).astype("int64")
    return floor


def build_lsoa_table(raw: Path, expected_lsoas: int | None = rawfiles.EXPECTED_LSOAS) -> pd.DataFrame:
    """Join the ONS lookups, NHS hierarchy, population and IMD 2015 into one row per LSOA (32,844)."""
    lookup = rawfiles.lsoa_lookup(raw, expected_lsoas)
    utla = rawfiles.utla_lookup(raw)
    hierarchy = rawfiles.ccg_hierarchy(raw)
    pop = rawfiles.iod_population(raw)

    table = lookup.merge(utla, left_on="LAD15CD", right_on="LTLA18CD", how="left")
    unmatched = table["UTLA18CD"].isna()
    if unmatched.any():
        raise rawfiles.RawDataError(raw / rawfiles.UTLA_LOOKUP,
                                    f"no upper tier for districts {sorted(table.loc[unmatched, 'LAD15CD'].unique())}")
    # Unitary, metropolitan and London upper tiers are the district itself: keep its 2015 name.
    own = table["UTLA18CD"] == table["LAD15CD"]
    table.loc[own, "UTLA18NM"] = table.loc[own, "LAD15NM"]
    table = table.merge(hierarchy.drop(columns=["CCG15CDH", "CCG15NM"]), on="CCG15CD", how="left")
    if table["NHSRG15CD"].isna().any():
        raise rawfiles.RawDataError(raw / rawfiles.CCG_HIERARCHY, "some 2015 CCGs of the LSOA lookup are missing")
    table = table.merge(pop, on="LSOA11CD", how="left")
    if table["population_iod"].isna().any():
        raise rawfiles.RawDataError(raw / rawfiles.IOD_POPULATION, "some LSOAs have no population")
    table["population_iod"] = table["population_iod"].astype("int64")
    totals = dict(zip(hierarchy["CCG15CD"], hierarchy["POP_MID2015_PERSONS"]))
    table["population"] = calibrate(table["population_iod"].to_numpy(), table["CCG15CD"].to_numpy(), totals)
    iod_bands = table[list(rawfiles.IOD_AGE_COLUMNS.values())].to_numpy()
    table[list(AGE_BANDS)] = split_bands(table["population"].to_numpy(), iod_bands)
    table = table.merge(rawfiles.imd_2015(raw), on="LSOA11CD", how="left")
    if table["imd_rank"].isna().any():
        raise rawfiles.RawDataError(raw / rawfiles.IMD_2015, "some LSOAs have no IMD 2015 rank")
    table = table.astype({"imd_rank": "int64", "imd_decile": "int64"})
    table["imd_fifth"] = imd_fifth(table["imd_decile"].to_numpy())

    table = table.rename(columns={
        "LSOA11CD": "lsoa_code", "LSOA11NM": "lsoa_name", "LAD15CD": "lad_code", "LAD15NM": "lad_name",
        "UTLA18CD": "utla_code", "UTLA18NM": "utla_name", "CCG15CD": "ccg_code", "CCG15CDH": "ccg_ods",
        "CCG15NM": "ccg_name", "NHSRG15CD": "nhs_local_office_code", "NHSRG15CDH": "nhs_local_office_ods",
        "NHSRG15NM": "nhs_local_office_name", "NHSCR15CD": "nhs_region_code",
        "NHSCR15CDH": "nhs_region_ods", "NHSCR15NM": "nhs_region_name",
    })
    return table[COLUMNS].sort_values("lsoa_code").reset_index(drop=True)


def assign_ccg_2013(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame, ccg13: pd.DataFrame,
                    polygons13: gpd.GeoDataFrame) -> pd.Series:
    """The April 2013 CCG (ODS code) of every LSOA, for 2013-era names such as "NHS Gateshead CCG".

    CCGs whose ODS code survived into 2015 keep their 2015 LSOAs (Coastal West Sussex and
    Guildford and Waverley changed slightly in 2015; that difference of four LSOAs is ignored).
    LSOAs of CCGs created in 2015 (Newcastle Gateshead, 13T) are placed in the 2013 CCG whose
    NHS England 2013 polygon holds their representative point, or the nearest one.
    """
    codes13 = set(ccg13["CCG13CDH"])
    out = table.set_index("lsoa_code")["ccg_ods"].copy()
    todo = out.index[~out.isin(codes13)]
    if len(todo) == 0:
        return out.rename("ccg13_ods")
    gone = sorted(codes13 - set(out))
    targets = polygons13[polygons13["ccg13_ods"].isin(gone)].to_crs(lsoa_geom.crs)
    points = lsoa_geom.set_index("lsoa_code").geometry.loc[todo].representative_point()
    hits = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=points.to_numpy(), index=todo, crs=lsoa_geom.crs),
                             targets[["ccg13_ods", "geometry"]], how="left")
    hits = hits[~hits.index.duplicated()]
    out.loc[todo] = hits["ccg13_ods"].reindex(todo).to_numpy()
    return out.rename("ccg13_ods")


#: Official groupings of areas, one code and name column each (empty where an LSOA has none).
GROUPING_COLUMNS = ["county_code", "county_name", "gor_code", "gor_name", "at13_code", "at13_name"]


def add_groupings(table: pd.DataFrame, raw: Path, ccg13: pd.DataFrame) -> pd.DataFrame:
    """Counties (shire, metropolitan, Inner/Outer London), government regions and the NHS England
    2013 area teams, by district (counties, regions) or by 2013 CCG (area teams).

    Names such as "West Yorkshire", "North East" or "Cheshire, Warrington and Wirral" refer to
    these groupings; each is a set of whole LSOAs like every other area.
    """
    county = rawfiles.county_lookup(raw).drop_duplicates("LAD15CD").set_index("LAD15CD")
    region = rawfiles.region_lookup(raw).drop_duplicates("LAD15CD").set_index("LAD15CD")
    teams = rawfiles.area_teams_2013(raw).merge(ccg13[["CCG13CD", "CCG13CDH"]], on="CCG13CD")
    teams = teams.drop_duplicates("CCG13CDH").set_index("CCG13CDH")
    out = table.copy()
    out["county_code"] = out["lad_code"].map(county["CTY15CD"]).fillna("")  # empty: a unitary, in no county
    out["county_name"] = out["lad_code"].map(county["CTY15NM"]).fillna("")
    out["gor_code"] = out["lad_code"].map(region["RGN15CD"])
    out["gor_name"] = out["lad_code"].map(region["RGN15NM"])
    out["at13_code"] = out["ccg13_ods"].map(teams["NHSAT13CD"])
    out["at13_name"] = out["ccg13_ods"].map(teams["NHSAT13NM"])
    return out
