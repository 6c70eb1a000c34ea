"""Pages and exports as analysts use them (issue 17), in a real browser against the real server.

Files that open as they are (a CSV whose first line is its header, a typed Excel workbook with a
filter and a data dictionary), a source to cite for every site and no seed file name anywhere,
care models written out, and no serious or critical accessibility problem on any page: axe-core
(the copy bundled in the ``axe-playwright-python`` package, installed with the test extras) runs
inside the page, nothing is fetched.
"""

# ruff: noqa: F811 (the fixtures come from test_browser.py and are parameters here)
from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from axe_playwright_python.base import AXE_SCRIPT
from test_browser import (  # noqa: F401 (fixtures)
    FOLIUM,
    TOTAL,
    browser,
    download_workbook,
    drawn,
    footprints_on_map,
    page,
    server,
    settle,
    sites,
    wait_for_count,
    wait_for_grid_rows,
)

from geo.present import filters as flt
from geo.present.wording import CARE_MODEL_NAMES, PIONEERS_LABEL

pytestmark = pytest.mark.browser

SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
PAGES = [("", "People covered"), ("/map", "This view as a picture"), ("/sites", "Download these sites"),
         ("/coverage", "Places in more than one programme"), ("/geocode", "Your site list"), ("/methods", "Limits")]
SOURCE_COLUMNS = ["Source: publisher", "Source: title", "Source: date", "Source: address"]


def open_page(tab, server: str, path: str, wait_for: str) -> None:
    tab.goto(f"{server}{path}")
    tab.get_by_text(wait_for).first.wait_for()
    settle(tab)
    time.sleep(1)  # charts and grids draw a moment after the run


def axe_violations(tab) -> list[dict]:
    """axe-core's violations of the page and its frames (the map, the link check) at its default rules."""
    for frame in tab.frames:
        frame.evaluate(AXE_SCRIPT)
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations'], iframes: true})")
    return result["violations"]


def serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in violations
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("path", "wait_for"), PAGES)
def test_axe_finds_no_serious_or_critical_problem(page, server, path, wait_for):
    open_page(page, server, path, wait_for)
    assert serious(axe_violations(page)) == []
    headings = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:])), headings  # in order
    # the title near the top (Streamlit leaves it 96 px down until the page's style rules arrive)
    page.wait_for_function("() => document.querySelector('h1').getBoundingClientRect().top < 70", timeout=10_000)


def test_a_sites_details_and_an_uploaded_list_have_no_serious_problem(page, server, tmp_path):
    page.goto(f"{server}/map?q=Wirral+Health+and+Social+Care+Economy")
    wait_for_count(footprints_on_map(page), 1)
    footprints_on_map(page).first.click()
    page.get_by_text("Name as announced").wait_for()
    settle(page)
    assert serious(axe_violations(page)) == []
    source = tmp_path / "list.csv"
    source.write_text("site_name,notes\nWirral,a\nSutton,b\nZzyzx Qwerty,c\n", encoding="utf-8")
    open_page(page, server, "/geocode", "Your site list")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(source))
    page.get_by_text("rows of your list").wait_for(timeout=90_000)
    settle(page)
    assert serious(axe_violations(page)) == []


