"""Geocode a list: upload a CSV of sites, geocode it like the bundled lists, review, map and download."""

from pathlib import PurePath

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.geocode.ladder import OUTPUT_COLUMNS, Geocoder
from geo.geocode.site_csv import MAX_BYTES, SiteFileError, read_site_csv
from geo.present import atlas_map, export, workbook
from geo.present import folium_map as mapping
from geo.present.age import CARE_HOME_NOTE, with_age_columns
from geo.present.coverage import union_population
from geo.present.overlap import list_overlap, rows_inside
from geo.sources import AGE_BASIS, ATTRIBUTION
from ui import data, shell, widgets

TEMPLATE = (
    "site_name,lead_organisation,areas,postcode\r\n"
    "Wirral Health and Social Care Economy,,,\r\n"
    "Whitstable Medical Practice,,,\r\n"
    "Salford Royal Foundation Trust (FT),,,\r\n"
    "My own site,,ccg:12F;lad:E08000015,\r\n"
)
ROW_KEY = "row"


@st.cache_resource(show_spinner="Loading the gazetteer...")
def geocoder() -> Geocoder:
    """One geocoder per server (its gazetteer takes a moment to build)."""
    return Geocoder(data.atlas())


@st.cache_data(show_spinner="Geocoding your list...", max_entries=8)
def geocode(upload: bytes) -> tuple[pd.DataFrame, list[frozenset[str]], dict[int, dict]]:
    """Read and geocode an uploaded file: rows, footprints and map geometry by row number.

    Raises SiteFileError with what to fix. A column of the user's that shares a name with a
    geocoding column is kept, renamed "... (yours)", so nothing uploaded is lost.
    """
    frame = read_site_csv(upload)
    clash = {c: f"{c} (yours)" for c in frame.columns if c in OUTPUT_COLUMNS or c == ROW_KEY}
    result, sets = geocoder().geocode_frame(frame.rename(columns=clash))
    result.insert(0, ROW_KEY, range(1, len(result) + 1))
    result = with_age_columns(result, sets, data.atlas(), key=ROW_KEY)
    footprints = {int(r): s for r, s in zip(result[ROW_KEY], sets, strict=True) if s}
    return result, sets, mapping.footprint_geometries(data.atlas(), footprints)


current = shell.start()
st.title("Geocode a list")
st.markdown(
    "Upload a CSV with one row per site and a **`site_name`** column (a place, CCG, trust or GP practice "
    "name, as printed). Optional columns help: `lead_organisation`, `areas` (codes such as `ccg:12F` or "
    "`lad:E08000015`, separated by `;`), `postcode`, `lat` and `lon`. Any other columns are kept as they are. "
    "The sites are geocoded with the same geocoder as the bundled lists; every row of your file comes back, "
    "in order, with the geocoding columns added. Nothing is stored: the file stays in this session. "
    "(The sidebar filters apply to the bundled sites, not to your list.)"
)
st.download_button("Download a template CSV", TEMPLATE.encode("utf-8"), file_name="site-list-template.csv",
                   mime="text/csv", icon=":material/description:", on_click="ignore")
upload = st.file_uploader(f"Your site list (CSV, up to {MAX_BYTES // 1_000_000} MB)", key="geocode_upload",
                          help="UTF-8, Windows-1252 or UTF-16; commas, semicolons or tabs.")
if upload is None:
    st.stop()

try:
    result, sets, geometries = geocode(upload.getvalue())
except SiteFileError as problem:
    st.error(f"Could not read {widgets.md(upload.name)}: {widgets.md(problem)}.", icon=":material/error:")
    st.stop()

counts = result["status"].value_counts()
cols = st.columns(4)
cols[0].metric("Rows", len(result))
for col, status in zip(cols[1:], ("matched", "ambiguous", "unmatched"), strict=True):
    col.metric(status.capitalize(), int(counts.get(status, 0)))
people = union_population(data.atlas(), sets)
st.caption(f"People covered by the matched footprints together (each person once): {people:,} "
           f"({people / data.england():.1%} of England).")

shown = ["row", "site_name", "status", "method", "score", "footprint_level", "ccg_names", "lad_names",
         "nhs_regions", "population", "note"]
config = {"population": st.column_config.NumberColumn("population", format="localized"),
          "score": st.column_config.NumberColumn("score", format="%.0f")}
