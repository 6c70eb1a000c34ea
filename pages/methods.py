"""Data and methods: sources with vintage and attribution, the data model, limitations, region checks."""

import streamlit as st

from geo.config import PROJECT_ROOT
from geo.present.age import CARE_HOME_NOTE
from geo.sources import AGE_BASIS, DEPRIVATION_BASIS, POPULATION_BASIS, SOURCES
from ui import data, shell, widgets

RECONCILIATION = PROJECT_ROOT / "data" / "sites" / "RECONCILIATION.md"

shell.start()
st.title("Data and methods")

st.header("The data model")
st.markdown(
    "Every area is a set of England's 32,844 **Lower Layer Super Output Areas** (LSOAs, 2011). Each LSOA carries "
    "its 2015 local authority district, upper-tier authority, CCG, NHS England local office and region, and a "
    "mid-2015 population. Every boundary layer (209 CCGs, 326 districts, 152 upper-tier authorities, 13 local "
    "offices, 4 regions) is a dissolve of whole LSOAs, so the layers agree exactly.\n\n"
    "A site's **footprint** is the set of LSOAs of the areas the geocoder resolved its name to. The population "
    "covered by a site is the sum over its LSOAs; the population of a group of sites is the sum over the "
    "**union** of their LSOAs, so a person living where two sites overlap counts once. The map draws each "
    "footprint simplified (about 250 m) for speed; the GeoJSON export carries the full-resolution outline."
)
st.subheader("Population basis")
st.markdown(widgets.md(POPULATION_BASIS))
st.subheader("Age bands")
st.markdown(widgets.md(AGE_BASIS) + " A footprint's age profile is the sum of its LSOAs' bands; a group of "
            "footprints counts each LSOA once. The bands describe residents, also for the few sites whose "
            "population is a practice list.")
st.markdown("**Care home vanguards.** " + widgets.md(CARE_HOME_NOTE))
st.subheader("Deprivation")
st.markdown(widgets.md(DEPRIVATION_BASIS) + " A group of footprints (a care model on the Coverage page) counts "
            "each LSOA once. The map's deprivation shading draws England's LSOAs by fifth, simplified (about "
            "200 m) for the screen.")
st.markdown("_" + widgets.md(next(s.attribution for s in SOURCES if "Deprivation 2015" in s.name)) + "_")
st.subheader("Place labels on the map")
st.markdown("With no basemap, the map names places from the atlas's own data: each 2015 district at its "
            "population-weighted centre (the mean of its LSOAs' centroids weighted by residents), and London "
            "once for the whole region. Larger, denser places are labelled first; more names appear as you "
            "zoom in. England's land is drawn from the NHS region boundaries on a sea-coloured background "
            "(Wales and Scotland are outside the atlas and drawn as background).")

st.header("Sources")
st.caption("Government data is under the Open Government Licence v3.0; the project's own files are MIT-licensed.")
st.markdown("\n".join(
    f"- **{widgets.md(s.name)}** ({widgets.md(s.vintage)}), for {widgets.md(s.used_for)}.  \n"
    f"  _{widgets.md(s.attribution)}_" for s in SOURCES))

st.markdown(RECONCILIATION.read_text(encoding="utf-8"))  # the project's own text, shown whole

st.header("Known limitations")
st.markdown(
    "- **Footprints are approximations.** Announcements named places, CCGs, trusts, GP practices and brands, "
    "not boundaries. A trust is placed by the CCG within the district of each of its hospitals (NHS Choices, "
    "2016), or of its headquarters where none is listed; a hospital network by its member trusts' hospitals; "
    "GP practices by their CCG within their district, with their registered list as the population. The "
    "geocoder's method, score and note for each site are on the Sites page.\n"
    "- **Networks with no area.** Five acute care collaborations are national or specialist networks "
    "(Moorfields, the National Orthopaedic Alliance, the cancer vanguard, EMRAD, the Neuro Network). They are "
    "shown by their hospitals, claim no population and are left out of every total.\n"
    "- **Published and computed populations count different things.** A published figure may count patients, "
    "a catchment or care-home residents; the atlas counts residents of the footprint. Differences above 20% "
    "are flagged.\n"
    "- **2015 geography.** CCGs are those of April 2015; names from 2013 documents are mapped to their 2015 "
    "areas (three CCGs merged into Newcastle Gateshead in April 2015).\n"
    "- **Residents, not patients.** Population is mid-2015 residents of the footprint (see the basis above), "
    "except where a footprint is a set of practices.\n"
    "- **The whole programme.** All 50 vanguards (March, July and September 2015) and 25 integration pioneers "
    "(November 2013, January 2015); footprints of the later sites are derived by rule and checked against the "
    "evidence recorded with each site.\n"
    "- **Small-area figures.** ONS asks that small-area estimates be rounded to the nearest 100 when quoted.\n"
    "- **Map detail.** The map's outlines are simplified and tiles are off unless the server sets "
    "`ATLAS_TILES`; the map needs no internet."
)

st.header("Sites whose announced region differs from their footprint's")
frame, _footprints = data.sites()
checks = frame[frame["region_check"].fillna("").astype(str).str.strip() != ""]
if checks.empty:
    st.info("Every site's announced (or inferred) NHS region agrees with its footprint's.")
else:
    st.dataframe(checks[["display_name", "programme", "region_announced", "region_inferred", "nhs_regions",
                         "region_check"]], hide_index=True, width="stretch",
                 column_config={"display_name": "Site", "programme": "Programme",
                                "region_announced": "Region printed", "region_inferred": "Region inferred",
                                "nhs_regions": "Region of the footprint", "region_check": "Check"})
widgets.attribution_caption()
