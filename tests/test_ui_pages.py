"""Every page under Streamlit's AppTest: runs cleanly, follows the shared filters, reads and checks the URL.

The folium map itself is a component AppTest cannot look inside; clicks, downloads and the
drawn footprints are checked in a real browser in test_browser.py.

A deep link to a page used to run that page without app.py (see ``ui.shell``);
running pages directly with ``switch_page`` before a first run checks that this cannot happen.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.present.wording import CARE_MODEL_NAMES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["pages/overview.py", "pages/map.py", "pages/sites.py", "pages/coverage.py", "pages/geocode.py",
         "pages/methods.py"]
TOTAL = 75
PIONEERS, VANGUARDS, NO_AREA, TOP = 25, 50, 5, 2800  # no area: national networks; TOP: slider's top


@pytest.fixture
def app(cache_dir):
    """A fresh session of the app (the data caches are shared across sessions, as in a server)."""
    def start(page: str = "pages/overview.py", **params: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        if page != "pages/overview.py":
            at.switch_page(page)  # each page's url_path is its file name, so this works before a first run
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return start


def sidebar_count(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.markdown if "sites** match" in m.value)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def what_is_shown(at: AppTest) -> tuple:
    """Metrics, table sizes and captions of the main area: what a filter should change."""
    return (tuple((m.label, m.value) for m in at.metric), tuple(d.value.shape for d in at.dataframe),
            tuple(c.value for c in at.main.caption))


def test_sidebar_filters_and_count_on_the_landing_page(app):
    at = app()
    assert sidebar_count(at) == f"**{TOTAL} of {TOTAL} sites** match."
    assert [w.label for w in at.sidebar.multiselect] == ["Programme", "Care model (vanguards)",
                                                         "NHS England region (2015)"]
    assert at.sidebar.multiselect[1].options == [CARE_MODEL_NAMES[m] for m in CARE_MODEL_NAMES]  # written out
    assert at.sidebar.select_slider[0].label == "Announced by" and at.sidebar.select_slider[0].value == "September 2015"
    assert at.sidebar.slider[0].value == (0, TOP) and at.sidebar.text_input[0].value == ""
    at.sidebar.multiselect[0].set_value(["Integration pioneer"]).run()
    assert not at.exception and metric(at, "Sites") == f"{PIONEERS} of {TOTAL}"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_follows_the_filters(app, page):
    at = app(page)
    assert sidebar_count(at) == f"**{TOTAL} of {TOTAL} sites** match."
    before = what_is_shown(at)
    at.multiselect(key="programme").set_value(["Integration pioneer"]).run()
    assert not at.exception
    assert sidebar_count(at) == f"**{PIONEERS} of {TOTAL} sites** match."
    if page not in ("pages/geocode.py", "pages/methods.py"):  # those two do not depend on the filters
        assert what_is_shown(at) != before
    at.text_input(key="q").set_value("no site is called this").run()
    assert not at.exception and sidebar_count(at) == f"**0 of {TOTAL} sites** match."


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/sites.py", "pages/coverage.py"])
def test_no_matching_site_says_so_offers_to_clear_and_downloads_nothing(app, page):
    at = app(page, q="no site is called this")
    assert "No sites match these filters." in [i.value for i in at.info]
    assert not at.get("download_button") and not at.dataframe and not at.metric
    at.button(key="clear_filters_page").click().run()
    assert not at.exception and sidebar_count(at) == f"**{TOTAL} of {TOTAL} sites** match."
    assert at.text_input(key="q").value == ""


def test_map_reference_layers_and_shading_can_be_chosen(app):
    at = app("pages/map.py")
    assert at.multiselect(key="map_outlines").value == ["nhs_region"]  # one control: what it says is drawn
    at.multiselect(key="map_outlines").set_value(["lad"]).run()
    at.selectbox(key="map_choropleth").set_value("utla").run()
    assert not at.exception and metric(at, "Footprints drawn") == f"{TOTAL - NO_AREA} of {TOTAL}"


def test_the_old_full_rebuild_map_still_runs_for_the_bench(app, monkeypatch):
    monkeypatch.setenv("ATLAS_MAP_REBUILD", "1")
    at = app("pages/map.py")
    at.selectbox(key="map_choropleth").set_value("ccg").run()
    assert not at.exception and metric(at, "Footprints drawn") == f"{TOTAL - NO_AREA} of {TOTAL}"


def test_overview_headlines_follow_the_filters(app):
    at = app()
    assert metric(at, "Sites") == f"{TOTAL} of {TOTAL}"
    everyone = metric(at, "Share of England")
    at.text_input(key="q").set_value("Sunderland City Council").run()
    assert metric(at, "Sites") == f"1 of {TOTAL}" and metric(at, "Footprints on the map") == "1"
    assert float(metric(at, "Share of England").rstrip("%")) < float(everyone.rstrip("%"))


@pytest.mark.parametrize("models", [["PACS", "MCP"], [CARE_MODEL_NAMES["PACS"], CARE_MODEL_NAMES["MCP"]]])
def test_url_parameters_seed_the_filters(app, models):
    at = app("pages/map.py", programme="Vanguard", model=models, q="")  # short names (older links) or in full
    assert at.multiselect(key="programme").value == ["Vanguard"]
    assert at.multiselect(key="model").value == [CARE_MODEL_NAMES["PACS"], CARE_MODEL_NAMES["MCP"]]
    assert sidebar_count(at) == f"**23 of {TOTAL} sites** match."
    assert metric(at, "Footprints drawn") == "23 of 23"
    assert not at.warning


def test_an_older_link_with_pioneers_as_a_care_model_chooses_the_programme(app):
    at = app("pages/sites.py", model="Integration pioneer")
    assert at.multiselect(key="programme").value == ["Integration pioneer"] and not at.warning
    assert sidebar_count(at) == f"**{PIONEERS} of {TOTAL} sites** match."


def test_announced_by_steps_through_the_programme(app):
    at = app("pages/sites.py", by="March 2015")
    assert at.select_slider(key="by").value == "March 2015"
    assert sidebar_count(at) == f"**{14 + 11 + 29} of {TOTAL} sites** match."
    at.select_slider(key="by").set_value("November 2013").run()
    assert sidebar_count(at) == f"**14 of {TOTAL} sites** match."
    bad = app("pages/sites.py", by="2015-03")
    assert "not an announcement month" in " ".join(w.value for w in bad.warning)
    assert sidebar_count(bad) == f"**{TOTAL} of {TOTAL} sites** match."


def test_population_range_from_the_url(app):
    at = app("pages/sites.py", pop=["300", "2100"])
    assert at.slider(key="pop").value == (300, 2100)
    table = at.dataframe[0].value
    assert 0 < len(table) < TOTAL and (table["Population covered"] >= 300_000).all()


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/coverage.py"])
def test_bad_url_values_give_a_notice_not_an_error(app, page):
    at = app(page, programme=["Vanguard", "<script>alert(1)</script>"], region="Atlantis", pop="lots",
             colour="red")
    notices = html.unescape(" ".join(w.value for w in at.warning))  # shown as text: punctuation as &#NN;
    assert "not a known programme" in notices and "'<script>alert(1)</script>'" in notices
    assert "not a known NHS region" in notices and "pop='lots'" in notices and "'colour'" in notices
    # the good value is kept, the bad ones are ignored
    assert at.multiselect(key="programme").value == ["Vanguard"] and at.multiselect(key="region").value == []
    assert at.slider(key="pop").value == (0, TOP)
    assert sidebar_count(at) == f"**{VANGUARDS} of {TOTAL} sites** match."
    # the notice stays on a rerun and goes once the user changes a filter
    at.run()
    assert len(at.warning) == 4
    at.multiselect(key="model").set_value([CARE_MODEL_NAMES["PACS"]]).run()
    assert not at.exception and not at.warning


def test_clear_filters_resets_every_filter(app):
    at = app("pages/sites.py", programme="Vanguard", q="Wirral", pop=["100", "500"])
    assert sidebar_count(at) == f"**1 of {TOTAL} sites** match."
    at.button[0].click().run()
    assert not at.exception and sidebar_count(at) == f"**{TOTAL} of {TOTAL} sites** match."
    assert at.text_input(key="q").value == "" and at.multiselect(key="programme").value == []
    assert at.slider(key="pop").value == (0, TOP) and len(at.dataframe[0].value) == TOTAL


def test_sites_table_shows_the_filtered_rows_with_status_and_both_downloads(app):
    at = app("pages/sites.py", region="London")
    table = at.dataframe[0].value
    assert sidebar_count(at) == f"**{len(table)} of {TOTAL} sites** match."
    assert all(r == "" or "London" in r.split(";") for r in table["NHS regions of the footprint"])
    assert "Geocoding status" in table and "Care model" in table and "care_model" not in table
    assert table["Source: publisher"].str.len().gt(0).all() and table["Source: address"].str.startswith("http").all()
    assert (table["Population covered"].dropna() % 100 == 0).all()  # quoted as ONS asks: nearest 100
    labels = [b.label for b in at.get("download_button")]
    assert f"Download these {len(table)} rows as CSV" in labels
    assert f"Download these {len(table)} footprints as GeoJSON" in labels


def test_coverage_counts_each_person_once(app):
    at = app("pages/coverage.py")
    by_model, by_region = at.dataframe[0].value, at.dataframe[1].value
    total = int(metric(at, "People covered (each once)").replace(",", ""))
    assert total % 100 == 0 and metric(at, "Share of England").count(".") == 1  # 55.9%: one decimal
    assert by_model["Sites"].sum() == TOTAL
    # regions partition the people covered (each figure rounded to the nearest 100)
    assert abs(by_region["Population covered"].sum() - total) <= 50 * (len(by_region) + 1)
    assert by_model["Population covered"].sum() >= total  # care models overlap (pioneers contain vanguards)
    assert "Multispecialty community provider (MCP)" in set(by_model["Care model, or programme"])
    assert "Integration pioneers (no care model)" in set(by_model["Care model, or programme"])
    assert "Places in more than one programme" in [h.value for h in at.header]
    charts = [json.loads(c.proto.spec)["encoding"] for c in at.get("vega_lite_chart")]
    assert [c["y"]["field"] for c in charts] == ["Care model, or programme", "NHS region", "District"]
    assert charts[0]["x"]["field"] == "Population covered" and charts[0]["x"]["title"].endswith("(millions)")
    assert charts[2]["x"]["title"].endswith("(thousands)")  # axes in thousands or millions, not 8,000,000


def test_methods_lists_sources_basis_and_region_mismatches(app):
    from geo.sources import POPULATION_BASIS
    from ui.widgets import md

    at = app("pages/methods.py")
    text = " ".join(m.value for m in at.markdown)
    assert "Martin Chorley" in text and "SAPE18DT5" in text and "NHS North Cumbria CCG" in text
    assert md(POPULATION_BASIS) in text and "RECONCILIATION.md" in text and "000_1bc2f922438282d7" not in text
    assert "Contents" in text and [h.value for h in at.header][:2] == ["The sites", "How footprints are drawn"]
    checks = at.dataframe[0].value
    assert "East and North Hertfordshire" in " ".join(checks["Site"])


GOOD_CSV = (
    "site_name,my_notes,status\r\n"
    "Wirral Health and Social Care Economy,keep me,mine\r\n"
    "\"=HYPERLINK(\"\"http://evil\"\")\",formula,\r\n"
    "Sunderland,,\r\n"
    "Zzyzx Qwerty Partnership,nonsense,\r\n"
)


def test_geocode_page_returns_every_uploaded_row(app):
    at = app("pages/geocode.py")
    guide = [e for e in at.expander if e.label.startswith("How names are read")]
    assert guide and "Council" in guide[0].markdown[0].value  # how to settle an ambiguous row
    at.file_uploader(key="geocode_upload").set_value(("mine.csv", GOOD_CSV.encode("utf-8"), "text/csv")).run()
    assert not at.exception and not at.error
    assert metric(at, "Rows") == "4"
    statuses = sum(int(metric(at, s)) for s in ("Matched", "Ambiguous", "Unmatched"))
    assert statuses == 4
    tables = [d.value for d in at.dataframe]
    shown = [t for t in tables if "Programme site" not in t]  # the tables by status
    assert sum(len(t) for t in shown) == 4
    assert sorted(r for t in shown for r in t["Row"]) == [1, 2, 3, 4]
    assert all("Geocoding status" in t and "site_name" in t for t in shown)  # your column keeps its name
    (overlap,) = [t for t in tables if "Programme site" in t]  # your list beside the programme: every row once+
    assert set(overlap["Row"]) == {1, 2, 3, 4}
    labels = [b.label for b in at.get("download_button")]
    assert "Download all 4 rows, geocoded (CSV)" in labels
    assert "Download all 4 rows, geocoded (Excel)" in labels and "Download the overlap (CSV)" in labels
    assert "Download all 4 rows with footprints (GeoJSON)" in labels


@pytest.mark.parametrize(("name", "data", "says"), [
    ("big.csv", b"site_name\n" + b"x" * 5_000_001, "limit is 5 MB"),
    ("book.xlsx", b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file"),
    ("names.csv", b"name,region\nWirral,North\n", "no 'site_name' column"),
    ("empty.csv", b"", "empty"),
])
def test_geocode_page_says_what_to_fix_in_a_bad_file(app, name, data, says):
    at = app("pages/geocode.py")
    at.file_uploader(key="geocode_upload").set_value((name, data, "text/csv")).run()
    assert not at.exception
    (error,) = at.error
    assert says in html.unescape(error.value) and "Could not read" in error.value


def test_without_a_built_cache_the_app_says_how_to_build_it(monkeypatch, tmp_path):
    from ui import data

    data.atlas.clear()
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path))
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        (error,) = at.error
        assert "python -m geo build" in error.value
    finally:
        data.atlas.clear()  # the next session opens the real cache again
