"""Hostile links and uploads in a real browser (issue 10): shown as text, nothing fetched from outside.

The server, browser and guarded page fixtures are those of test_browser.py: every request
that leaves 127.0.0.1 is blocked and fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import FOLIUM, browser, page, server, settle  # noqa: F401 (fixtures)

from geo import config

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


# -- issue 20: no stalled server, bounded downloads, files that parse, a read-only checkout ------------------

def upload(tab, server, path: Path) -> None:  # noqa: F811
    """Open the Geocode page and upload ``path``."""
    tab.goto(f"{server}/geocode")
    tab.get_by_text("Your site list").wait_for()
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def rows_metric(tab):
    return tab.locator('[data-testid="stMetric"]').filter(has_text="Rows")


def test_a_hostile_upload_neither_stalls_the_server_nor_makes_another_list_wait(browser, server, tmp_path):  # noqa: F811
    """The audit's upload: two cells of 131,067 characters that made patterns backtrack for minutes, holding
    the GIL (every session stalled: /_stcore/health took 46 s, a second user's list waited 115 s)."""
    hostile = tmp_path / "hostile.csv"
    hostile.write_text("site_name\n" + "\n".join(['"x ' + "and " * 32766 + 'y"', "<" * 131_000]) + "\n")
    mine = tmp_path / "mine.csv"
    mine.write_text("site_name\n" + "\n".join(["Wirral", "Leeds", "Kent County Council", "Salford", "Atlantis"] * 2))
    first, second = browser.new_context(), browser.new_context()
    try:
        attacker, user = first.new_page(), second.new_page()
        upload(attacker, server, hostile)
        started = time.monotonic()
        upload(user, server, mine)
        health = []
        while not rows_metric(user).count() and time.monotonic() - started < 120:
            asked = time.monotonic()
            with urllib.request.urlopen(f"{server}/_stcore/health", timeout=60) as reply:
                assert reply.status == 200
            health.append(time.monotonic() - asked)
            time.sleep(0.2)
        waited = time.monotonic() - started
        rows_metric(attacker).wait_for(timeout=60_000)  # and the hostile list is read too, in seconds
        assert rows_metric(user).count() and waited < 60, f"the second list waited {waited:.0f} s"
        assert max(health) < 5, f"/_stcore/health took {max(health):.1f} s (bench/load.py measures it)"
    finally:
        first.close()
        second.close()


def test_a_file_name_too_long_for_any_disk_gets_404_and_one_short_log_line(server):  # noqa: F811
    from test_browser import OUT

    name = "a" * 300
    for _ in range(50):
        try:
            urllib.request.urlopen(f"{server}/app/static/{name}", timeout=10)
            raise AssertionError("a name no file can have was served")
        except urllib.error.HTTPError as refused:
            assert refused.code == 404
    with urllib.request.urlopen(f"{server}/app/static/vendor/leaflet/leaflet.js", timeout=10) as reply:
        assert reply.status == 200  # real files still served
    log = (OUT / "streamlit-server.log").read_text()
    assert name not in log and "Traceback" not in log and "404 for 1 request(s) with a name over 255 bytes" in log


def test_a_link_repeating_announced_by_or_the_search_gets_a_notice(page, server):  # noqa: F811
    page.goto(f"{server}/sites?by=March+2015&by=July+2015&q=Wirral&q=Leeds")
    page.locator('[data-testid="stAlert"]').first.wait_for()
    shown = alerts_text(page)
    assert "give one month" in shown and "the search takes one text" in shown
    assert page.locator('[data-testid="stAlert"]').count() == 2
    page.goto(f"{server}/sites?" + "&".join(f"region=r{i}" for i in range(300)))
    page.locator('[data-testid="stAlert"]').first.wait_for()
    assert page.locator('[data-testid="stAlert"]').count() == 1 and "and 297 more" in alerts_text(page)


def test_a_hostile_search_or_upload_gives_pages_and_files_that_work(page, server, tmp_path):  # noqa: F811
    """Characters XML cannot hold and "$...$" in a link or a file: no exception, and every file parses
    (a search like this matches no site, so the pages offer no picture or table of it: the fast tier draws
    such text into pictures, tests/test_hostile.py)."""
    from test_browser import download_workbook

    typed = "$\\foo$ $x^2$ \ufffe\uffff\x07"
    for path in ("/map", "/sites"):
        page.goto(f"{server}{path}?q={quote(typed)}")
        page.locator('[data-testid="stSidebar"]').get_by_text("sites").first.wait_for()
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, path
    name = "list \ufffe.csv"  # the workbook's title names the file
    (tmp_path / name).write_text("site_name,notes\nWirral,a\ufffeb\uffff $x^2$\x07\n", encoding="utf-8")
    upload(page, server, tmp_path / name)
    rows_metric(page).wait_for(timeout=60_000)
    book = download_workbook(page, "geocoded (Excel)", tmp_path / "list.xlsx")  # parses
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "ab $x^2$" in cells and "Wirral" in cells


def test_the_geojson_of_300_rows_of_one_region_is_one_footprint(page, server, tmp_path):  # noqa: F811
    import json

    path = tmp_path / "region.csv"
    path.write_text("site_name,areas\n" + "x,E12000008\n" * 300)
    upload(page, server, path)
    rows_metric(page).wait_for(timeout=60_000)
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download the 1 footprint (GeoJSON)").click()
    caught.value.save_as(tmp_path / "list.geojson")
    collection = json.loads((tmp_path / "list.geojson").read_text())
    (feature,) = collection["features"]
    assert feature["properties"]["rows"] == list(range(1, 301)) and feature["geometry"]["type"] == "MultiPolygon"
    assert (tmp_path / "list.geojson").stat().st_size < 2_000_000  # the audit's file was 92 MB


def read_only_copy(tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of this checkout (tracked files, Leaflet, the built cache) prepared by `python -m geo build`, and a
    command prefix that runs a command with that copy read-only: a read-only bind mount in a mount namespace
    of its own as root (write bits do not stop root), or the write bits removed otherwise."""
    from test_browser import ROOT
    from test_hostile import mount_namespace

    copy = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    for rel in tracked.splitlines():
        if (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
    shutil.copytree(ROOT / "static" / "vendor", copy / "static" / "vendor")
    shutil.copytree(ROOT / ".cache", copy / ".cache", ignore=shutil.ignore_patterns("present"))
    subprocess.run([sys.executable, "-m", "geo", "build"], cwd=copy, check=True, capture_output=True,
                   env=os.environ | {"ATLAS_RAW_DIR": str(config.raw_dir()), "ATLAS_CACHE_DIR": str(copy / ".cache")})
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(copy)], check=True)
        return copy, []
    return copy, [*mount_namespace(), "sh", "-c",
                  'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', str(copy)]


def test_the_app_serves_from_a_read_only_checkout_and_cache(browser, tmp_path):  # noqa: F811
    """Every page, the map's layers and shading, an upload and its map: no exception box, nothing written."""
    from test_browser import streamlit_server

    copy, wrap = read_only_copy(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*")}
    env = os.environ | {"ATLAS_CACHE_DIR": str(copy / ".cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        with streamlit_server(copy, env, "streamlit-read-only.log", wrap) as base:
            tab = context.new_page()
            for path, wait in (("", "People covered"), ("/sites", "rows as CSV"), ("/coverage", "Places in more"),
                               ("/methods", "Limits"), ("/map?programme=Vanguard", "Footprints drawn")):
                tab.goto(f"{base}{path}")
                tab.get_by_text(wait).first.wait_for(timeout=60_000)
                settle(tab)
                assert tab.locator('[data-testid="stException"]').count() == 0, path
                assert tab.locator('[data-testid="stAlertContentError"]').count() == 0, path
            tab.frame_locator(FOLIUM).locator("path.atlas-footprint").first.wait_for()
            tab.get_by_role("combobox", name="Shading").click()  # a shading layer: its file is the build's
            tab.get_by_role("option", name="CCG").click()
            settle(tab)
            tab.frame_locator(FOLIUM).locator(".leaflet-atlasShade-pane path").first.wait_for()
            mine = tmp_path / "mine.csv"
            mine.write_text("site_name\nWirral\nLeeds\n")
            upload(tab, base, mine)
            rows_metric(tab).wait_for(timeout=60_000)
            tab.frame_locator(FOLIUM).locator("path.atlas-list").first.wait_for()
            assert tab.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        if os.geteuid() != 0:
            subprocess.run(["chmod", "-R", "u+w", str(copy)], check=True)
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*")} == before  # nothing written or touched
