"""Data and methods, for users: what the sites are, how footprints and populations are made, the
sources to cite, and the limits. The developers' reconciliation notes stay in the repository, linked."""

import streamlit as st

from geo.config import PROJECT_ROOT
from geo.present.age import CARE_HOME_NOTE
from geo.present.wording import CARE_MODEL_NAMES, ROUNDED_POPULATION_NOTE
from geo.sources import AGE_BASIS, DEPRIVATION_BASIS, POPULATION_BASIS, SOURCES, announcements
from ui import data, shell, tables, widgets

RECONCILIATION = PROJECT_ROOT / "data" / "sites" / "RECONCILIATION.md"
SECTIONS = ("The sites", "How footprints are drawn", "Populations", "Deprivation", "Sources to cite", "Limits",
            "Region checks")

shell.start("methods")
st.title("Data and methods")
st.markdown("**Contents:** " + " · ".join(f"[{s}](#{s.lower().replace(' ', '-')})" for s in SECTIONS))

st.header("The sites")
st.markdown(
    "All 50 **vanguards** of NHS England's new care models programme (announced in March, July and September "
    "2015) and all 25 health and social care **integration pioneers** (November 2013 and January 2015). Programme "
    "and care model are two separate things: each vanguard tested one care model; the pioneers had none.\n\n"
    + "\n".join(f"- {widgets.md(name)}" for name in CARE_MODEL_NAMES.values())
    + "\n\nEach site's source (publisher, title, date and address of the announcement) is in its details on the "
    "Map, in the Sites table and in every download."
)

st.header("How footprints are drawn")
st.markdown(
    "Every area is a set of England's 32,844 **Lower Layer Super Output Areas** (LSOAs, 2011), each with its 2015 "
    "district, upper-tier authority, CCG, NHS England local office and region. A site's **footprint** is the set "
    "of LSOAs of the areas its announcement names: CCGs, councils, official groupings, or for a trust or a "
    "network of trusts, the CCG-within-district cells where its hospitals stand. Where a name has two readings "
    "the geocoder says *ambiguous* rather than guess. The map draws footprints simplified (about 250 m); the "
    "GeoJSON download carries the full outline."
)

st.header("Populations")
st.markdown(widgets.md(POPULATION_BASIS) + "\n\n" + widgets.md(AGE_BASIS) + "\n\n"
            + "A group of footprints counts each person once. " + ROUNDED_POPULATION_NOTE
            + " The downloads give the exact sums.\n\n**Care home vanguards.** " + widgets.md(CARE_HOME_NOTE))

st.header("Deprivation")
st.markdown(widgets.md(DEPRIVATION_BASIS) + " A group of footprints (a care model on the Coverage page) counts "
            "each LSOA once. The map's deprivation shading draws England's LSOAs by fifth, simplified (about "
            "200 m) for the screen.\n\n_"
            + widgets.md(next(s.attribution for s in SOURCES if "Deprivation 2015" in s.name)) + "_")

st.header("Sources to cite")
st.markdown("The sites come from these announcements:\n\n" + "\n".join(
    f"- {widgets.md(a.publisher)}, \u201c{widgets.md(a.title)}\u201d, {widgets.md(a.date)}. "
    f"[{widgets.md(a.url)}]({a.url})" for a in announcements().itertuples()))
st.markdown("The geography and populations come from open data under the Open Government Licence v3.0 (one set "
            "under CC BY 4.0); the project's own files are MIT-licensed.\n\n" + "\n".join(
                f"- **{widgets.md(s.name)}** ({widgets.md(s.vintage)}), for {widgets.md(s.used_for)}. "
                f"_{widgets.md(s.attribution)}_" for s in SOURCES))

st.header("Limits")
st.markdown(
    "- **Footprints are approximations.** Announcements named places, CCGs, trusts, practices and brands, not "
    "boundaries. Each site's geocoding method, score and note are on the Sites page.\n"
    "- **Networks with no area.** Five acute care collaborations are national or specialist networks: shown by "
    "their hospitals, with no population claimed and left out of every total.\n"
    "- **Published and computed populations count different things** (patients, a catchment, care home "
    "residents, or residents of the footprint); differences above 20% are flagged.\n"
    "- **2015 geography.** CCGs of April 2015; names from 2013 documents are mapped to their 2015 areas.\n"
    "- **The map** needs no internet; basemap tiles are off unless the server sets `ATLAS_TILES`."
)
st.markdown("How each announcement's names became the site lists, and the footprint decisions taken from "
            "sources, are recorded with the data: `data/sites/RECONCILIATION.md` in the atlas's source code.")
st.download_button("Download the reconciliation notes (Markdown)", RECONCILIATION.read_bytes(),
                   file_name="RECONCILIATION.md", mime="text/markdown", icon=":material/description:",
                   on_click="ignore")

st.header("Region checks")
st.caption("Sites whose announced (or inferred) NHS region differs from their footprint's.")
frame, _footprints = data.sites()
checks = frame[frame["region_check"].fillna("").astype(str).str.strip() != ""]
if checks.empty:
    st.info("Every site's announced (or inferred) NHS region agrees with its footprint's.")
else:
    tables.table(checks, ["display_name", "programme", "region_inferred", "nhs_regions", "region_check"])
widgets.attribution_caption()
