"""Geocode a list: upload a CSV of sites, geocode it like the bundled lists, review, map and download."""

import hashlib
import threading
from pathlib import PurePath

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.geocode.batch import BatchResult, geocode_in_chunks, output_names
from geo.geocode.ladder import Geocoder
from geo.geocode.site_csv import MAX_BYTES, MAX_CELL_CHARS, MAX_ROWS, SiteFileError, read_site_csv
from geo.present import atlas_map, export, workbook
from geo.present import folium_map as mapping
from geo.present.age import AGE_COLUMNS, CARE_HOME_NOTE, OLDER_SHARE, with_age_columns
from geo.present.columns import CLASH_SUFFIX, data_dictionary, reader_frame, reader_list
from geo.present.coverage import union_population
from geo.present.overlap import list_overlap, rows_inside
from geo.present.palette import OTHER_COLOUR, OTHER_LABEL
from geo.present.wording import EXACT_POPULATION_NOTE, ROUNDED_POPULATION_NOTE, people, percent
from geo.sources import AGE_BASIS, ATTRIBUTION
from ui import data, shell, tables, widgets

TEMPLATE = (
    "site_name,lead_organisation,areas,postcode\r\n"
    "Wirral Health and Social Care Economy,,,\r\n"
    "Whitstable Medical Practice,,,\r\n"
    "Salford Royal Foundation Trust (FT),,,\r\n"
    "My own site,,ccg:12F;lad:E08000015,\r\n"
)
ROW_KEY = "row"
RESULT = "_geocode_result"
#: Seconds one uploaded list may take; rows not reached come back unmatched with a note.
BUDGET_S = 60
#: Lists geocoded at the same time on one server (each then has the budget to itself).
SLOTS = 1


@st.cache_resource(show_spinner="Loading the gazetteer...")
def geocoder() -> Geocoder:
    """One geocoder per server (its gazetteer takes a moment to build)."""
    return Geocoder(data.atlas())


@st.cache_resource
def geocode_slots() -> threading.BoundedSemaphore:
    """Lists geocoded at once on this server: the rest wait their turn, so uploads cannot take
    every core (other users' maps stay quick) nor add up their peak memory."""
    return threading.BoundedSemaphore(SLOTS)


def distinct_footprints(sets: list[frozenset[str]]) -> dict[int, frozenset[str]]:
    """Each distinct non-empty footprint once, keyed by the first row (1-based) that has it.

    A long list names the same CCGs and districts many times: one map feature per footprint,
    not per row, keeps the map and the server's memory in proportion to the places, not the rows.
    """
    first: dict[frozenset[str], int] = {}
    for position, footprint in enumerate(sets, start=1):
        if footprint:
            first.setdefault(footprint, position)
    return {position: footprint for footprint, position in first.items()}


def geocode(upload: bytes) -> tuple[BatchResult, str, dict[int, dict]]:
    """Read and geocode an uploaded file, in chunks under a progress bar and a time budget.

    Raises SiteFileError with what to fix. The result lives in this session only (no server-wide
    cache), so it is freed when the session ends. The progress bar is updated between chunks:
    each update is where Streamlit stops a script whose tab was closed or rerun, so work that
    nobody waits for ends at the next chunk.
    """
    digest = hashlib.sha256(upload).hexdigest()
    kept = st.session_state.get(RESULT)
    if kept and kept[0] == digest:
        return kept[1]
    st.session_state.pop(RESULT, None)  # free the previous list before reading the next
    frame = read_site_csv(upload)
    bar = st.progress(0.0, text=f"Geocoding {len(frame):,} rows...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Geocoded {done:,} of {total:,} rows")

    slots = geocode_slots()
    waited = 0.0
    while not slots.acquire(timeout=0.5):  # each wait updates the bar: a closed tab stops here too
        waited += 0.5
        bar.progress(0.0, text=f"Waiting for another list to finish ({waited:.0f} s)...")
    try:
        result = geocode_in_chunks(geocoder(), frame, budget_s=BUDGET_S, progress=progress)
    finally:
        geocoder().forget()  # its names are this list's: do not keep them server-wide
        slots.release()
    bar.empty()
    row = output_names(result.frame.columns, [ROW_KEY])[ROW_KEY]
    result.frame.insert(0, row, range(1, len(result.frame) + 1))
    result.frame = with_age_columns(result.frame, result.sets, data.atlas(), key=row)
    value = (result, row, mapping.footprint_geometries(data.atlas(), distinct_footprints(result.sets)))
    st.session_state[RESULT] = (digest, value)
    return value


