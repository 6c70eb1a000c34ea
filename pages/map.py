"""Map: the filtered footprints by care model, reference layers, and the details of a clicked site."""

import streamlit as st
from streamlit_folium import st_folium

from geo.geography import LAYERS
from geo.present import folium_map as mapping
from geo.present.hospitals import hospital_layer, hospital_points_geojson
from ui import data, shell, widgets

OUTLINE_CHOICES = {"nhs_region": "NHS region", "ccg": "CCG", "lad": "Local authority"}
CHOROPLETH_CHOICES = {"": "None", "ccg": "CCG", "lad": "Local authority district", "utla": "Upper-tier authority",
                      "nhs_local_office": "NHS England local office"}

current = shell.start()
st.title("Map")
controls = st.columns([2, 1, 1])
outlines = controls[0].multiselect(
    "Reference outlines in the map", list(OUTLINE_CHOICES), default=["nhs_region", "ccg"],
    format_func=OUTLINE_CHOICES.get, key="map_outlines",
    help="Switch each on and off in the map's layer control (top right); CCG outlines start switched off.")
shade = controls[1].selectbox("Population shading", list(CHOROPLETH_CHOICES), format_func=CHOROPLETH_CHOICES.get,
                              key="map_choropleth", help="Fill the areas of a layer by mid-2015 population.")
geometries = data.site_geometries()
shown = {s: geometries[s] for s in current.frame["site_id"] if s in geometries}
controls[2].metric("Footprints drawn", f"{len(shown)} of {len(current.frame)}")

choropleth = None
if shade:
    shading, breaks = data.choropleth(shade)
    choropleth = (LAYERS[shade].label.split(" (")[0].lower(), shading, breaks)
tiles, tiles_attr = mapping.tiles_from_env()
# hospital networks and national networks: their member trusts' hospitals as points (issue 9)
hospitals = hospital_layer(hospital_points_geojson(data.hospitals(), current.frame))
folium_map = mapping.build_map(
    current.frame, shown, outlines={k: data.outline(k) for k in outlines}, choropleth=choropleth,
    tiles=tiles, tiles_attr=tiles_attr, asset_base=widgets.asset_base(), extra_layers=[hospitals] if hospitals else [])
if hospitals and not shown:  # only national networks: fit the view to their hospitals
    points = [f["geometry"]["coordinates"] for f in hospitals.data["features"]]
    folium_map.fit_bounds([[min(p[1] for p in points), min(p[0] for p in points)],
                           [max(p[1] for p in points), max(p[0] for p in points)]], max_zoom=12)

left, right = st.columns([3, 1])
with left:
    clicked = st_folium(folium_map, key="atlas_map", height=640, use_container_width=True,
                        returned_objects=["last_active_drawing"])
with right:
    feature = (clicked or {}).get("last_active_drawing") or {}
    site_id = (feature.get("properties") or {}).get("key")
    rows = current.frame[current.frame["site_id"] == site_id]
    if rows.empty:
        st.subheader("Site details")
        st.info("Click a footprint to see the site's details here.", icon=":material/touch_app:")
        missing = current.frame[~current.frame["site_id"].isin(list(shown))]
        if len(missing):
            st.caption("No area footprint (national networks are shown by their hospitals as dark points): "
                       + widgets.md("; ".join(missing["display_name"])))
    else:
        widgets.site_details(rows.iloc[0], current.footprints.get(site_id, frozenset()))
widgets.attribution_caption()
