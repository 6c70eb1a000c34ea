"""Geocode a list: upload a CSV of sites, geocode it like the bundled lists, review, map and download."""

import hashlib
import threading
from collections.abc import Callable
from pathlib import PurePath

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.geocode.batch import BatchResult, geocode_in_chunks, output_names
from geo.geocode.settle import Reading
from geo.geocode.site_csv import MAX_BYTES, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, SiteFileError, read_site_csv
from geo.present import atlas_map, export, list_footprints, workbook
from geo.present import folium_map as mapping
from geo.present.age import CARE_HOME_NOTE
from geo.present.columns import CLASH_SUFFIX, data_dictionary, reader_frame, reader_list
from geo.present.coverage import union_population
from geo.present.list_footprints import distinct_footprints
from geo.present.overlap import list_overlap, rows_inside
from geo.present.palette import HIGHLIGHT_COLOUR, OTHER_COLOUR, OTHER_LABEL
from geo.present.residents import PROFILE_COLUMNS, with_profiles
from geo.present.wording import EXACT_POPULATION_NOTE, ROUNDED_POPULATION_NOTE, people, percent
from geo.sources import AGE_BASIS, ATTRIBUTION, DEPRIVATION_BASIS
from ui import data, settle, shell, tables, widgets

TEMPLATE = (
    "site_name,lead_organisation,areas,postcode\r\n"
    "Wirral Health and Social Care Economy,,,\r\n"
    "Whitstable Medical Practice,,,\r\n"
    "Salford Royal Foundation Trust (FT),,,\r\n"
    "My own site,,ccg:12F;lad:E08000015,\r\n"
)
ROW_KEY = "row"
RESULT = "_geocode_result"
#: Map geometry of footprints drawn this session (the list's, and readings shown while settling).
GEOMETRIES = "_geocode_geometries"
#: Geometries of readings shown while settling kept per session, besides the list's own.
READINGS_KEPT = 16
#: Seconds one uploaded list may take; rows not reached come back unmatched with a note.
BUDGET_S = 60
#: Lists geocoded at the same time on one server (each then has the budget to itself).
SLOTS = 1


#: One geocoder per server, shared with the Map page's place lookup.
geocoder = data.geocoder


@st.cache_resource
def geocode_slots() -> threading.BoundedSemaphore:
    """Lists geocoded at once on this server: the rest wait their turn, so uploads cannot take
    every core (other users' maps stay quick) nor add up their peak memory."""
    return threading.BoundedSemaphore(SLOTS)


def shown_geometry(reading: Reading) -> dict[int, dict]:
    """The map geometry of a reading being chosen: its areas' display shapes where it is made of whole
    CCGs, districts or upper tiers (no work), else its footprint dissolved; kept for its choice."""
    _lists, readings = st.session_state.setdefault(GEOMETRIES, ({}, {}))
    fast = mapping.codes_geometry(data.area_geometries(), reading.candidate.codes)
    if fast is not None:
        readings[reading.lsoas] = fast
    return geometries_of({0: reading.lsoas}, shown=True)


def derived(frame: pd.DataFrame, sets: list[frozenset[str]], row: str) -> pd.DataFrame:
    """The columns worked out from each row's footprint once geocoded (residents by age and deprivation)."""
    return with_profiles(frame, sets, data.atlas(), key=row)


def geometries_of(footprints: dict[int, frozenset[str]], shown: bool = False,
                  progress: Callable[[], None] | None = None) -> dict[int, dict]:
    """Map geometry of footprints, each drawn once per session: the list's, kept with it, and the
    readings ``shown`` while settling, the last few kept (a choice reuses its reading's)."""
    lists, readings = st.session_state.setdefault(GEOMETRIES, ({}, {}))
    missing = {key: footprint for key, footprint in footprints.items()
               if footprint not in lists and footprint not in readings}
    drawn = mapping.footprint_geometries(data.atlas(), missing, progress=progress)
    kept = readings if shown else lists
    kept.update({footprint: drawn[key] for key, footprint in missing.items() if key in drawn})
    while len(readings) > READINGS_KEPT:
        readings.pop(next(iter(readings)))
    return {key: lists.get(footprint) or readings[footprint] for key, footprint in footprints.items()
            if footprint in lists or footprint in readings}


def list_geometries(sets: list[frozenset[str]]) -> dict[int, dict]:
    """The map's shapes of the list's drawn footprints (bounded: see ``list_footprints.drawable``), under a
    progress bar whose updates are where a closed tab stops the work."""
    drawn = list_footprints.drawable(distinct_footprints(sets))[0]
    lists, _readings = st.session_state.setdefault(GEOMETRIES, ({}, {}))
    if all(footprint in lists for footprint in drawn.values()):
        return geometries_of(drawn)
    bar = st.progress(1.0, text="Drawing the list's footprints...")
    shapes = geometries_of(drawn, progress=lambda: bar.progress(1.0))
    bar.empty()
    return shapes


