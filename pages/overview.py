"""Overview: what the atlas is, headline numbers for the current filters, and the way in."""

import streamlit as st

from geo.present.wording import ROUNDED_POPULATION_NOTE, people, percent
from ui import data, place_lookup, shell, widgets
from ui.sidebar import no_sites_notice

current = shell.start("overview")
st.title("NHS integration atlas")
st.markdown(
    "Where England's 50 **new care model vanguards** (2015: five care models) and 25 health and social care "
    "**integration pioneers** (2013 and 2015) were, which care model each vanguard tested, how many people lived "
    "in the areas they covered, and which places took part in more than one programme. Every footprint is drawn "
    "on the CCG and local authority geography of 2015, built from 32,844 small areas (LSOAs)."
)
if not current.filters.is_default():
    st.caption("For the current filters: " + widgets.md(", ".join(current.filters.describe(written_out=True))))
if current.frame.empty:
    no_sites_notice()
else:
    covered = data.union_people(current)
    with_footprint = sum(1 for s in current.lsoa_sets() if s)
    cols = st.columns(4)
    cols[0].metric("Sites", f"{len(current.frame)} of {current.total}")
    no_area = int((current.frame["footprint_level"] == "no area footprint").sum())
    cols[1].metric("Footprints on the map", with_footprint,
                   help="Sites with an area footprint. National and specialist networks have none: they are shown "
                        "by their hospitals and left out of the people covered."
                        + (f" Here: {no_area}." if no_area else ""))
    cols[2].metric("People covered", people(covered),
                   help="Mid-2015 residents of all footprints together; a person in two footprints counts once. "
                        + ROUNDED_POPULATION_NOTE)
    cols[3].metric("Share of England", percent(covered, data.england()))

st.header("Explore")
place_lookup.overview_entry()  # "What covered this place?": opens the Map with place= and the filters
left, right = st.columns(2)
with left:
    st.page_link("pages/map.py", label="Map: footprints by care model; click one for its details",
                 icon=":material/map:")
    st.page_link("pages/sites.py", label="Sites: the table, with CSV, Excel and GeoJSON downloads",
                 icon=":material/table:")
    st.page_link("pages/coverage.py", label="Coverage: people covered by care model and region, and overlaps",
                 icon=":material/groups:")
with right:
    st.page_link("pages/geocode.py", label="Geocode a list: bring your own CSV of sites",
                 icon=":material/upload_file:")
    st.page_link("pages/methods.py", label="Data and methods: how footprints and populations are made, sources, "
                 "limits", icon=":material/menu_book:")
st.caption("Use the filters in the sidebar on any page; the page address keeps them, so you can share a view.")
widgets.attribution_caption()
