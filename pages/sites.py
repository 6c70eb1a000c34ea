"""Sites: the filtered table, with its geocoding status, and downloads of exactly those rows."""

import streamlit as st

from geo.geocode.footprint import NO_AREA_LEVEL
from geo.geocode.match import status_summary
from geo.present import export, workbook
from geo.present.age import AGE_COLUMNS, CARE_HOME_NOTE, OLDER_SHARE
from geo.sources import AGE_BASIS, ATTRIBUTION, DEPRIVATION_BASIS
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
    AGE_COLUMNS["age_0_15"]: st.column_config.NumberColumn("Residents 0-15", format="localized"),
    AGE_COLUMNS["age_16_59"]: st.column_config.NumberColumn("Residents 16-59", format="localized"),
    AGE_COLUMNS["age_60_plus"]: st.column_config.NumberColumn("Residents 60+", format="localized"),
    OLDER_SHARE: st.column_config.NumberColumn("Aged 60+ (%)", format="%.1f%%"),
    **widgets.deprivation_columns(),
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
shown_rows = data.with_profiles(current.frame)
table = shown_rows[[c for c in COLUMNS if c in shown_rows]]
st.dataframe(table, column_config=COLUMNS, hide_index=True, width="stretch", key="sites_table")

no_area = int((current.frame["footprint_level"] == NO_AREA_LEVEL).sum())
st.caption("Geocoding: " + status_summary(current.frame["status"])
           + (f"; {no_area} of the matched are national or specialist networks with no area footprint (shown on "
              "the map by their hospitals, no population claimed)" if no_area else ""))

# "vanguard-sites_pacs_north-of-england_2026-01-31.csv": programme first, then the other filters, then the date
one_programme = current.filters.programmes[0] if len(current.filters.programmes) == 1 else None
kind = f"{one_programme}-sites" if one_programme else "nhs-integration-sites"
name_words = [w for w in words if w != one_programme]
csv_name = export.export_name(kind, name_words, "csv")
geojson_name = export.export_name(kind, name_words, "geojson")
xlsx_name = export.export_name(kind, name_words, "xlsx")
rows = shown_rows.reset_index(drop=True)
NOTES = [AGE_BASIS, DEPRIVATION_BASIS, CARE_HOME_NOTE]
footprints = {s: current.footprints.get(s, frozenset()) for s in rows["site_id"]}


def _geojson() -> str:
    """Built only when the user asks for it (the footprints are the heavy part)."""
    return export.to_geojson_export(rows, footprints, data.atlas(), ATTRIBUTION)


def _xlsx() -> bytes:
    """Built only when asked for: the rows, then a sheet of sources and attribution."""
    title = "NHS integration atlas: sites" + (f" ({', '.join(words)})" if words else "")
    return workbook.to_xlsx(rows, ATTRIBUTION, sheet="Sites", notes=NOTES, title=title)


st.caption(widgets.md(CARE_HOME_NOTE) + " " + widgets.md(AGE_BASIS) + " Deprivation: shares of residents in "
           "England's fifths of LSOAs by the IMD 2015, and their average rank as a percentile (see Data and methods).")
left, middle, right = st.columns(3)
left.download_button(f"Download these {len(rows)} rows as CSV", export.to_safe_csv(rows, [*ATTRIBUTION, *NOTES]),
                     file_name=csv_name, mime="text/csv", icon=":material/download:", key="download_csv",
                     on_click="ignore")
middle.download_button(f"Download these {len(rows)} rows as Excel", _xlsx, file_name=xlsx_name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="download_xlsx", on_click="ignore")
right.download_button(f"Download these {len(rows)} footprints as GeoJSON", _geojson, file_name=geojson_name,
                      mime="application/geo+json", icon=":material/download:", key="download_geojson",
                      on_click="ignore")
st.caption(f"Files: {widgets.md(csv_name)}, {widgets.md(xlsx_name)} and {widgets.md(geojson_name)}. The CSV starts "
           "with the attribution lines (each beginning with #); text that a spreadsheet could run as a formula "
           "starts with an apostrophe. The Excel workbook's second sheet lists the sources, their vintages and "
           "attribution, and keeps every text cell as text. Footprints in the GeoJSON are full-resolution "
           "dissolves of their LSOAs (WGS84).")
widgets.attribution_caption()