def geocode(upload: bytes) -> tuple[BatchResult, str]:
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
    result.frame = derived(result.frame, result.sets, row)
    st.session_state.pop(GEOMETRIES, None)
    value = (result, row)
    st.session_state[RESULT] = (digest, value)
    return value


def settled(positions: list[int]) -> None:
    """After a choice: the derived columns of the rows settled follow their new footprints."""
    batch, row = st.session_state[RESULT][1]
    part = derived(batch.frame.iloc[positions][[row]], [batch.sets[p] for p in positions], row).drop(columns=row)
    for column in part.columns:
        batch.frame.loc[part.index, column] = part[column]


current = shell.start("geocode")
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
        "- **Today's names:** councils by their official names (\"London Borough of Camden\", \"Bristol, City "
        "of\"), councils formed since 2015 (\"Dorset Council\"), integrated care boards and sub-ICB locations "
        "(\"NHS Cheshire and Merseyside ICB - 01V\").\n"
        "- **Ambiguous** means two readings, never a guess. Settle it below: choose one of its readings, or "
        "search for the right area, and the choice goes into the row's `areas`. In your file, the usual fixes "
        "are: add **CCG** or **Council** (\"Milton Keynes CCG\", \"Kent County Council\"); name the towns a "
        "county surrounds (\"Kent and Medway\"); or give the areas outright in `areas` (`ccg:04F`, "
        "`lad:E06000042`).")
st.caption(f"Limits: {MAX_BYTES // 1_000_000} MB, {MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns and {MAX_CELL_CHARS:,} "
           "characters per cell; "
           f"geocoding stops after {BUDGET_S} s (rows not reached are kept, marked unmatched); the server geocodes "
           "one list at a time, so a list may wait its turn.")
st.download_button("Download a template CSV", TEMPLATE.encode("utf-8"), file_name="site-list-template.csv",
                   mime="text/csv", icon=":material/description:", on_click="ignore")
upload = st.file_uploader(f"Your site list (CSV, up to {MAX_BYTES // 1_000_000} MB)", key="geocode_upload",
                          help="UTF-8, Windows-1252 or UTF-16; commas, semicolons or tabs.")
if upload is None:
    st.stop()

try:
    batch, row_column = geocode(upload.getvalue())
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

#: The atlas's columns: machine name -> the name it has in the result (age and deprivation added by the page).
atlas_names = names | {c: c for c in PROFILE_COLUMNS}
SHOWN = ["row", "status", "method", "score", "footprint_level", "ccg_names", "lad_names", "nhs_regions", "population",
         "note"]
#: Rows not matched show why and what they could be first; columns empty for all of them are left out.
UNSETTLED_SHOWN = ["row", "note", "candidates", "status", "method", "score"]
for status, title, machine in (("matched", "Matched", SHOWN), ("ambiguous", "Ambiguous", UNSETTLED_SHOWN),
                               ("unmatched", "Not matched", UNSETTLED_SHOWN)):
    part = result[batch.column("status") == status]
    if part.empty:
        continue
    st.header(f"{title} ({len(part)})")
    if status != "matched":
        machine = [c for c in machine if any(str(v).strip() for v in part[atlas_names.get(c, c)].dropna())]
    shown = tables.for_page(reader_list(part, atlas_names, own=["site_name"], machine=machine))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=tables.column_config(shown),
                 placeholder="", key=f"geocode_{status}")
chosen = int((batch.column("method") == "chosen").sum())
if chosen:
    st.caption(f"{chosen:,} of the matched rows were chosen on this page (method \"chosen\"); their codes are "
               "in your column `areas` in the downloads.")

stem = PurePath(upload.name).stem or "sites"
st.header("Download your list, geocoded")
full = st.toggle("Full detail: add the geocoder's working columns (candidates)", key="geocode_full_detail")


def _readers() -> pd.DataFrame:
    """The list as downloaded (built only when a download is asked for, not on every rerun)."""
    return reader_list(result, atlas_names, full=full)


NOTES = [EXACT_POPULATION_NOTE, AGE_BASIS, DEPRIVATION_BASIS, CARE_HOME_NOTE]


def _geojson() -> bytes:
    """Built only when asked for: one feature per distinct footprint (the map's shapes), with its rows."""
    carried = reader_list(result, atlas_names, own=["site_name"], machine=["row", *list_footprints.FOOTPRINT_COLUMNS])
    about = {"name": f"{upload.name} geocoded by the NHS integration atlas", "notes": NOTES,
             "columns": data_dictionary(carried.columns[2:]).to_dict(orient="records")}
    return list_footprints.list_geojson(carried, sets, carried.columns[0], list_geometries(sets), ATTRIBUTION,
                                        about=about)


