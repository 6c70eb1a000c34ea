"""Geocode a list: upload a CSV of sites, geocode it like the bundled lists, review, map and download."""

import hashlib
import threading
from pathlib import PurePath

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import export, mapping
from geo.csvin import MAX_BYTES, MAX_CELL_CHARS, MAX_ROWS, SiteFileError, read_site_csv
from geo.geocode.batch import CLASH_PREFIX, BatchResult, clash_notice, geocode_in_chunks, output_names
from geo.geocoder import Geocoder
from geo.sources import ATTRIBUTION
from pages import common

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
    return Geocoder(common.atlas())


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


def geocode(data: bytes) -> tuple[BatchResult, str, dict[int, dict]]:
    """Read and geocode an uploaded file, in chunks under a progress bar and a time budget.

    Raises SiteFileError with what to fix. The result lives in this session only (no server-wide
    cache), so it is freed when the session ends. The progress bar is updated between chunks:
    each update is where Streamlit stops a script whose tab was closed or rerun, so work that
    nobody waits for ends at the next chunk.
    """
    digest = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get(RESULT)
    if kept and kept[0] == digest:
        return kept[1]
    st.session_state.pop(RESULT, None)  # free the previous list before reading the next
    frame = read_site_csv(data)
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
        geocoder().resolve.cache_clear()  # its names are this list's: do not keep them server-wide
        slots.release()
    bar.empty()
    row = output_names(result.frame.columns, [ROW_KEY])[ROW_KEY]
    result.frame.insert(0, row, range(1, len(result.frame) + 1))
    value = (result, row, mapping.footprint_geometries(common.atlas(), distinct_footprints(result.sets)))
    st.session_state[RESULT] = (digest, value)
    return value


common.ensure_app()
st.title("Geocode a list")
st.markdown(
    "Upload a CSV with one row per site and a **`site_name`** column (a place, CCG, trust or GP practice "
    "name, as printed). Optional columns help: `lead_organisation`, `areas` (codes such as `ccg:12F` or "
    "`lad:E08000015`, separated by `;`), `postcode`, `lat` and `lon`. Any other columns are kept as they are. "
    "The sites are geocoded with the same geocoder as the bundled lists; every row of your file comes back, "
    "in order, with the geocoding columns added (where your file already has a column of the same name, the "
    f"geocoder's is called `{CLASH_PREFIX}...`). Nothing is stored: the file stays in this session. "
    "(The sidebar filters apply to the bundled sites, not to your list.)"
)
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
    st.error(f"Could not read {common.md(upload.name)}: {common.md(problem)}.", icon=":material/error:")
    st.stop()
result, sets, names = batch.frame, batch.sets, batch.names | {ROW_KEY: row_column}
renamed = batch.renamed | ({ROW_KEY: row_column} if row_column != ROW_KEY else {})
if renamed:
    st.info(common.md(clash_notice(renamed).capitalize() + "."), icon=":material/info:")
if batch.stopped:
    st.warning(common.md(f"{len(result) - batch.done:,} rows were {batch.stopped}"),
               icon=":material/timer:")

counts = batch.column("status").value_counts()
cols = st.columns(4)
cols[0].metric("Rows", len(result))
for col, status in zip(cols[1:], ("matched", "ambiguous", "unmatched"), strict=True):
    col.metric(status.capitalize(), int(counts.get(status, 0)))
people = common.union_population(common.atlas(), sets)
st.caption(f"People covered by the matched footprints together (each person once): {people:,} "
           f"({people / common.england():.1%} of England).")

shown = ["row", "site_name", "status", "method", "score", "footprint_level", "ccg_names", "lad_names",
         "nhs_regions", "population", "note"]
config = {"population": st.column_config.NumberColumn("population", format="localized"),
          "score": st.column_config.NumberColumn("score", format="%.0f")}
config = {names.get(k, k): v for k, v in config.items()}
for status, title, extra in (("matched", "Matched", []), ("ambiguous", "Ambiguous: pick from the candidates",
                                                          ["candidates"]),
                             ("unmatched", "Not matched", ["candidates"])):
    part = result[batch.column("status") == status]
    if part.empty:
        continue
    st.subheader(f"{title} ({len(part)})")
    columns = list(dict.fromkeys(names.get(c, c) for c in shown + extra if names.get(c, c) in part))
    st.dataframe(part[columns], hide_index=True, width="stretch", column_config=config, key=f"geocode_{status}")
if counts.get("ambiguous", 0) or counts.get("unmatched", 0):
    st.caption("To settle a row, add an `areas` value (for example `ccg:12F`), a postcode, or a fuller name, "
               "and upload the file again.")

stem = PurePath(upload.name).stem or "sites"


def _geojson() -> str:
    """Built only when asked for: every row, with its footprint (or none) as geometry."""
    return export.to_geojson_export(result, sets, common.atlas(), ATTRIBUTION)


left, right = st.columns(2)
left.download_button(f"Download all {len(result)} rows, geocoded (CSV)", export.to_safe_csv(result, ATTRIBUTION),
                     file_name=export.export_name(f"geocoded {stem}", [], "csv"), mime="text/csv",
                     icon=":material/download:", key="geocode_csv", on_click="ignore")
right.download_button(f"Download all {len(result)} rows with footprints (GeoJSON)", _geojson,
                      file_name=export.export_name(f"geocoded {stem}", [], "geojson"), mime="application/geo+json",
                      icon=":material/download:", key="geocode_geojson", on_click="ignore")

st.subheader("On the map")
rows_of: dict[frozenset[str], int] = {}
for footprint in sets:
    if footprint:
        rows_of[footprint] = rows_of.get(footprint, 0) + 1
mapped = pd.DataFrame({ROW_KEY: result[row_column], "display_name": result["site_name"],
                       "population": batch.column("population"), "nhs_regions": batch.column("nhs_regions")})
if "care_model" in result:
    mapped["care_model"] = result["care_model"]
mapped = mapped[mapped[ROW_KEY].isin(list(geometries))]
mapped["display_name"] = [
    f"{name} (and {rows_of[sets[position - 1]] - 1:,} more rows with this footprint)"
    if rows_of[sets[position - 1]] > 1 else name for position, name in zip(mapped[ROW_KEY], mapped["display_name"])]
if len(geometries) < len(rows_of) or sum(rows_of.values()) > len(geometries):
    st.caption(f"One shape per distinct footprint: {len(geometries):,} shapes for "
               f"{sum(rows_of.values()):,} matched rows.")
folium_map = mapping.build_map(mapped, geometries, key=ROW_KEY, asset_base=common.asset_base(),
                               outlines={"nhs_region": common.outline("nhs_region")})
st_folium(folium_map, key="geocode_map", height=520, use_container_width=True, returned_objects=[])
common.attribution_caption()