def test_keyboard_focus_is_visible_and_every_tab_stop_is(page, server):
    open_page(page, server, "/sites", "Download these sites")
    current = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').nth(2)  # this page
    style = "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    unfocused = current.evaluate(style)
    stops, focused = [], None
    for _ in range(16):  # skip link, the six page links, then every filter
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
            return [e.tagName, e.getAttribute('data-testid') || e.getAttribute('aria-label') || '', r.width,
                    r.height]; }"""))
        if current.evaluate("e => e === document.activeElement"):
            focused = current.evaluate(style)
    assert not [s for s in stops if s[2] < 4 or s[3] < 4], stops  # no invisible Tab stop
    assert focused == ["solid", "3px"] and unfocused[0] != "solid"  # focus is not the current-page highlight


def test_the_sites_files_open_as_they_are_and_cite_every_site(page, server, tmp_path):
    open_page(page, server, "/sites", f"{TOTAL} of {TOTAL} sites")
    wait_for_grid_rows(page, TOTAL)
    with page.expect_download() as caught:
        page.get_by_role("button", name="rows as CSV").click()
    path = tmp_path / "sites.csv"
    caught.value.save_as(path)
    table = pd.read_csv(path)  # no options: the first line is the header
    assert len(table) == TOTAL and {"Site", "Care model", "Population covered", *SOURCE_COLUMNS} <= set(table)
    assert table[SOURCE_COLUMNS].notna().all().all() and table["Source: address"].str.startswith("http").all()
    assert "geocode_name" not in table and "candidates" not in table.columns  # working columns left out
    assert table["Care model"].dropna().isin(CARE_MODEL_NAMES.values()).all()
    assert not SEED_FILE.search(path.read_text(encoding="utf-8-sig"))

    book = download_workbook(page, "rows as Excel", tmp_path / "sites.xlsx")
    sheet = book["Sites"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    population = [r[header.index("Population covered")] for r in rows]
    assert all(isinstance(c.value, int) for c in population if c.value is not None)
    assert sum(c.value is not None for c in population) == TOTAL - 5  # the five networks have no area
    announced = [r[header.index("Announced")] for r in rows]
    assert all(c.is_date and isinstance(c.value, dt.datetime) for c in announced)
    assert all(isinstance(r[header.index("NHS England vanguard number")].value, int | type(None)) for r in rows)
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:") and sheet.freeze_panes == "A2"
    dictionary = {r[0]: r for r in book["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    assert set(dictionary) == set(header) and all(row[1] for row in dictionary.values())
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if SEED_FILE.search(c)]

    page.get_by_text("Full detail").click()  # the working columns only when asked for
    page.get_by_text("nhs-integration-sites-full_all_").first.wait_for()  # the page names the new files
    settle(page)
    with page.expect_download() as caught:
        page.get_by_role("button", name="rows as CSV").click()
    assert "-full_" in caught.value.suggested_filename
    caught.value.save_as(tmp_path / "full.csv")
    full = pd.read_csv(tmp_path / "full.csv")
    assert len(full) == TOTAL and {"Name geocoded", "Footprint evidence", "Candidates"} <= set(full)
    with page.expect_download() as caught:
        page.get_by_role("button", name="footprints as GeoJSON").click()
    text = Path(caught.value.path()).read_text(encoding="utf-8")
    assert not SEED_FILE.search(text)
    assert all(f["properties"]["Source: title"] for f in json.loads(text)["features"])


def test_no_page_names_a_seed_file(page, server):
    for path, wait_for in PAGES:
        open_page(page, server, path, wait_for)
        assert not SEED_FILE.search(page.locator("body").inner_text()), path
    page.goto(f"{server}/map?q=Wirral+Health+and+Social+Care+Economy")  # a first-wave site: its source was a seed file
    wait_for_count(footprints_on_map(page), 1)
    footprints_on_map(page).first.click()
    page.get_by_text("Name as announced").wait_for()
    details = page.locator('[data-testid="stMain"]').inner_text()
    assert "Source:" in details and "Care projects selected for £200M" in details and "11 March 2015" in details
    assert not SEED_FILE.search(details)


def test_the_map_legend_writes_the_care_models_out(page, server, sites):
    page.goto(f"{server}/map")
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters()))
    legend = page.frame_locator(FOLIUM).locator(".atlas-legend").inner_text()
    for name in [*CARE_MODEL_NAMES.values(), PIONEERS_LABEL]:
        assert name in legend
    assert "\nPACS\n" not in f"\n{legend}\n"  # no bare abbreviation
    page.get_by_role("combobox", name="Care model (vanguards)").click()
    assert page.get_by_role("option", name=CARE_MODEL_NAMES["MCP"]).is_visible()  # the filter too


def test_no_sites_match_says_so_and_clears(page, server):
    page.goto(f"{server}/map?q=no+such+site")
    page.get_by_text("No sites match these filters.").wait_for()
    assert page.locator(FOLIUM).count() == 0 and page.get_by_role("button", name="Download").count() == 0
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Clear filters").click()
    page.locator(FOLIUM).wait_for()
    assert "q=" not in page.url