for status, title, extra in (("matched", "Matched", []), ("ambiguous", "Ambiguous: pick from the candidates",
                                                          ["candidates"]),
                             ("unmatched", "Not matched", ["candidates"])):
    part = result[result["status"] == status]
    if part.empty:
        continue
    st.subheader(f"{title} ({len(part)})")
    columns = [c for c in shown + extra if c in part]
    st.dataframe(part[columns], hide_index=True, width="stretch", column_config=config, key=f"geocode_{status}")
if counts.get("ambiguous", 0) or counts.get("unmatched", 0):
    st.caption("To settle a row, add an `areas` value (for example `ccg:12F`), a postcode, or a fuller name, "
               "and upload the file again.")

stem = PurePath(upload.name).stem or "sites"


def _geojson() -> str:
    """Built only when asked for: every row, with its footprint (or none) as geometry."""
    return export.to_geojson_export(result, sets, data.atlas(), ATTRIBUTION)


NOTES = [AGE_BASIS, CARE_HOME_NOTE]


def _xlsx() -> bytes:
    """Built only when asked for: every row, then a sheet of sources and attribution."""
    return workbook.to_xlsx(result, ATTRIBUTION, sheet="Geocoded list", notes=NOTES,
                            title=f"NHS integration atlas: {upload.name} geocoded")


left, middle, right = st.columns(3)
left.download_button(f"Download all {len(result)} rows, geocoded (CSV)",
                     export.to_safe_csv(result, [*ATTRIBUTION, *NOTES]),
                     file_name=export.export_name(f"geocoded {stem}", [], "csv"), mime="text/csv",
                     icon=":material/download:", key="geocode_csv", on_click="ignore")
middle.download_button(f"Download all {len(result)} rows, geocoded (Excel)", _xlsx,
                       file_name=export.export_name(f"geocoded {stem}", [], "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="geocode_xlsx", on_click="ignore")
right.download_button(f"Download all {len(result)} rows with footprints (GeoJSON)", _geojson,
                      file_name=export.export_name(f"geocoded {stem}", [], "geojson"), mime="application/geo+json",
                      icon=":material/download:", key="geocode_geojson", on_click="ignore")

st.subheader("Your list beside the programme")
overlap = list_overlap(data.atlas(), result, sets, current.frame, current.footprints)
inside = rows_inside(overlap)
st.markdown(f"**{inside} of {len(result)} rows** of your list share residents with at least one of the "
            f"{len(current.frame)} programme sites shown (the sidebar filters choose which). Your list is drawn "
            "dashed over the programme's footprints.")
mapped = result.assign(display_name=result["site_name"], care_model=None)
list_layer = atlas_map.footprint_overlay(mapped, geometries, key=ROW_KEY, name="Your list")
shown_ids = [s for s in current.frame["site_id"] if s in data.site_geometries()]
models = [m if isinstance(m, str) else mapping.OTHER_LABEL
          for m in current.frame.loc[current.frame["site_id"].isin(shown_ids), "care_model"]]
state = atlas_map.map_state(shown_ids, models, {"nhs_region": data.outline_url("nhs_region")},
                            extra_legend=atlas_map.legend_swatch("Your list", mapping.OTHER_COLOUR, dashed=True))
st_folium(atlas_map.base_map(data.map_urls(), asset_base=widgets.asset_base()), key="geocode_map", height=600,
          use_container_width=True, returned_objects=[],
          feature_group_to_add=[atlas_map.state_layer(state, widgets.asset_base()), list_layer])
st.dataframe(overlap, hide_index=True, width="stretch", key="geocode_overlap", column_config={
    "row": "Row", "site_name": "Your site", "status": "Geocoding", "site": "Programme site",
    "row_population": st.column_config.NumberColumn("Residents of your footprint", format="localized"),
    "people_in_both": st.column_config.NumberColumn("Residents in both", format="localized"),
    "share_of_row_pct": st.column_config.NumberColumn("Share of your footprint", format="%.1f%%")})
st.download_button("Download the overlap (CSV)", export.to_safe_csv(overlap, ATTRIBUTION),
                   file_name=export.export_name(f"overlap {stem}", current.filters.describe(), "csv"),
                   mime="text/csv", icon=":material/download:", key="geocode_overlap_csv", on_click="ignore")
widgets.attribution_caption()
