"""Settling a list on the Geocode page in a real browser, one row by mouse and one by keyboard, then
geocoding the downloaded file again on the command line (issue 16's "Done when").

The server, browser and guarded page fixtures are those of test_browser.py: every request that
leaves 127.0.0.1 is blocked and fails the test.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    FOLIUM,
    browser,
    download_csv,
    page,
    read_csv_export,
    screenshot,
    server,
    settle,
    wait_for_count,
)

pytestmark = pytest.mark.browser

ROWS = [("Wirral", "matched"), ("Bradford District CCG", "ambiguous"), ("Zzyzx Qwerty Partnership", "unmatched")]


def metric(tab, label: str) -> str:
    named = tab.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True)
    value = tab.locator('[data-testid="stMetric"]').filter(has=named).locator('[data-testid="stMetricValue"]')
    return value.inner_text()


def chosen_codes(tab) -> str:
    """The typed codes of the reading checked in the radio group (its caption says "areas: ...")."""
    option = tab.locator('[data-testid="stRadioGroup"] > div[data-selected="true"] [data-testid="stRadioCaption"]')
    caption = option.inner_text().replace("\u2060", "")
    return caption.split("areas: ")[1].split(" \u00b7 ")[0].strip()


def test_a_list_is_settled_on_the_page_and_its_download_geocodes_the_same(page, server, cache_dir,  # noqa: F811
                                                                         tmp_path):
    source = tmp_path / "mixed.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["site_name"], *[[name] for name, _ in ROWS]])
    page.goto(f"{server}/geocode")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(source))
    page.get_by_text("Settle the rows not matched (2)").wait_for(timeout=90_000)
    assert (metric(page, "Matched"), metric(page, "Ambiguous"), metric(page, "Unmatched")) == ("1", "1", "1")

    # Row 2 by mouse: its readings are offered; click one, then the button.
    radios = page.locator('[data-testid="stRadio"]')
    radios.get_by_text("NHS Bradford Districts CCG", exact=True).click()
    page.frame_locator(FOLIUM).locator("path.atlas-highlight").first.wait_for()  # the reading, drawn bold
    settle(page)
    mouse_codes = chosen_codes(page)
    page.get_by_role("button", name="Use this reading").click()
    page.get_by_text("Settle the rows not matched (1)").wait_for()
    settle(page)
    assert (metric(page, "Matched"), metric(page, "Ambiguous")) == ("2", "0")

    # Row 3 by keyboard alone: it has no reading, so search; Tab to the readings, an arrow to pick, Enter.
    search = page.get_by_label("Search every area, organisation and town")
    wait_for_count(search, 1)  # the first row's controls are gone
    search.focus()
    page.keyboard.type("Wakefield")
    page.keyboard.press("Enter")
    radios.first.wait_for()
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    second = page.locator('[data-testid="stRadioGroup"] > div').nth(1).locator('[data-testid="stMarkdownContainer"]')
    legend = page.frame_locator(FOLIUM).get_by_text(f"Reading shown: {second.first.inner_text()}")
    legend.wait_for()  # the server has drawn the reading picked by the arrow key
    keyboard_codes = chosen_codes(page)
    assert keyboard_codes != mouse_codes
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText").strip().endswith("Use this reading")
    page.keyboard.press("Enter")
    page.get_by_text("settled").first.wait_for()
    settle(page)
    assert (metric(page, "Matched"), metric(page, "Ambiguous"), metric(page, "Unmatched")) == ("3", "0", "0")
    screenshot(page, "geocode-settled")

    downloaded = tmp_path / "settled.csv"
    _notes, records = download_csv(page, "geocoded (CSV)", downloaded)
    assert [r["areas"] for r in records] == ["", mouse_codes, keyboard_codes]  # your column, added for the choices
    assert [r["Geocoding method"] for r in records][1:] == ["chosen", "chosen"]

    again = tmp_path / "again.csv"
    env = os.environ | {"ATLAS_CACHE_DIR": str(cache_dir)}
    subprocess.run([sys.executable, "-m", "geo", "geocode", str(downloaded), "-o", str(again)], check=True,
                   env=env, capture_output=True, text=True)
    _notes, regeocoded = read_csv_export(again)
    assert [r["status"] for r in regeocoded] == ["matched"] * len(ROWS)  # the command line's machine names
    for before, after in zip(records, regeocoded, strict=True):
        assert (after["ccg_codes"], after["lad_codes"], after["population"]) == (
            before["CCG codes"], before["District codes"], before["Population covered"])
    assert regeocoded[1]["ccg_codes"] == "02R"  # the one CCG chosen, not Bradford's three