current = shell.start()
st.title("Geocode a list")
st.markdown(
    "Upload a CSV with one row per site and a **`site_name`** column (a place, CCG, trust or GP practice "
    "name, as printed). Optional columns help: `lead_organisation`, `areas` (codes such as `ccg:12F` or "
    "`lad:E08000015`, separated by `;`), `postcode`, `lat` and `lon`. Any other columns are kept as they are. "
    "The sites are geocoded with the same geocoder as the bundled lists; every row of your file comes back, "
    "in order, your columns as they are and the atlas's columns added under readers' names (\"Geocoding "
    "status\", \"CCGs (2015)\"...; one your file already uses gets \" (atlas)\"). Nothing is stored: the file "
    "stays in this session. "
    "(The sidebar filters apply to the bundled sites, not to your list.)"
)
with st.expander("How names are read, and what to do with an ambiguous row"):
    st.markdown(
        "- **Areas by name:** CCGs (2015 and 2013), districts, counties and unitary authorities, metropolitan "
        "counties, government regions, NHS England's 2013 area teams and 2015 local offices; lists of them "
        "(\"Barking and Dagenham, Havering and Redbridge\"); \"NHS\" and a region's name as the strategic "
        "health authority (\"NHS North West\").\n"
        "- **Organisations:** NHS trusts (where their hospitals stand) and GP practices; a chain or alliance "
        "of trusts named in `lead_organisation` (separated by `;`); the CCGs a partnership's partners name.\n"
        "- **Programme names:** words such as \"Health and Care Partnership\", \"STP\", \"vanguard\" and a "
        "brand's \"One\" or \"Our\" are set aside; a title's place after \"in\" is read (\"Integrated "
        "Care in Wakefield\"); a brand no rule reads falls back to its `lead_organisation`.\n"
        "- **Towns:** a town from practice, trust and hospital addresses, as its district; with its county or "
        "region after a comma (\"Richmond, North Yorkshire\") to say which.\n"
        "- **Ambiguous** means two readings, never a guess. The usual fixes: add **CCG** or **Council** "
        "(\"Milton Keynes CCG\", \"Kent County Council\"); name the towns a county surrounds (\"Kent and "
        "Medway\"); or give the areas outright in `areas` (`ccg:04F`, `lad:E06000042`).")
st.caption(f"Limits: {MAX_BYTES // 1_000_000} MB, {MAX_ROWS:,} rows and {MAX_CELL_CHARS:,} characters per cell; "
           f"geocoding stops after {BUDGET_S} s (rows not reached are kept, marked unmatched); the server geocodes "
           "one list at a time, so a list may wait its turn.")
st.download_button("Download a template CSV", TEMPLATE.encode("utf-8"), file_name="site-list-template.csv",
                   mime="text/csv", icon=":material/description:", on_click="ignore")
upload = st.file_uploader(f"Your site list (CSV, up to {MAX_BYTES // 1_000_000} MB)", key="geocode_upload",
                          help="UTF-8, Windows-1252 or UTF-16; commas, semicolons or tabs.")
if upload is None:
    st.stop()

try:
    batch, row_column, geometries = geocode(upload.getvalue())
except SiteFileError as problem:
    st.error(f"Could not read {widgets.md(upload.name)}: {widgets.md(problem)}.", icon=":material/error:")
    st.stop()

result, sets, names = batch.frame, batch.sets, batch.names | {ROW_KEY: row_column}
clashes = [c for c in reader_list(result.head(0), names).columns if c.endswith(CLASH_SUFFIX)]
if clashes:
    st.info(widgets.md(f"Your file already has columns named like the atlas's: the atlas's are called "
                       f"{', '.join(clashes)} here and in the downloads (yours keep their names)."),
            icon=":material/info:")
if batch.stopped:
    st.warning(widgets.md(f"{len(result) - batch.done:,} rows were {batch.stopped}"), icon=":material/timer:")
counts = batch.column("status").value_counts()
cols = st.columns(4)
cols[0].metric("Rows", len(result))
for col, status in zip(cols[1:], ("matched", "ambiguous", "unmatched"), strict=True):
    col.metric(status.capitalize(), int(counts.get(status, 0)))
people_covered = union_population(data.atlas(), sets)
st.caption(f"People covered by the matched footprints together (each person once): {people(people_covered)} "
           f"({percent(people_covered, data.england())} of England). {ROUNDED_POPULATION_NOTE}")

#: The atlas's columns: machine name -> the name it has in the result (age bands added by the page).
atlas_names = names | {c: c for c in (*AGE_COLUMNS.values(), OLDER_SHARE)}
SHOWN = ["row", "status", "method", "score", "footprint_level", "ccg_names", "lad_names", "nhs_regions", "population",
         "note"]
for status, title, extra in (("matched", "Matched", []), ("ambiguous", "Ambiguous: pick from the candidates",
                                                          ["candidates"]),
                             ("unmatched", "Not matched", ["candidates"])):
    part = result[batch.column("status") == status]
    if part.empty:
        continue
    st.header(f"{title} ({len(part)})")
    shown = tables.for_page(reader_list(part, atlas_names, own=["site_name"], machine=SHOWN + extra))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=tables.column_config(shown),
                 placeholder="", key=f"geocode_{status}")
