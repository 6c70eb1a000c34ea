"""Readers for the raw open-data files, one function per source.

Each reader names the file it reads in any error, so a missing or damaged raw directory says
exactly which file to fix. Paths are relative to the raw directory (see ``SOURCES.md`` there).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

LSOA_LOOKUP = "ons_lookups/212.csv"
UTLA_LOOKUP = "ons_lookups/193.csv"
CCG_HIERARCHY = "derived/ccg15_nhs_hierarchy_mid2015_population.csv"
IOD_POPULATION = "iod2019_population/File_6_-_IoD2019_Population_Denominators.csv.gz"
LSOA_POLYGONS = "lsoa_2011_by_lad"
CCG_2013 = "ons_nhs_2013/CCG_APR_2013.csv"
CCG_2013_POLYGONS = "ons_nhs_2013/CCC_Feb2013.KML"
GP_PRACTICES = "ods_2015/epraccur.csv"
LIST_SIZES = "ods_2015/Patient_List_Size_2015_04-06.csv"
TRUSTS = "ods_etr_2015/etr.csv"
TRUST_POSTCODES = "ods_etr_2015/postcode_lookup.csv"
GP_LOCATIONS = "nhs_choices/GP.csv"
HOSPITALS = "nhs_choices/Hospital 20160921.csv"
COUNTY_LOOKUP = "ons_lookups/020.csv"
REGION_LOOKUP = "ons_lookups/009.csv"
AREA_TEAMS_2013 = "ons_nhs_2013/CCG13_NHSAT13_NHSCR13_EW_LU.csv"
IMD_2015 = "derived/iod2015_imd_lsoa11.csv"

#: Every file the build reads; their sizes and times make the cache key.
BUILD_INPUTS = (
    LSOA_LOOKUP, UTLA_LOOKUP, CCG_HIERARCHY, IOD_POPULATION, CCG_2013, CCG_2013_POLYGONS,
    GP_PRACTICES, LIST_SIZES, TRUSTS, TRUST_POSTCODES, GP_LOCATIONS,
    HOSPITALS, COUNTY_LOOKUP, REGION_LOOKUP, AREA_TEAMS_2013, IMD_2015,
)
EXPECTED_LSOAS = 32_844


class RawDataError(RuntimeError):
    """A raw file is missing or not what the build expects; the message names the file."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path


def _csv(raw: Path, rel: str, required: list[str] | None = None, **kwargs) -> pd.DataFrame:
    path = raw / rel
    if not path.is_file():
        raise RawDataError(path, "file is missing")
    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as exc:  # pandas raises many types for unreadable input
        raise RawDataError(path, f"cannot be read as CSV ({exc})") from exc
    missing = [c for c in (required or []) if c not in frame.columns]
    if missing:
        raise RawDataError(path, f"missing columns {missing}")
    return frame


def lsoa_lookup(raw: Path, expected: int | None = EXPECTED_LSOAS) -> pd.DataFrame:
    """ONS LSOA (2011) to CCG (2015) to LAD (2015): one row per English LSOA.

    ``expected`` is England's count; ``None`` accepts a subset (the fast test tier builds a few
    districts), though never a duplicated LSOA.
    """
    cols = ["LSOA11CD", "LSOA11NM", "CCG15CD", "CCG15CDH", "CCG15NM", "LAD15CD", "LAD15NM"]
    frame = _csv(raw, LSOA_LOOKUP, cols, dtype=str)
    if (expected is not None and len(frame) != expected) or frame["LSOA11CD"].duplicated().any():
        raise RawDataError(raw / LSOA_LOOKUP, f"expected {expected} distinct LSOAs, found {len(frame)}")
    return frame[cols]


def utla_lookup(raw: Path) -> pd.DataFrame:
    """District to upper-tier authority (ONS Dec 2018 v2; English districts unchanged since 2015)."""
    frame = _csv(raw, UTLA_LOOKUP, ["LTLA18CD", "UTLA18CD", "UTLA18NM"], dtype=str)
    return frame[frame["LTLA18CD"].str.startswith("E")][["LTLA18CD", "UTLA18CD", "UTLA18NM"]]


