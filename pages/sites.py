"""Sites: the filtered table, with its geocoding status, and downloads of exactly those rows."""

import streamlit as st

from geo.present import export
from geo.sources import ATTRIBUTION
from ui import data, shell, widgets

COLUMNS = {
    "display_name": st.column_config.TextColumn("Site", width="medium"),
    "programme": "Programme",
    "care_model": "Care model",
    "nhs_regions": "NHS region (footprint)",
    "population": st.column_config.NumberColumn("Population covered", format="localized",
                                                help="Mid-2015 residents of the footprint (empty for a national "
                                                     "network, which has no area footprint)"),
    "published_population": st.column_config.NumberColumn(
        "Published population", format="localized",
        help="The figure the announcement or partners gave; it may count patients, a catchment or care-home "
             "residents rather than residents of the footprint (see its source in the downloads)"),
    "population_check": st.column_config.TextColumn("Population check",
                                                    help="Flagged when the two figures differ by more than 20%"),
    "status": st.column_config.TextColumn("Geocoding status", help="matched, ambiguous or unmatched"),
    "method": "Method",
    "score": st.column_config.NumberColumn("Score", format="%.0f"),
    "footprint_level": "Footprint",
    "lead_organisation": "Lead organisation",
    "ccg_names": "CCGs (2015)",
    "lad_names": "Local authorities",
    "wave_label": "Wave",
    "announced": "Announced",
    "overlaps_with": "Overlaps with",
    "site_id": "Site id",
}

current = shell.start()
st.title("Sites")
words = current.filters.describe()
st.caption(f"{len(current.frame)} of {current.total} sites" + (": " + widgets.md(", ".join(words)) if words else "."))
table = current.frame[[c for c in COLUMNS if c in current.frame]]
st.dataframe(table, column_config=COLUMNS, hide_index=True, width="stretch", key="sites_table")

counts = current.frame["status"].value_counts()
no_area = int((current.frame["footprint_level"] == "no area footprint").sum())
st.caption("Geocoding: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("matched", "ambiguous", "unmatched"))
           + (f"; {no_area} of the matched are national or specialist networks with no area footprint (shown on "
              "the map by their hospitals, no population claimed)" if no_area else ""))

# "vanguard-sites_pacs_north-of-england_2026-01-31.csv": programme first, then the other filters, then the date
one_programme = current.filters.programmes[0] if len(current.filters.programmes) == 1 else None
kind = f"{one_programme}-sites" if one_programme else "nhs-integration-sites"
name_words = [w for w in words if w != one_programme]
csv_name = export.export_name(kind, name_words, "csv")
geojson_name = export.export_name(kind, name_words, "geojson")
rows = current.frame.reset_index(drop=True)
footprints = {s: current.footprints.get(s, frozenset()) for s in rows["site_id"]}


def _geojson() -> str:
    """Built only when the user asks for it (the footprints are the heavy part)."""
    return export.to_geojson_export(rows, footprints, data.atlas(), ATTRIBUTION)


left, right = st.columns(2)
left.download_button(f"Download these {len(rows)} rows as CSV", export.to_safe_csv(rows, ATTRIBUTION),
                     file_name=csv_name, mime="text/csv", icon=":material/download:", key="download_csv",
                     on_click="ignore")
right.download_button(f"Download these {len(rows)} footprints as GeoJSON", _geojson, file_name=geojson_name,
                      mime="application/geo+json", icon=":material/download:", key="download_geojson",
                      on_click="ignore")
st.caption(f"Files: {widgets.md(csv_name)} and {widgets.md(geojson_name)}. The CSV starts with the attribution "
           "lines (each beginning with #); text that a spreadsheet could run as a formula starts with an "
           "apostrophe. Footprints in the GeoJSON are full-resolution dissolves of their LSOAs (WGS84).")
widgets.attribution_caption()
