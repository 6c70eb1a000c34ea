"""The organisation register: 2015 GP practices and NHS trusts, placed in LSOAs where possible.

Names like "Whitstable Medical Practice" or "Salford Royal Foundation Trust" are organisations,
not areas; the geocoder finds them here and takes their CCG (practices) or the LSOA their
location falls in (practice coordinates from NHS Choices, trust postcodes from NSPL).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.build import raw as rawfiles
from geo.geography import BNG

COLUMNS = ["org_type", "code", "name", "postcode", "ccg_ods", "list_size", "x", "y",
           "location_source", "lsoa_code", "places"]


def _places(frame: pd.DataFrame, columns: list[int]) -> pd.Series:
    """Town and locality names from address lines (street lines with digits are skipped)."""
    def join(row) -> str:
        names = [v.strip().title() for v in row if v and v.strip() and not any(ch.isdigit() for ch in v)]
        return ";".join(dict.fromkeys(names))
    return frame[columns].apply(join, axis=1)


def _gp_practices(raw: Path) -> pd.DataFrame:
    """Active GP practices (status A, prescribing setting 4) from ODS epraccur, July 2015."""
    frame = rawfiles.gp_practices(raw)
    active = frame[(frame[12] == "A") & (frame[25] == "4")]
    out = pd.DataFrame({"org_type": "practice", "code": active[0], "name": active[1],
                        "postcode": active[9], "ccg_ods": active[14], "places": _places(active, [5, 6, 7])})
    out["list_size"] = out["code"].map(rawfiles.list_sizes(raw))
    locs = rawfiles.gp_locations(raw)
    points = gpd.GeoSeries(gpd.points_from_xy(locs["Longitude"].astype(float), locs["Latitude"].astype(float)),
                           crs="EPSG:4326").to_crs(BNG)
    locs = locs.assign(x=points.x.to_numpy(), y=points.y.to_numpy())
    by_code = locs.drop_duplicates("OrganisationCode").set_index("OrganisationCode")
    by_postcode = locs.drop_duplicates("Postcode").set_index("Postcode")
    out["x"], out["y"], out["location_source"] = np.nan, np.nan, None
    for key, index, label in ((out["code"], by_code, "NHS Choices 2019 (practice code)"),
                              (out["postcode"], by_postcode, "NHS Choices 2019 (same postcode)")):
        hit = out["x"].isna() & key.isin(index.index)
        out.loc[hit, "x"] = key[hit].map(index["x"])
        out.loc[hit, "y"] = key[hit].map(index["y"])
        out.loc[hit, "location_source"] = label
    return out


def _trusts(raw: Path) -> pd.DataFrame:
    """English NHS trusts open in 2015 (ODS etr), located by their postcode's grid reference."""
    frame = rawfiles.trusts(raw)
    english = frame[frame[2].str.match(r"^Y5[4-7]$")]  # drops Welsh trusts and the two later hand-added rows
    grid = rawfiles.trust_postcodes(raw).set_index("postcode")
    out = pd.DataFrame({"org_type": "trust", "code": english[0], "name": english[1], "postcode": english[9],
                        "ccg_ods": None, "list_size": np.nan, "places": _places(english, [5, 6, 7])})
    out["x"] = out["postcode"].map(grid["easting"]).astype(float)
    out["y"] = out["postcode"].map(grid["northing"]).astype(float)
    out["location_source"] = np.where(out["x"].notna(), "ONS NSPL (trust postcode)", None)
    return out


def build_register(raw: Path, lsoa_geom: gpd.GeoDataFrame) -> pd.DataFrame:
    """GP practices and trusts with their LSOA found by point-in-polygon (None where unlocated)."""
    register = pd.concat([_gp_practices(raw), _trusts(raw)], ignore_index=True)
    located = register["x"].notna()
    points = gpd.GeoDataFrame(index=register.index[located],
                              geometry=gpd.points_from_xy(register.loc[located, "x"], register.loc[located, "y"]),
                              crs=BNG)
    hits = gpd.sjoin(points, lsoa_geom[["lsoa_code", "geometry"]], how="left", predicate="within")
    hits = hits[~hits.index.duplicated()]
    register["lsoa_code"] = hits["lsoa_code"].reindex(register.index)
    register["list_size"] = register["list_size"].astype("float64")
    return register[COLUMNS].reset_index(drop=True)


HOSPITAL_COLUMNS = ["code", "name", "trust_code", "trust_name", "subtype", "sector", "city", "postcode",
                    "lat", "lon", "x", "y", "lsoa_code"]


def build_hospitals(raw: Path, lsoa_geom: gpd.GeoDataFrame) -> pd.DataFrame:
    """NHS Choices hospital sites whose parent is an NHS trust, with the LSOA each stands in.

    Only subtype "Hospital" (and "Mental Health Hospital") sites with coordinates are kept. The
    file's ``Sector`` is not used to drop sites: it marks some trusts' own hospitals (Barnet and
    Chase Farm under the Royal Free, Northumbria's emergency care hospital) "Independent Sector".
    """
    frame = rawfiles.hospitals(raw)
    keep = (frame["SubType"].isin(["Hospital", "Mental Health Hospital"]) & frame["ParentODSCode"].str.match(r"^[RT]")
            & (frame["Latitude"] != "") & (frame["Longitude"] != ""))
    frame = frame[keep]
    out = pd.DataFrame({"code": frame["OrganisationCode"], "name": frame["OrganisationName"],
                        "trust_code": frame["ParentODSCode"], "trust_name": frame["ParentName"],
                        "subtype": frame["SubType"], "sector": frame["Sector"], "city": frame["City"],
                        "postcode": frame["Postcode"], "lat": frame["Latitude"].astype(float),
                        "lon": frame["Longitude"].astype(float)}).reset_index(drop=True)
    points = gpd.GeoSeries(gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326").to_crs(BNG)
    out["x"], out["y"] = points.x.to_numpy(), points.y.to_numpy()
    hits = gpd.sjoin(gpd.GeoDataFrame(geometry=points.to_numpy(), crs=BNG), lsoa_geom[["lsoa_code", "geometry"]],
                     how="left", predicate="within")
    hits = hits[~hits.index.duplicated()]
    out["lsoa_code"] = hits["lsoa_code"].reindex(out.index)
    return out[HOSPITAL_COLUMNS]