def ccg_hierarchy(raw: Path) -> pd.DataFrame:
    """The 209 CCGs (2015) with NHS local office, NHS region and the ONS mid-2015 population."""
    cols = ["CCG15CD", "CCG15CDH", "CCG15NM", "NHSRG15CD", "NHSRG15CDH", "NHSRG15NM",
            "NHSCR15CD", "NHSCR15CDH", "NHSCR15NM", "POP_MID2015_PERSONS"]
    frame = _csv(raw, CCG_HIERARCHY, cols, dtype={"POP_MID2015_PERSONS": "int64"})
    return frame[cols]


#: IoD2019 File 6 age columns (mid-2015, prisoners excluded) and the LSOA table's names for them.
IOD_AGE_COLUMNS = {
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "age_0_15_iod",
    "Population aged 16-59: mid 2015 (excluding prisoners)": "age_16_59_iod",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)": "age_60_plus_iod",
}


def iod_population(raw: Path) -> pd.DataFrame:
    """IoD2019 File 6: mid-2015 population per LSOA and its three age bands, prisoners excluded."""
    pop_col = "Total population: mid 2015 (excluding prisoners)"
    cols = ["LSOA code (2011)", pop_col, *IOD_AGE_COLUMNS]
    frame = _csv(raw, IOD_POPULATION, cols, encoding="utf-8-sig", thousands=",", usecols=cols)
    frame = frame[cols]
    frame.columns = ["LSOA11CD", "population_iod", *IOD_AGE_COLUMNS.values()]
    for col in frame.columns[1:]:
        frame[col] = frame[col].astype("int64")
    return frame


def gp_practices(raw: Path) -> pd.DataFrame:
    """ODS epraccur (July 2015): every GP practice and prescribing setting, 27 unnamed columns, as text."""
    frame = _csv(raw, GP_PRACTICES, header=None, dtype=str, keep_default_na=False)
    if frame.shape[1] < 26:
        raise RawDataError(raw / GP_PRACTICES, "expected the 27-column ODS layout")
    return frame


def list_sizes(raw: Path) -> pd.Series:
    """NHSBSA registered patients per practice code (April-June 2015), all ages and both sexes."""
    sizes = _csv(raw, LIST_SIZES, ["Practice Code"])
    counts = sizes.drop(columns=[c for c in sizes.columns if not c.startswith(("Male", "Female"))])
    return pd.Series(counts.sum(axis=1).to_numpy(), index=sizes["Practice Code"]).groupby(level=0).sum()


def gp_locations(raw: Path) -> pd.DataFrame:
    """NHS Choices GP list (2019): code, postcode and WGS84 coordinates of practices that have them."""
    locs = _csv(raw, GP_LOCATIONS, ["OrganisationCode", "Postcode", "Latitude", "Longitude"],
                sep="\u00ac", encoding="latin-1", dtype=str, engine="python")
    return locs.dropna(subset=["Latitude", "Longitude"])


def trusts(raw: Path) -> pd.DataFrame:
    """ODS etr (late 2015): NHS trusts, 24 unnamed columns, as text."""
    return _csv(raw, TRUSTS, header=None, dtype=str, keep_default_na=False)


def trust_postcodes(raw: Path) -> pd.DataFrame:
    """Grid references (EPSG:27700) of trust headquarters' postcodes, from NSPL."""
    return _csv(raw, TRUST_POSTCODES, header=None, dtype=str,
                names=["postcode", "easting", "northing"]).drop_duplicates("postcode")


def ccg_2013(raw: Path) -> pd.DataFrame:
    """The 211 CCGs of April 2013 (ONS codes, ODS codes and names), for 2013-era site names."""
    return _csv(raw, CCG_2013, ["CCG13CD", "CCG13CDH", "CCG13NM"], dtype=str, encoding="cp1252")


