"""Pages and exports as analysts use them: the column dictionary, one number style, names in full, citations."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from openpyxl import load_workbook

from geo.geocode.bundled_sites import SITE_FILES, read_site_lists
from geo.present import columns, workbook
from geo.present import filters as flt
from geo.present.folium_map import legend_html
from geo.present.wording import (
    CARE_MODEL_NAMES,
    EXACT_POPULATION_NOTE,
    axis_label_expression,
    axis_scale,
    care_model_code,
    care_model_name,
    key_groups,
    people,
    percent,
    rounded_people,
)
from geo.sources import ATTRIBUTION, CITATIONS_FILE, announcements

SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def test_every_site_has_a_publisher_title_date_and_address():
    sites = read_site_lists()
    assert len(sites) == 75
    for column in ("source_publisher", "source_title", "source_date", "source_url"):
        blank = sites.loc[sites[column].str.strip() == "", "site_id"].tolist()
        assert blank == [], f"{column} missing for {blank}"
    assert sites["source_url"].str.fullmatch(r"https?://[^\s]+").all()
    assert sites["source_date"].str.fullmatch(r"(\d{1,2} )?[A-Z][a-z]+ 20\d\d").all()
    # each site is cited by the announcement of its own programme and year
    years = sites["source_date"].str[-4:].astype(int)
    assert (years == sites["announced"].str[:4].astype(int)).all()
    assert sites.set_index("site_id").loc["vg15-morecambe-bay", "source_publisher"] == "NHS North Cumbria CCG"


def test_no_seed_file_name_reaches_a_reader():
    sites = read_site_lists()
    readers = columns.reader_frame(sites, full=True)
    cells = [str(v) for v in readers.to_numpy().ravel()] + list(readers.columns)
    assert not [c for c in cells if SEED_FILE.search(c)]
    assert not SEED_FILE.search(CITATIONS_FILE.read_text(encoding="utf-8").replace("first seed article", ""))


def test_every_citation_row_applies_to_a_list_or_a_site():
    table = announcements()
    ids = set(read_site_lists()["site_id"])
    assert set(table.index) <= set(SITE_FILES) | ids and set(SITE_FILES) <= set(table.index)


def test_the_dictionary_names_each_column_once_with_its_meaning():
    names = [c.name for c in columns.COLUMNS.values()]
    assert len(names) == len(set(names))
    assert all(c.meaning and c.source and c.kind in columns.KINDS for c in columns.COLUMNS.values())
    assert not [m for m in columns.COLUMNS if m != m.lower() or " " in m]  # keys are machine names


def test_reader_frame_names_types_and_writes_care_models_out():
    sites = read_site_lists().head(3).assign(care_model=["PACS", "Integration pioneer", ""], population=["12", "", "3"])
    readers = columns.reader_frame(sites)
    assert "Site" in readers and "site_id" not in readers and "geocode_name" not in readers
    assert readers["Care model"].tolist() == ["Primary and acute care system (PACS)", "", ""]
    assert str(readers["Population covered"].dtype) == "Int64" and readers["Population covered"].isna().tolist() \
        == [False, True, False]
    assert readers["Announced"].iloc[0] == dt.date(2015, 3, 10)
    assert str(readers["NHS England vanguard number"].dtype) == "Int64"
    full = columns.reader_frame(sites.assign(extra="x"), full=True)
    assert {"Name geocoded", "Footprint evidence", "extra"} <= set(full.columns)
    assert "extra" not in columns.reader_frame(sites.assign(extra="x"))


def test_an_uploaded_list_keeps_its_own_columns_in_place():
    frame = pd.DataFrame({"row": [1, 2], "site_name": ["Wirral", "Leeds"], "Geocoding status": ["mine", "mine"],
                          "geocoded_status": ["matched", "ambiguous"], "population": ["5", ""]})
    names = {"row": "row", "status": "geocoded_status"}
    readers = columns.reader_list(frame, names)
    assert list(readers.columns) == ["Row", "site_name", "Geocoding status", "population", "Geocoding status (atlas)"]
    assert readers["Geocoding status (atlas)"].tolist() == ["matched", "ambiguous"]
    assert readers["population"].tolist() == ["5", ""]  # the user's own column, untouched
    mine = columns.reader_list(pd.DataFrame({"geocoded_row": [1], "row": [7]}), {"row": "geocoded_row"})
    assert list(mine.columns) == ["Row (atlas)", "row"]  # a clash in any case is marked
    dictionary = columns.data_dictionary(readers.columns)
    assert dictionary.set_index("Column").loc["site_name", "Meaning"] == "Your column, as uploaded"
    assert dictionary.set_index("Column").loc["Geocoding status (atlas)", "Source"].startswith("The atlas's geocoder")


def test_workbook_stores_numbers_and_dates_with_a_filter_and_a_dictionary():
    sites = read_site_lists().assign(population="320900", residents_60_plus_pct="25.34")
    readers = columns.reader_frame(sites)
    book = load_workbook(io.BytesIO(workbook.to_xlsx(readers, ATTRIBUTION, notes=[EXACT_POPULATION_NOTE])))
    sheet = book["Sites"]
    header = [c.value for c in sheet[1]]
    first = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    assert first["Population covered"].value == 320900 and first["Population covered"].number_format == "#,##0"
    assert first["NHS England vanguard number"].value == 1 and first["Wave number"].value == 1
    assert isinstance(first["Announced"].value, dt.datetime) and first["Announced"].is_date
    assert first["Share aged 60+"].value == 25.34 and first["Share aged 60+"].number_format == "0.0"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}{len(sites) + 1}"
    assert sheet.freeze_panes == "A2"
    dictionary = {r[0]: r[1:] for r in book[workbook.DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True)}
    assert set(dictionary) == set(header)
    assert dictionary["Population covered"][1] == "people" and dictionary["Source: address"][0]
    sources = " ".join(str(c.value) for row in book[workbook.SOURCES_SHEET].iter_rows() for c in row if c.value)
    assert "exact sums" in sources


def test_one_number_style():
    assert people(30_618_174) == "30,618,200" and people(54_786_327) == "54,786,300"
    assert people(37) == "fewer than 50" and people(0) == "0" and people(None) == "" and people(pd.NA) == ""
    assert rounded_people(150) == 200 and rounded_people(149) == 100
    assert percent(55.94) == "55.9%" and percent(1, 3) == "33.3%" and percent(float("nan")) == ""
    assert axis_scale(30_000_000) == (1_000_000.0, "millions") and axis_scale(800_000)[1] == "thousands"
    assert axis_label_expression(16_000_000) == "format(datum.value / 1e+06, ',~r')"


def test_care_models_written_out_and_the_programme_kept_apart():
    assert care_model_name("MCP") == "Multispecialty community provider (MCP)"
    assert care_model_name("Integration pioneer") == "" and care_model_name(None) == ""
    assert care_model_code("Primary and acute care system (PACS)") == "PACS" and care_model_code("pacs") == "PACS"
    assert "Integration pioneer" not in flt.CARE_MODELS and len(flt.CARE_MODEL_OPTIONS) == 5
    groups = dict(key_groups(["MCP", "Integration pioneer", "PACS"]))
    assert [m for m, _ in groups["Care model (vanguards)"]] == ["PACS", "MCP"]
    assert groups["Programme"] == [("Integration pioneer", "Integration pioneers (no care model)")]
    legend = legend_html(["PACS", "MCP", "Integration pioneer", "Enhanced health in care homes"])
    for name in ("Primary and acute care system (PACS)", "Multispecialty community provider (MCP)",
                 "Enhanced health in care homes (EHCH)", "Integration pioneers (no care model)"):
        assert name in legend


def test_links_with_short_care_model_names_keep_working():
    checked = flt.check_query({"model": ["MCP", CARE_MODEL_NAMES["PACS"], "Integration pioneer", "Nope"]},
                              ("North of England",), (0, 100))
    assert len(checked.notices) == 1 and "Nope" in checked.notices[0]
    assert flt.care_models_from_link(["MCP", "Integration pioneer"]) == (
        ["Multispecialty community provider (MCP)"], ["Integration pioneer"])
    chosen = flt.filters_from_values(care_models=["Multispecialty community provider (MCP)"])
    assert chosen.care_models == ("MCP",) and chosen.describe() == ["MCP"]
    assert chosen.describe(written_out=True) == ["Multispecialty community provider (MCP)"]
