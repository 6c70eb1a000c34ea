"""Sites: the filtered table, with its geocoding status, and downloads of exactly those rows."""

import streamlit as st

from geo.geocode.footprint import NO_AREA_LEVEL
from geo.geocode.match import status_summary
from geo.present import export, workbook
from geo.present.age import CARE_HOME_NOTE
from geo.present.columns import data_dictionary, reader_frame
from geo.present.deprivation import DEPRIVATION_COLUMNS
from geo.present.wording import EXACT_POPULATION_NOTE, ROUNDED_POPULATION_NOTE
from geo.sources import AGE_BASIS, ATTRIBUTION, DEPRIVATION_BASIS
from ui import data, shell, tables, widgets
from ui.sidebar import no_sites_notice

#: The table's columns, in order (machine names; the reader's names come from geo.present.columns).
TABLE = ["display_name", "programme", "care_model", "nhs_regions", "population", "published_population",
         "population_check", "residents_0_15", "residents_16_59", "residents_60_plus", "residents_60_plus_pct",
         *DEPRIVATION_COLUMNS,
         "status", "method", "score", "footprint_level", "lead_organisation", "ccg_names", "ccg_codes", "lad_names",
         "lad_codes", "wave_label", "announced", "source_publisher", "source_title", "source_date", "source_url",
         "overlaps_with", "site_id"]

current = shell.start("sites")
st.title("Sites")
words = current.filters.describe(written_out=True)
st.caption(f"{len(current.frame)} of {current.total} sites" + (": " + widgets.md(", ".join(words)) if words else "")
           + ". " + ROUNDED_POPULATION_NOTE)
if current.frame.empty:
    no_sites_notice()
    widgets.attribution_caption()
    st.stop()

shown_rows = data.with_profiles(current.frame)
tables.table(shown_rows, TABLE, key="sites_table")
no_area = int((current.frame["footprint_level"] == NO_AREA_LEVEL).sum())
st.caption("Geocoding: " + status_summary(current.frame["status"])
           + (f"; {no_area} of the matched are national or specialist networks with no area footprint (shown on "
              "the map by their hospitals, no population claimed)" if no_area else ""))

st.header("Download these sites")
full = st.toggle("Full detail: add the geocoder's working columns (name geocoded, candidates, expected footprint, "
                 "footprint evidence...)", key="sites_full_detail")
# "vanguard-sites_pacs_north-of-england_2026-01-31.csv": programme first, then the other filters, then the date
one_programme = current.filters.programmes[0] if len(current.filters.programmes) == 1 else None
kind = (f"{one_programme}-sites" if one_programme else "nhs-integration-sites") + ("-full" if full else "")
name_words = [w for w in current.filters.describe() if w != one_programme]
csv_name, xlsx_name, geojson_name = (export.export_name(kind, name_words, ext) for ext in ("csv", "xlsx", "geojson"))
rows = shown_rows.reset_index(drop=True)
readers = reader_frame(rows, full=full)
NOTES = [EXACT_POPULATION_NOTE, AGE_BASIS, DEPRIVATION_BASIS, CARE_HOME_NOTE]


def _geojson() -> str:
    """Built only when the user asks for it (the footprints are the heavy part)."""
    footprints = [current.footprints.get(s, frozenset()) for s in rows["site_id"]]
    about = {"name": "NHS integration atlas: sites", "notes": NOTES,
             "columns": data_dictionary(readers.columns).to_dict(orient="records")}
    return export.to_geojson_export(readers, footprints, data.atlas(), ATTRIBUTION, about=about)


def _xlsx() -> bytes:
    """Built only when asked for: the rows, a data dictionary, then a sheet of sources and attribution."""
    title = "NHS integration atlas: sites" + (f" ({', '.join(words)})" if words else "")
    return workbook.to_xlsx(readers, ATTRIBUTION, sheet="Sites", notes=NOTES, title=title)


left, middle, right = st.columns(3)
left.download_button(f"Download these {len(rows)} rows as CSV", export.to_safe_csv(readers), file_name=csv_name,
                     mime="text/csv", icon=":material/download:", key="download_csv", on_click="ignore")
middle.download_button(f"Download these {len(rows)} rows as Excel", _xlsx, file_name=xlsx_name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="download_xlsx", on_click="ignore")
right.download_button(f"Download these {len(rows)} footprints as GeoJSON", _geojson, file_name=geojson_name,
                      mime="application/geo+json", icon=":material/download:", key="download_geojson",
                      on_click="ignore")
st.caption(f"Files: {widgets.md(csv_name)}, {widgets.md(xlsx_name)} and {widgets.md(geojson_name)}. "
           "The CSV's first line is its header; text that a spreadsheet could run as a formula starts with an "
           "apostrophe. The Excel workbook has the rows (numbers as numbers, dates as dates, a filter on every "
           "column), a data dictionary (each column's meaning, unit and source) and the sources with their "
           "vintages. The GeoJSON's footprints are full-resolution dissolves of their LSOAs (WGS84); its "
           "attribution and data dictionary are in the file. " + widgets.md(EXACT_POPULATION_NOTE) + " "
           + widgets.md(CARE_HOME_NOTE) + " " + widgets.md(AGE_BASIS) + " Deprivation: shares of residents in "
           "England's fifths of LSOAs by the IMD 2015, and their average rank as a percentile (see Data and methods).")
st.caption("Credit the sources when you use the files:")
widgets.attribution_caption()