def ccg_2013_polygons(raw: Path) -> gpd.GeoDataFrame:
    """NHS England's February 2013 CCG boundaries (KML; ``Name`` is the ODS code)."""
    path = raw / CCG_2013_POLYGONS
    if not path.is_file():
        raise RawDataError(path, "file is missing")
    try:
        frame = pyogrio.read_dataframe(path, columns=["Name"])
    except Exception as exc:
        raise RawDataError(path, f"cannot be read as KML ({exc})") from exc
    return frame.rename(columns={"Name": "ccg13_ods"}).set_crs("EPSG:4326", allow_override=True)


def lsoa_polygons(raw: Path, expected: int | None = EXPECTED_LSOAS) -> gpd.GeoDataFrame:
    """All LSOA (2011) polygons, as stored (WGS84, some invalid), from one GeoJSON per district."""
    folder = raw / LSOA_POLYGONS
    files = sorted(folder.glob("E*.json")) if folder.is_dir() else []
    if not files:
        raise RawDataError(folder, "folder is missing or holds no E*.json files")
    frames = []
    for path in files:
        try:
            frames.append(pyogrio.read_dataframe(path, columns=["LSOA11CD"]))
        except Exception as exc:
            raise RawDataError(path, f"cannot be read as GeoJSON ({exc})") from exc
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    if expected is not None and len(frame) != expected:
        raise RawDataError(folder, f"expected {expected} LSOA polygons, found {len(frame)}")
    return frame


def hospitals(raw: Path) -> pd.DataFrame:
    """NHS Choices hospitals (September 2016): site code, name, parent trust (``ParentODSCode``), WGS84 point."""
    cols = ["OrganisationCode", "OrganisationName", "SubType", "Sector", "City", "Postcode", "Latitude",
            "Longitude", "ParentODSCode", "ParentName"]
    return _csv(raw, HOSPITALS, cols, dtype=str, encoding="latin-1", keep_default_na=False)[cols]


def county_lookup(raw: Path) -> pd.DataFrame:
    """District to county (ONS 2015): shire counties (E10), metropolitan counties (E11), Inner/Outer London (E13)."""
    return _csv(raw, COUNTY_LOOKUP, ["LAD15CD", "CTY15CD", "CTY15NM"], dtype=str)[["LAD15CD", "CTY15CD", "CTY15NM"]]


def region_lookup(raw: Path) -> pd.DataFrame:
    """District to government region (ONS 2015), e.g. North East, Yorkshire and The Humber."""
    return _csv(raw, REGION_LOOKUP, ["LAD15CD", "RGN15CD", "RGN15NM"], dtype=str)[["LAD15CD", "RGN15CD", "RGN15NM"]]


def area_teams_2013(raw: Path) -> pd.DataFrame:
    """2013 CCG (ONS code) to NHS England 2013 area team and commissioning region."""
    cols = ["CCG13CD", "NHSAT13CD", "NHSAT13NM", "NHSCR13CD", "NHSCR13NM"]
    return _csv(raw, AREA_TEAMS_2013, cols, dtype=str, encoding="cp1252")[cols]


def imd_2015(raw: Path) -> pd.DataFrame:
    """English Indices of Deprivation 2015, IMD per LSOA: score, national rank (1 = most deprived) and decile."""
    cols = ["lsoa11_code", "IMD_score", "IMD_rank", "IMD_decile"]
    frame = _csv(raw, IMD_2015, cols, usecols=cols, dtype={"lsoa11_code": str})
    if frame[cols].isna().any().any() or frame["lsoa11_code"].duplicated().any():
        raise RawDataError(raw / IMD_2015, "expected one complete row per LSOA")
    if not (frame["IMD_decile"].between(1, 10).all() and frame["IMD_rank"].between(1, EXPECTED_LSOAS).all()):
        raise RawDataError(raw / IMD_2015, f"deciles must be 1 to 10 and ranks 1 to {EXPECTED_LSOAS:,}")
    frame = frame.rename(columns={"lsoa11_code": "LSOA11CD", "IMD_score": "imd_score", "IMD_rank": "imd_rank",
                                  "IMD_decile": "imd_decile"})
    return frame.astype({"imd_rank": "int64", "imd_decile": "int64"})
