"""Hostile links and uploads in a real browser (issue 10): shown as text, nothing fetched from outside.

The server, browser and guarded page fixtures are those of test_browser.py: every request
that leaves 127.0.0.1 is blocked and fails the test.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import browser, page, server, settle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def alerts_text(tab) -> str:
    settle(tab)
    return " ".join(tab.locator('[data-testid="stAlert"]').all_inner_texts()).replace("\u2060", "")


@pytest.mark.parametrize("typed", ["[Sign in again](https://example.org)", "![x](https://example.org/t.png)",
                                   "<img src=https://example.org/i.png>", ":red[big] **bold** $x$",
                                   "x@example.org www.example.org"])
def test_a_link_puts_only_text_into_the_notice(page, server, typed):  # noqa: F811
    page.goto(f"{server}/map?region={quote(typed)}")
    page.locator('[data-testid="stAlert"]').first.wait_for()
    shown = alerts_text(page)
    assert typed in shown  # exactly as typed, no backslashes
    notice = page.locator('[data-testid="stAlert"]').first
    assert notice.locator("a, img, strong, .katex").count() == 0
    time.sleep(1)  # an image would have been requested by now; the page fixture fails on any outside request


def test_a_url_key_written_as_a_link_is_text(page, server):  # noqa: F811
    key = "[Sign in](https://example.org)"
    page.goto(f"{server}/?{quote(key)}=1")
    page.locator('[data-testid="stAlert"]').first.wait_for()
    assert key in alerts_text(page)
    assert page.locator('[data-testid="stAlert"] a').count() == 0


def test_an_upload_with_a_markdown_name_is_named_as_typed(page, server, tmp_path):  # noqa: F811
    name = "[urgent](http:example.org) my_list*v2.csv"  # no "/" in a file name
    path = tmp_path / name
    path.write_bytes(b"name,region\nWirral,North\n")
    page.goto(f"{server}/geocode")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.locator('[data-testid="stAlert"]').first.wait_for()
    shown = alerts_text(page)
    assert f"Could not read {name}" in shown and "\\" not in shown
    assert page.locator('[data-testid="stAlert"] a').count() == 0


def test_an_upload_with_clashing_columns_keeps_them_and_says_so(page, server, tmp_path):  # noqa: F811
    path = tmp_path / "mine.csv"
    path.write_bytes(b"site_name,status,row\nWirral,open,7\nAtlantis,closed,8\n")
    page.goto(f"{server}/geocode")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Row (atlas)").first.wait_for()  # the page's columns have readers' names
    assert "Row (atlas)" in alerts_text(page) and "Geocoding status" not in alerts_text(page)
    with page.expect_download() as caught:
        page.get_by_role("button", name="geocoded (CSV)").click()
    header = Path(caught.value.path()).read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["Row (atlas)", "site_name", "status", "row"] and "Geocoding status" in header


def test_a_link_streamlit_ignores_whole_gets_a_notice(page, server):  # noqa: F811
    """Over 1,000 parameters Streamlit drops the whole query; the browser-side check says so."""
    page.goto(f"{server}/map?programme=Vanguard&" + "&".join(["model=MCP"] * 1005))
    notice = page.frame_locator('[data-testid="stSidebar"] iframe').locator("#notice")
    notice.wait_for(state="visible")
    assert "1,006 parameters" in notice.inner_text() and "no filter" in notice.inner_text()
    assert page.locator('[data-testid="stSidebar"] iframe').bounding_box()["height"] > 40
    page.goto(f"{server}/map?programme=Vanguard")
    settle(page)
    assert not page.frame_locator('[data-testid="stSidebar"] iframe').locator("#notice").is_visible()