if counts.get("ambiguous", 0) or counts.get("unmatched", 0):
    st.caption("To settle a row, add an `areas` value (for example `ccg:12F`), a postcode, or a fuller name, "
               "and upload the file again.")

stem = PurePath(upload.name).stem or "sites"
st.header("Download your list, geocoded")
full = st.toggle("Full detail: add the geocoder's working columns (candidates)", key="geocode_full_detail")
readers = reader_list(result, atlas_names, full=full)
NOTES = [EXACT_POPULATION_NOTE, AGE_BASIS, CARE_HOME_NOTE]


def _geojson() -> str:
    """Built only when asked for: every row, with its footprint (or none) as geometry."""
    about = {"name": f"{upload.name} geocoded by the NHS integration atlas", "notes": NOTES,
             "columns": data_dictionary(readers.columns).to_dict(orient="records")}
    return export.to_geojson_export(readers, sets, data.atlas(), ATTRIBUTION, about=about)


def _xlsx() -> bytes:
    """Built only when asked for: every row, a data dictionary, then a sheet of sources and attribution."""
    return workbook.to_xlsx(readers, ATTRIBUTION, sheet="Geocoded list", notes=NOTES,
                            title=f"NHS integration atlas: {upload.name} geocoded")


left, middle, right = st.columns(3)
left.download_button(f"Download all {len(result)} rows, geocoded (CSV)", export.to_safe_csv(readers),
                     file_name=export.export_name(f"geocoded {stem}", [], "csv"), mime="text/csv",
                     icon=":material/download:", key="geocode_csv", on_click="ignore")
middle.download_button(f"Download all {len(result)} rows, geocoded (Excel)", _xlsx,
                       file_name=export.export_name(f"geocoded {stem}", [], "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="geocode_xlsx", on_click="ignore")
right.download_button(f"Download all {len(result)} rows with footprints (GeoJSON)", _geojson,
                      file_name=export.export_name(f"geocoded {stem}", [], "geojson"), mime="application/geo+json",
                      icon=":material/download:", key="geocode_geojson", on_click="ignore")
st.caption("Your columns come back as uploaded, in place; the atlas's columns follow, named for readers (the command "
           "line keeps their machine names). The CSV's first line is its header. The Excel workbook adds a data "
           "dictionary and the sources. " + EXACT_POPULATION_NOTE)

st.header("Your list beside the programme")
standard = pd.DataFrame({ROW_KEY: result[row_column], "site_name": result["site_name"],
                         "status": batch.column("status")})
overlap = list_overlap(data.atlas(), standard, sets, current.frame, current.footprints)
inside = rows_inside(overlap)
st.markdown(f"**{inside} of {len(result)} rows** of your list share residents with at least one of the "
            f"{len(current.frame)} programme sites shown (the sidebar filters choose which). Your list is drawn "
            "dashed over the programme's footprints.")
rows_of: dict[frozenset[str], int] = {}
for footprint in sets:
    if footprint:
        rows_of[footprint] = rows_of.get(footprint, 0) + 1
mapped = pd.DataFrame({ROW_KEY: result[row_column], "display_name": result["site_name"], "care_model": None,
                       "population": batch.column("population"), "nhs_regions": batch.column("nhs_regions")})
mapped = mapped[mapped[ROW_KEY].isin(list(geometries))]
mapped["display_name"] = [  # one shape per distinct footprint, named for every row that has it
    f"{name} (and {rows_of[sets[position - 1]] - 1:,} more rows with this footprint)"
    if rows_of[sets[position - 1]] > 1 else name for position, name in zip(mapped[ROW_KEY], mapped["display_name"])]
list_layer = atlas_map.footprint_overlay(mapped, geometries, key=ROW_KEY, name="Your list")
shown_ids = [s for s in current.frame["site_id"] if s in data.site_geometries()]
models = [m if isinstance(m, str) else OTHER_LABEL
          for m in current.frame.loc[current.frame["site_id"].isin(shown_ids), "care_model"]]
state = atlas_map.map_state(shown_ids, models, {"nhs_region": data.outline_url("nhs_region")},
                            extra_legend=atlas_map.legend_swatch("Your list", OTHER_COLOUR, dashed=True))
st_folium(atlas_map.base_map(data.map_urls(), asset_base=widgets.asset_base()), key="geocode_map", height=600,
          use_container_width=True, returned_objects=[],
          feature_group_to_add=[atlas_map.state_layer(state, widgets.asset_base()), list_layer])
if overlap.empty:
    st.info("No row of your list shares residents with the programme sites shown.")
else:
    tables.table(overlap, list(overlap.columns), key="geocode_overlap")
    overlap_readers = reader_frame(overlap, list(overlap.columns))
    st.download_button("Download the overlap (CSV)", export.to_safe_csv(overlap_readers),
                       file_name=export.export_name(f"overlap {stem}", current.filters.describe(), "csv"),
                       mime="text/csv", icon=":material/download:", key="geocode_overlap_csv", on_click="ignore")
widgets.attribution_caption()