def _xlsx() -> bytes:
    """Built only when asked for: every row, a data dictionary, then a sheet of sources and attribution."""
    return workbook.to_xlsx(_readers(), ATTRIBUTION, sheet="Geocoded list", notes=NOTES,
                            title=f"NHS integration atlas: {upload.name} geocoded")


def _csv() -> bytes:
    """Built only when asked for: every row, your columns (choices in ``areas``) then the atlas's."""
    return export.to_safe_csv(_readers())


left, middle, right = st.columns(3)
left.download_button(f"Download all {len(result)} rows, geocoded (CSV)", _csv,
                     file_name=export.export_name(f"geocoded {stem}", [], "csv"), mime="text/csv",
                     icon=":material/download:", key="geocode_csv", on_click="ignore")
middle.download_button(f"Download all {len(result)} rows, geocoded (Excel)", _xlsx,
                       file_name=export.export_name(f"geocoded {stem}", [], "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="geocode_xlsx", on_click="ignore")
shapes = len(distinct_footprints(sets))
right.download_button(f"Download the {shapes:,} footprint{'' if shapes == 1 else 's'} (GeoJSON)", _geojson,
                      file_name=export.export_name(f"geocoded {stem}", [], "geojson"), mime="application/geo+json",
                      icon=":material/download:", key="geocode_geojson", on_click="ignore")
st.caption("Your columns come back as uploaded, in place; the atlas's columns follow, named for readers (the command "
           "line keeps their machine names). The CSV's first line is its header. The Excel workbook adds a data "
           "dictionary and the sources. " + EXACT_POPULATION_NOTE)

shown_reading = settle.draw(geocoder(), batch, row_column, settled)

st.header("Your list beside the programme")
shell.require_map_data()
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
geometries = list_geometries(sets)
mapped = mapped[mapped[ROW_KEY].isin(list(geometries))]
mapped["display_name"] = [  # one shape per distinct footprint, named for every row that has it
    f"{name} (and {rows_of[sets[position - 1]] - 1:,} more rows with this footprint)"
    if rows_of[sets[position - 1]] > 1 else name for position, name in zip(mapped[ROW_KEY], mapped["display_name"])]
list_layer = atlas_map.footprint_overlay(mapped, geometries, key=ROW_KEY, name="Your list")
if left_out := list_footprints.drawable(distinct_footprints(sets))[1]:
    st.info(widgets.md(list_footprints.left_out_note(left_out) + "."), icon=":material/info:")
shown_ids = [s for s in current.frame["site_id"] if s in data.site_geometries()]
models = [m if isinstance(m, str) else OTHER_LABEL
          for m in current.frame.loc[current.frame["site_id"].isin(shown_ids), "care_model"]]
legend = atlas_map.legend_swatch("Your list", OTHER_COLOUR, dashed=True)
highlight = atlas_map.layer_group("Reading shown", None)
if shown_reading is not None:
    drawn = shown_geometry(shown_reading)
    shown_frame = pd.DataFrame({ROW_KEY: [0], "display_name": [f"Reading shown: {shown_reading.candidate.label}"],
                                "care_model": [None], "population": [shown_reading.residents], "nhs_regions": [""]})
    highlight = atlas_map.footprint_overlay(shown_frame, drawn, key=ROW_KEY, name="Reading shown",
                                            colour=HIGHLIGHT_COLOUR, class_name=atlas_map.HIGHLIGHT_CLASS)
    legend += atlas_map.legend_swatch(f"Reading shown: {shown_reading.candidate.label}", HIGHLIGHT_COLOUR, heading="")
state = atlas_map.map_state(shown_ids, models, {"nhs_region": data.outline_url("nhs_region")}, extra_legend=legend)
st_folium(atlas_map.base_map(data.map_urls(), asset_base=widgets.asset_base()), key="geocode_map", height=600,
          use_container_width=True, returned_objects=[],
          feature_group_to_add=[atlas_map.state_layer(state, widgets.asset_base()), list_layer, highlight])
if overlap.empty:
    st.info("No row of your list shares residents with the programme sites shown.")
else:
    tables.table(overlap, list(overlap.columns), key="geocode_overlap")
    overlap_readers = reader_frame(overlap, list(overlap.columns))
    st.download_button("Download the overlap (CSV)", export.to_safe_csv(overlap_readers),
                       file_name=export.export_name(f"overlap {stem}", current.filters.describe(), "csv"),
                       mime="text/csv", icon=":material/download:", key="geocode_overlap_csv", on_click="ignore")
widgets.attribution_caption()
