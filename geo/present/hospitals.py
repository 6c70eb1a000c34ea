"""Hospitals as points: the NHS Choices hospital sites of the member trusts of the shown sites.

Hospital networks (acute care collaborations, foundation groups and chains) and national or
specialist networks are drawn by their hospitals, not only by an area: a national network has
no area footprint at all. This module makes the points as GeoJSON; the map adds them as a layer.
"""

from __future__ import annotations

import html

import folium
import pandas as pd

from geo.atlas import Atlas
from geo.geocode.footprint import NO_AREA_LEVEL
from geo.geocode.gazetteer import without_excluded_hospitals
from geo.present.filters import split_list

POINT_DECIMALS = 5


def hospital_sites(atlas: Atlas) -> pd.DataFrame:
    """NHS Choices hospital sites of NHS trusts, less the curated exclusions (stale or independent entries)."""
    frame = without_excluded_hospitals(atlas.hospitals)
    # NHS Choices cuts parent names at a comma ("Northumberland"); the trust register has them whole
    register = atlas.register[atlas.register["org_type"] == "trust"].set_index("code")["name"].str.title()
    return frame.assign(trust_name=frame["trust_code"].map(register).fillna(frame["trust_name"]))


def site_hospitals(hospitals: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, hospital) for the sites in ``frame`` that name member trusts and are drawn by
    their hospitals (footprint level "hospital sites..." or "no area footprint", when the frame says)."""
    if "footprint_level" in frame:
        level = frame["footprint_level"].fillna("").astype(str)
        frame = frame[level.str.contains("hospital sites") | (level == NO_AREA_LEVEL)]
    rows = []
    by_trust = {t: g for t, g in hospitals.groupby("trust_code")}
    for site in frame.itertuples(index=False):
        for trust in split_list(getattr(site, "member_trusts", "")):
            if trust in by_trust:
                rows.append(by_trust[trust].assign(site_id=site.site_id, site_name=site.display_name,
                                                   care_model=getattr(site, "care_model", "")))
    columns = ["site_id", "site_name", "care_model", *hospitals.columns]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def hospital_points_geojson(hospitals: pd.DataFrame, frame: pd.DataFrame) -> dict:
    """GeoJSON points (WGS84) of the hospitals of the shown sites; one feature per hospital, listing
    every shown site it serves. Text is HTML-escaped for popups."""
    table = site_hospitals(hospitals, frame)
    features = []
    for code, group in table.groupby("code", sort=True):
        first = group.iloc[0]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(first["lon"]), POINT_DECIMALS),
                                                          round(float(first["lat"]), POINT_DECIMALS)]},
            "properties": {"code": html.escape(str(code)), "name": html.escape(str(first["name"])),
                           "trust": html.escape(str(first["trust_name"])),
                           "sites": html.escape("; ".join(dict.fromkeys(group["site_name"]))),
                           "site_ids": ";".join(dict.fromkeys(group["site_id"])),
                           "key": str(group["site_id"].iloc[0])},
        })
    return {"type": "FeatureCollection", "features": features}


#: Points are drawn dark with a white ring, so they read on every care model's fill and with no tiles.
POINT_STYLE = {"radius": 5, "color": "#ffffff", "weight": 1.5, "fillColor": "#222222", "fillOpacity": 1.0,
               "class_name": "atlas-hospital"}
#: Leaflet's marker pane lies above the footprints' overlay pane, so a point can be clicked where a
#: footprint covers it (folium has no argument for a vector marker's pane; it is a plain option).
POINT_PANE = "markerPane"


def hospital_layer(points: dict, name: str = "Hospitals of hospital networks") -> folium.GeoJson | None:
    """The hospital points as one switchable map layer (``None`` when there are none); clicking a
    point selects its (first) site, like clicking a footprint."""
    if not points.get("features"):
        return None
    marker = folium.CircleMarker(**POINT_STYLE)
    marker.options["pane"] = POINT_PANE
    return folium.GeoJson(
        points, name=name, marker=marker,
        tooltip=folium.GeoJsonTooltip(fields=["name", "trust", "sites"], aliases=["Hospital", "Trust", "Site(s)"]),
    )
