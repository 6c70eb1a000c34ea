"""Map: the filtered footprints by care model, reference layers, the clicked site's details, a picture.

The map is mounted once and kept: its base (land, labels, every footprint) is the same on every run,
and a filter change only sends the state (which footprints, outlines and shading to show), so the
map keeps its zoom and position. ``ATLAS_MAP_REBUILD=1`` serves the old full-rebuild map instead,
for bench/app.py to compare against.
"""

import datetime as dt
import os

import streamlit as st
from streamlit_folium import st_folium

from geo.geography import LAYERS
from geo.present import atlas_map, export
from geo.present import folium_map as mapping
from geo.present.hospitals import POINT_STYLE, hospital_layer
from geo.present.palette import OTHER_LABEL
from geo.sources import ATTRIBUTION
from ui import data, map_layout, place_lookup, shell, widgets
from ui.sidebar import View, no_sites_notice

OUTLINE_CHOICES = {"nhs_region": "NHS region", "ccg": "CCG", "lad": "Local authority"}
CHOROPLETH_CHOICES = {"": "None", "ccg": "Population: CCG", "lad": "Population: local authority district",
                      "utla": "Population: upper-tier authority",
                      "nhs_local_office": "Population: NHS England local office",
                      mapping.DEPRIVATION_KEY: mapping.DEPRIVATION_LABEL}
MAP_HEIGHT = 700  # the frame's first height: ui.map_layout fits it to the window
REBUILD = os.environ.get("ATLAS_MAP_REBUILD", "") == "1"


@st.cache_resource(show_spinner=False)
def _picture_base():
    """What every picture draws (land, place names, the NHS regions and their outline layer), made once."""
    from geo.present import picture  # matplotlib: imported when first needed, not on the first paint

    return picture.basemap_of(data.atlas(), data.outline("nhs_region"))


@st.cache_resource(show_spinner=False)
def _deprivation_shapes() -> list:
    """The deprivation shading as the picture draws it (made once per server: about a second)."""
    from geo.present import picture

    return picture.shading_shapes(data.choropleth(mapping.DEPRIVATION_KEY)[0])


def _picture(fmt: str, current: View, shade: str) -> bytes:
    """The filtered view as a slide-sized picture: titled from the filters, fitted to them, every footprint
    numbered with its key, and the deprivation shading and its key when it is on (built only when downloaded)."""
    from geo.present import picture

    shading = _deprivation_shapes() if shade == mapping.DEPRIVATION_KEY else None
    filters = current.filters
    return picture.render(current.frame, data.site_geometries(), _picture_base(), picture.title(filters),
                          filters.describe(written_out=True), ATTRIBUTION, fmt=fmt, total=current.total,
                          today=dt.date.today(), deprivation=shading, regions=filters.regions,
                          whole=filters.is_default())


map_layout.follow_click()  # before the address is read: a click chooses its site (site=)
current = shell.start("map")
shell.require_map_data()
st.title("Map")
if current.frame.empty:
    no_sites_notice()
    widgets.attribution_caption()
    st.stop()
map_column, side = st.columns([2, 1], gap="medium")  # details beside the map; below it on a phone
with side:
    place = place_lookup.place_box()  # "What covered this place?" (place=): its outline and legend line
    site_id = map_layout.site_chooser(current.frame)
    outlines = st.multiselect(
        "Reference outlines", list(OUTLINE_CHOICES), default=["nhs_region"], format_func=OUTLINE_CHOICES.get,
        key="map_outlines", help="Borders drawn over the footprints.")
    shade = st.selectbox("Shading", list(CHOROPLETH_CHOICES), format_func=CHOROPLETH_CHOICES.get,
                         key="map_choropleth", help="Fill the areas of a layer by mid-2015 population, or "
                         "England's LSOAs by national fifth of deprivation (IMD 2015).")
shown_ids = [s for s in current.frame["site_id"] if current.footprints.get(s)]
side.metric("Footprints drawn", f"{len(shown_ids)} of {len(current.frame)}")
shade_label = LAYERS[shade].label.split(" (")[0].lower() if shade in LAYERS else CHOROPLETH_CHOICES[shade]
tiles, tiles_attr = mapping.tiles_from_env()
models = [m if isinstance(m, str) else OTHER_LABEL for m in
          current.frame.loc[current.frame["site_id"].isin(shown_ids), "care_model"]]
# hospital networks and national networks are drawn by their member trusts' hospitals too (issue 9)
hospitals = hospital_layer(data.hospital_points(tuple(current.frame["site_id"])))
map_layout.fit_map_to_window()

with map_column, map_layout.map_box():
    if REBUILD:  # the old path: build and send the whole map on every run
        geometries = data.site_geometries()
        shown = {s: geometries[s] for s in shown_ids}
        choropleth = (shade_label, *data.choropleth(shade)) if shade else None
        folium_map = mapping.build_map(
            current.frame, shown, outlines={k: data.outline(k) for k in outlines}, choropleth=choropleth,
            tiles=tiles, tiles_attr=tiles_attr, asset_base=widgets.asset_base(),
            extra_layers=[hospitals] if hospitals else [])
        clicked = st_folium(folium_map, key=map_layout.MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
                            returned_objects=map_layout.RETURNED)
    else:
        shading = None
        if shade:
            url, breaks = data.shading(shade)
            shading = (shade, url, breaks, shade_label)
        points_legend = atlas_map.legend_point("Hospitals of hospital networks (points)", POINT_STYLE["fillColor"],
                                               POINT_STYLE["color"])
        state = atlas_map.map_state(shown_ids, models, {k: data.outline_url(k) for k in outlines}, shading,
                                    fit=not current.filters.is_default(),
                                    extra_legend=(points_legend if hospitals else "") + place.legend,
                                    chosen=site_id)
        base = atlas_map.base_map(data.map_urls(), asset_base=widgets.asset_base(), tiles=tiles,
                                  tiles_attr=tiles_attr)
        clicked = st_folium(base, key=map_layout.MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
                            returned_objects=map_layout.RETURNED,
                            feature_group_to_add=[atlas_map.state_layer(state, widgets.asset_base()),
                                                  atlas_map.layer_group("Hospitals", hospitals), place.layer])
map_column.caption(map_layout.HOW_TO_MOVE)
with map_column:
    place_lookup.answer(place, clicked, current)  # the sites covering the place typed, or the point clicked

rows = current.frame[current.frame["site_id"] == site_id]
with side:
    if rows.empty:
        st.info("Click a footprint, or choose a site above, to see its details here. Hover for its name.",
                icon=":material/touch_app:")
        missing = current.frame[~current.frame["site_id"].isin(shown_ids)]
        if len(missing):
            st.caption("No area footprint (national networks are shown by their hospitals as dark points): "
                       + widgets.md("; ".join(missing["display_name"])))
    else:
        widgets.site_details(rows.iloc[0], current.footprints.get(site_id, frozenset()))
with map_column:
    st.header("This view as a picture")
    st.caption("For a slide or a board paper: titled from the filters and fitted to the footprints shown, each "
               "numbered, with a key of sites and residents, NHS regions, legend, date, scale bar and attribution "
               "(1920 x 1080 PNG, or SVG to edit).")
    words = current.filters.describe()
    for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
        st.download_button(f"Download the map as {fmt.upper()}", lambda f=fmt: _picture(f, current, shade),
                           file_name=export.export_name("nhs-integration-map", words, fmt), mime=mime,
                           icon=":material/image:", key=f"map_{fmt}", on_click="ignore")
widgets.attribution_caption()
