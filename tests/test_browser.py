"""The atlas in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run`.

No request may leave 127.0.0.1: every other request is blocked and recorded, and each test
checks that none was made. Screenshots of every page go to test-output/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from geo.build.static_assets import install_static
from geo.geocode.bundled_sites import bundled_sites
from geo.present import filters as flt
from geo.present.columns import COLUMNS
from geo.present.deprivation import FIFTH_COLUMNS
from geo.present.export import FORMULA_STARTS
from geo.present.residents import PROFILE_COLUMNS
from geo.present.wording import key_label

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
TOTAL = 75
FOLIUM = 'iframe[title="streamlit_folium.st_folium"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(root: Path = ROOT, env: dict[str, str] | None = None, log_name: str = "streamlit-server.log",
                     wrap: list[str] = ()):
    """`streamlit run serve.py` (as scripts/run.sh serves it) in ``root`` on a free port of 127.0.0.1, ready
    once /_stcore/health answers; yields the base URL. ``wrap`` goes before the command (e.g. a mount
    namespace)."""
    port = free_port()
    env = {k: v for k, v in (env or os.environ).items() if k not in ("ATLAS_TILES", "ATLAS_TILES_ATTR")}
    OUT.mkdir(exist_ok=True)
    log = (OUT / log_name).open("w")
    proc = subprocess.Popen(
        [*wrap, sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {OUT / log_name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(cache_dir):
    """The atlas served as scripts/run.sh serves it, on a free port of 127.0.0.1."""
    install_static()
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def guarded_context(browser, outside: list[str]):
    """A browser context whose requests may only reach 127.0.0.1; any other is blocked and noted in ``outside``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)

    def guard(route):
        if urlparse(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture
def page(browser, server):
    """A page that may only talk to the app; anything else is blocked and must not happen."""
    outside: list[str] = []
    context = guarded_context(browser, outside)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert outside == [], f"the app reached for the internet: {outside}"


@pytest.fixture(scope="module")
def sites(atlas):
    return bundled_sites(atlas)


def expected_ids(sites, filters: flt.Filters) -> list[str]:
    frame, _footprints = sites
    return list(flt.apply_filters(frame, filters)["site_id"])


def drawn(sites, filters: flt.Filters) -> int:
    _frame, footprints = sites
    return sum(1 for s in expected_ids(sites, filters) if footprints.get(s))


def sidebar_count(tab) -> str:
    return tab.locator('[data-testid="stSidebar"] strong').filter(has_text="sites").first.inner_text()


def settle(tab) -> None:
    """Wait until Streamlit has finished the current run."""
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def screenshot(tab, name: str) -> None:
    """A full-page screenshot: Streamlit scrolls inside its main area, so grow the window to fit it."""
    settle(tab)
    height = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    tab.set_viewport_size({"width": 1400, "height": max(1000, int(height) + 40)})
    time.sleep(1.5)  # tables (canvas grids) redraw after the resize
    tab.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1400, "height": 1000})


def footprints_on_map(tab):
    return tab.frame_locator(FOLIUM).locator("path.atlas-footprint")


def wait_for_count(locator, count: int) -> None:
    deadline = time.monotonic() + 30
    while locator.count() != count:
        if time.monotonic() > deadline:
            assert locator.count() == count
        time.sleep(0.2)


def grid_rows(tab) -> int:
    """Rows of the first data table, from its accessibility grid (header excluded)."""
    return int(tab.locator('[data-testid="stDataFrame"] [role="grid"]').first.get_attribute("aria-rowcount")) - 1


def wait_for_grid_rows(tab, rows: int) -> None:
    """Wait until the table shows ``rows`` rows (it redraws a moment after the script run)."""
    tab.wait_for_function(
        "n => { const g = document.querySelector('[data-testid=\"stDataFrame\"] [role=\"grid\"]');"
        " return g && Number(g.getAttribute('aria-rowcount')) === n + 1; }", arg=rows, timeout=30_000)


def read_csv_export(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    notes = [r[0] for r in rows if len(r) == 1 and r[0].startswith("#")]
    header, body = rows[len(notes)], rows[len(notes) + 1:]
    return notes, [dict(zip(header, r, strict=True)) for r in body]


def assert_formula_safe(records: list[dict[str, str]]) -> None:
    for record in records:
        for value in record.values():
            assert not value.startswith(FORMULA_STARTS), value


def download_csv(tab, button: str, path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Click a CSV download button, save the file to ``path`` and read it (notes, then records)."""
    with tab.expect_download() as caught:
        tab.get_by_role("button", name=button).click()
    caught.value.save_as(path)
    return read_csv_export(path)


def download_workbook(tab, button: str, path: Path):
    """Click an Excel download button, check it sends an .xlsx file, save it to ``path`` and open it."""
    with tab.expect_download() as caught:
        tab.get_by_role("button", name=button).click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    caught.value.save_as(path)
    return load_workbook(path)


@pytest.mark.parametrize(("query", "filters"), [
    ("?programme=Vanguard&model=MCP", flt.Filters(programmes=("Vanguard",), care_models=("MCP",))),
    ("", flt.Filters()),
])
def test_map_draws_one_footprint_per_filtered_site(page, server, sites, query, filters):
    # The first test opens a filtered /map on a freshly started server: a deep link must still
    # run app.py, or the filters in the link would be ignored (see ui.shell).
    page.goto(f"{server}/map{query}")
    expected = drawn(sites, filters)
    assert 0 < expected <= len(expected_ids(sites, filters))
    wait_for_count(footprints_on_map(page), expected)
    assert page.get_by_text(f"{expected} of {len(expected_ids(sites, filters))}").first.is_visible()
    legend = page.frame_locator(FOLIUM).locator(".atlas-legend")
    assert "Care model" in legend.inner_text()
    if not query:
        screenshot(page, "map")


def test_clicking_a_footprint_shows_its_details(page, server, sites):
    frame, _footprints = sites
    (site_id,) = expected_ids(sites, flt.Filters(search="Sunderland City Council"))
    name = frame.set_index("site_id").loc[site_id, "display_name"]
    page.goto(f"{server}/map?q=Sunderland+City+Council")
    wait_for_count(footprints_on_map(page), 1)
    assert page.get_by_text("Click a footprint").is_visible()
    footprints_on_map(page).first.click()
    page.get_by_text("Name as announced").wait_for()
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("heading", name=name).is_visible()
    details = main.inner_text()
    assert "Population covered" in details and "Geocoding" in details and "CCGs (2015)" in details
    assert "Residents by deprivation (IMD 2015, national fifths of LSOAs)" in details
    assert "most deprived fifth" in details and "Average IMD rank: percentile" in details
    screenshot(page, "map-site-details")


def test_panning_and_zooming_do_not_rerun_the_app(page, server):
    sent: list[int] = []  # messages from the browser to the server; each rerun request is one
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    page.goto(f"{server}/map?q=Sunderland+City+Council")
    wait_for_count(footprints_on_map(page), 1)
    settle(page)
    time.sleep(1)
    before = len(sent)
    page.frame_locator(FOLIUM).locator(".leaflet-control-zoom-out").click()
    box = page.locator(FOLIUM).bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 180, box["y"] + 340, steps=10)
    page.mouse.up()
    page.frame_locator(FOLIUM).locator(".leaflet-control-zoom-in").click()
    time.sleep(3)
    assert len(sent) == before
    # the same measure sees a click on a footprint, which must rerun to show the details
    footprints_on_map(page).first.click()
    page.get_by_text("Name as announced").wait_for()
    assert len(sent) > before


def test_changing_a_filter_updates_the_url_and_the_count(page, server, sites):
    page.goto(f"{server}/sites")
    page.get_by_text(f"{TOTAL} of {TOTAL} sites").first.wait_for()
    wait_for_grid_rows(page, TOTAL)
    page.get_by_role("combobox", name="Programme").click()
    page.get_by_role("option", name="Integration pioneer").click()
    page.keyboard.press("Escape")
    expected = len(expected_ids(sites, flt.Filters(programmes=("Integration pioneer",))))
    page.get_by_text(f"{expected} of {TOTAL} sites").first.wait_for()
    page.wait_for_url("**programme=Integration+pioneer**")
    assert parse_qs(urlparse(page.url).query) == {"programme": ["Integration pioneer"]}
    assert sidebar_count(page) == f"{expected} of {TOTAL} sites"
    wait_for_grid_rows(page, expected)
    # the link is the view: opening it fresh gives the same filtered page
    page.goto(page.url)
    page.get_by_text(f"{expected} of {TOTAL} sites").first.wait_for()
    wait_for_grid_rows(page, expected)


def test_sites_downloads_have_exactly_the_tables_rows(page, server, sites, tmp_path):
    filters = flt.Filters(care_models=("MCP", "PACS"), regions=("North of England",))
    ids = expected_ids(sites, filters)
    page.goto(f"{server}/sites?model=MCP&model=PACS&region=North+of+England")
    page.get_by_text(f"{len(ids)} of {TOTAL} sites").first.wait_for()
    wait_for_grid_rows(page, len(ids))
    shown = grid_rows(page)
    screenshot(page, "sites")
    with page.expect_download() as caught:
        page.get_by_role("button", name="rows as CSV").click()
    download = caught.value
    assert download.suggested_filename.startswith("nhs-integration-sites_mcp_pacs_north-of-england_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    notes, records = read_csv_export(path)
    assert notes == [] and len(records) == shown and [r["Site id"] for r in records] == ids  # header first
    assert "Martin Chorley" in page.locator('[data-testid="stMain"]').inner_text()  # credit beside the button
    assert_formula_safe(records)
    with page.expect_download() as caught:
        page.get_by_role("button", name="footprints as GeoJSON").click()
    geojson = json.loads(Path(caught.value.path()).read_text(encoding="utf-8"))
    assert [f["properties"]["Site id"] for f in geojson["features"]] == ids
    assert any("Martin Chorley" in line for line in geojson["attribution"])
    assert all(f["geometry"] for f in geojson["features"])
    assert {c["Column"] for c in geojson["columns"]} == set(geojson["features"][0]["properties"])
    assert all(int(r["Residents aged 0-15"]) + int(r["Residents aged 16-59"]) + int(r["Residents aged 60+"]) > 0
               for r in records)
    profile = [COLUMNS[c].name for c in PROFILE_COLUMNS]  # what `python -m geo sites` writes, for readers
    assert [c for c in records[0] if c in profile] == profile
    fifths = [COLUMNS[c].name for c in FIFTH_COLUMNS.values()]
    assert all(sum(round(float(r[c]) * 10) for c in fifths) == 1000 for r in records)
    book = download_workbook(page, "rows as Excel", tmp_path / "sites.xlsx")
    assert book.sheetnames == ["Sites", "Data dictionary", "Sources"]
    header = [c.value for c in book["Sites"][1]]
    assert [row[header.index("Site id")] for row in book["Sites"].iter_rows(min_row=2, values_only=True)] == ids


def hospitals_on_map(tab):
    return tab.frame_locator(FOLIUM).locator("path.atlas-hospital")


def test_a_later_wave_hospital_network_is_drawn_with_its_hospitals(page, server, sites):
    filters = flt.Filters(care_models=("Acute care collaboration",), search="Salford Wigan")
    (site_id,) = expected_ids(sites, filters)
    page.goto(f"{server}/map?model=Acute+care+collaboration&q=Salford+Wigan")
    wait_for_count(footprints_on_map(page), 1)
    wait_for_count(hospitals_on_map(page), 4)  # Salford Royal, Royal Albert Edward, Leigh, Wrightington
    legend = page.frame_locator(FOLIUM).locator(".atlas-legend").inner_text()
    assert "Care model" in legend and "Acute care collaboration" in legend and "Hospitals" in legend
    page.locator(FOLIUM).evaluate("el => el.scrollIntoView({block: 'center'})")  # the whole map in the window
    hospitals_on_map(page).last.click()  # a hospital selects its site, as a footprint does
    page.get_by_text("Name as announced").wait_for()
    details = page.locator('[data-testid="stMain"]').inner_text()
    assert "Salford and Wigan Foundation Chain" in details and "hospital sites of member trusts" in details
    assert "Published population" in details and "2,000,000" in details and "Population check" in details
    screenshot(page, "map-hospital-network")


def test_a_national_network_has_hospitals_but_no_area(page, server, sites):
    (site_id,) = expected_ids(sites, flt.Filters(search="Moorfields"))
    page.goto(f"{server}/map?q=Moorfields")
    wait_for_count(hospitals_on_map(page), 3)
    assert footprints_on_map(page).count() == 0
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("No area footprint").wait_for()
    page.locator(FOLIUM).evaluate("el => el.scrollIntoView({block: 'center'})")  # the whole map in the window
    hospitals_on_map(page).last.click()
    page.get_by_text("Name as announced").wait_for()
    details = main.inner_text()
    assert "no area footprint" in details and "none claimed" in details
    page.goto(f"{server}/coverage?q=Moorfields")
    main.get_by_text("Left out of every total").wait_for()
    assert "Moorfields" in main.inner_text()


def test_the_programme_grows_by_announcement(page, server, sites):
    expected = len(expected_ids(sites, flt.Filters(announced_by="2015-03")))
    page.goto(f"{server}/sites?by=March+2015")
    page.get_by_text(f"{expected} of {TOTAL} sites").first.wait_for()
    wait_for_grid_rows(page, expected)
    assert expected == 14 + 11 + 29


UPLOAD = [
    ("Wirral Health and Social Care Economy", "a"),
    ("=HYPERLINK(\"http://example.invalid\",\"click\")", "formula"),
    ("Whitstable Medical Practice", ""),
    ("Zzyzx Qwerty Partnership", "nonsense"),
    ("Sunderland", "+44 1234"),
]


def test_geocode_page_accepts_a_file_and_returns_one_row_per_input_row(page, server, tmp_path):
    source = tmp_path / "my sites.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["site_name", "my_column"])
        writer.writerows(UPLOAD)
    page.goto(f"{server}/geocode")
    page.get_by_text("Your site list").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(source))
    rows = page.locator('[data-testid="stMetric"]').filter(has_text="Rows")
    rows.wait_for(timeout=60_000)
    assert rows.locator('[data-testid="stMetricValue"]').inner_text() == str(len(UPLOAD))
    page.frame_locator(FOLIUM).locator("path.atlas-list").first.wait_for()  # your list, over the programme's
    page.frame_locator(FOLIUM).locator("path.atlas-footprint").first.wait_for()
    page.get_by_text("rows of your list").wait_for()
    screenshot(page, "geocode")
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download the overlap (CSV)").click()
    overlap_path = tmp_path / "overlap.csv"
    caught.value.save_as(overlap_path)
    _notes, overlap = read_csv_export(overlap_path)
    assert {r["Row"] for r in overlap} == {str(i) for i in range(1, len(UPLOAD) + 1)}
    assert any("Wirral" in r["Programme site"] for r in overlap if r["Row"] == "1")
    assert_formula_safe(overlap)
    book = download_workbook(page, "geocoded (Excel)", tmp_path / "geocoded.xlsx")
    assert book.sheetnames == ["Geocoded list", "Data dictionary", "Sources"]
    names = [c.value for c in book["Geocoded list"]["B"]][1:]
    assert names[1] == UPLOAD[1][0] and book["Geocoded list"]["B3"].data_type == "s"
    with page.expect_download() as caught:
        page.get_by_role("button", name="geocoded (CSV)").click()
    path = tmp_path / "geocoded.csv"
    caught.value.save_as(path)
    _notes, records = read_csv_export(path)
    assert len(records) == len(UPLOAD)
    assert [r["Row"] for r in records] == [str(i) for i in range(1, len(UPLOAD) + 1)]
    assert [r["my_column"].lstrip("'") for r in records] == [c for _, c in UPLOAD]  # your columns as uploaded
    assert [r["site_name"].lstrip("'") for r in records] == [n for n, _ in UPLOAD]
    assert {r["Geocoding status"] for r in records} <= {"matched", "ambiguous", "unmatched"}
    wirral = records[0]  # a geocoded row gets its footprint's deprivation, a row with none gets none
    assert wirral["Geocoding status"] == "matched" and float(wirral["Most deprived fifth"]) > 0
    assert all(r["Most deprived fifth"] == "" for r in records if r["Geocoding status"] == "unmatched")
    assert_formula_safe(records)


def test_geocode_page_explains_a_bad_file(page, server, tmp_path):
    source = tmp_path / "names.csv"
    source.write_text("name,region\nWirral,North\n", encoding="utf-8")
    page.goto(f"{server}/geocode")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(source))
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    assert "site_name" in error.inner_text()


@pytest.mark.parametrize(("path", "name", "wait_for"), [
    ("", "overview", "People covered"),
    ("/coverage", "coverage", "Places in more than one programme"),
    ("/methods", "methods", "Limits"),
    ("/geocode", "geocode-empty", "Your site list"),
])
def test_every_page_renders_offline(page, server, path, name, wait_for):
    page.goto(f"{server}{path}")
    page.get_by_text(wait_for).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, name)


def test_a_bad_link_shows_a_notice(page, server):
    page.goto(f"{server}/map?programme=Vanguard&programme=Nope&pop=lots")
    page.get_by_text("not a known programme").wait_for()
    assert page.get_by_text("pop='lots'").is_visible()
    assert sidebar_count(page) == f"50 of {TOTAL} sites"  # the vanguards
    assert page.locator('[data-testid="stException"]').count() == 0


# --- the map as analysts use it (issue 11) ---------------------------------------------------------

VIEWPORT_AREA = 1400 * 1000


def map_frame(tab):
    """The folium component's frame (to read Leaflet's state inside it)."""
    tab.locator(FOLIUM).wait_for()
    for _ in range(100):
        for frame in tab.frames:
            if "streamlit_folium" in frame.url and frame.evaluate("() => !!window.map"):
                return frame
        time.sleep(0.1)
    raise AssertionError("no map frame")


def visible_area(box: dict) -> float:
    width = max(0.0, min(box["x"] + box["width"], 1400) - max(box["x"], 0))
    height = max(0.0, min(box["y"] + box["height"], 1000) - max(box["y"], 0))
    return width * height


def test_map_fills_most_of_the_viewport_with_a_place_label_in_view(page, server, sites):
    page.goto(f"{server}/map")
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters()))
    settle(page)
    box = page.locator(FOLIUM).bounding_box()
    assert visible_area(box) / VIEWPORT_AREA >= 0.35, box  # the site's details beside it (issue 15)
    labels = page.frame_locator(FOLIUM).locator(".atlas-label span")
    labels.first.wait_for()
    inside = 0
    for i in range(labels.count()):
        label = labels.nth(i).bounding_box()
        if label and box["x"] <= label["x"] and label["x"] + label["width"] <= box["x"] + box["width"] \
                and box["y"] <= label["y"] and label["y"] + label["height"] <= min(box["y"] + box["height"], 1000):
            inside += 1
    assert inside >= 5
    assert "London" in page.frame_locator(FOLIUM).locator(".atlas-label").all_inner_texts()


def test_a_clicked_sites_tooltip_stays_inside_the_map(page, server):
    page.goto(f"{server}/map?q=Cornwall")
    wait_for_count(footprints_on_map(page), 1)
    settle(page)
    page.locator(FOLIUM).evaluate("el => el.scrollIntoView({block: 'center'})")  # its bottom edge in the window
    box = page.locator(FOLIUM).bounding_box()
    # Cornwall is the bottom-left corner of the map: click the lowest point of it, near the map's edge
    frame = map_frame(page)
    frame.evaluate("""() => { const r = document.querySelector("path.atlas-footprint").getBoundingClientRect();
        window.map.panBy([0, r.bottom - window.innerHeight - 40], {animate: false}); }""")  # the tip below the edge
    time.sleep(0.5)
    x, y = frame.evaluate("""() => {
        const path = document.querySelector("path.atlas-footprint"), r = path.getBoundingClientRect();
        for (let y = Math.min(Math.floor(r.bottom), window.innerHeight) - 3; y > r.top; y -= 2)
            for (let x = Math.ceil(r.left) + 1; x < r.right; x += 2)
                if (document.elementFromPoint(x, y) === path) return [x, y];
        return null; }""")
    assert y > box["height"] - 40  # at the bottom edge, where an unclamped tooltip would be cut off
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.click(box["x"] + x, box["y"] + y)
    tip = page.frame_locator(FOLIUM).locator(".leaflet-tooltip")
    tip.wait_for()
    assert "Cornwall" in tip.inner_text()
    rect = tip.bounding_box()
    assert box["x"] <= rect["x"] and rect["x"] + rect["width"] <= box["x"] + box["width"], (rect, box)
    assert box["y"] <= rect["y"] and rect["y"] + rect["height"] <= box["y"] + box["height"], (rect, box)
    page.get_by_text("Name as announced").wait_for()


def test_a_filter_change_keeps_the_map_and_its_zoom_and_sends_no_map_document(page, server, sites):
    received: list[bytes | str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(payload)))
    page.goto(f"{server}/map")
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters()))
    settle(page)
    frame = map_frame(page)
    page.frame_locator(FOLIUM).locator(".leaflet-control-zoom-in").click()
    page.frame_locator(FOLIUM).locator(".leaflet-control-zoom-in").click()
    time.sleep(1)
    zoom, centre = frame.evaluate("() => [window.map.getZoom(), window.map.getCenter()]")
    frame.evaluate("() => { window.__still_mounted = true; }")
    received.clear()
    page.get_by_role("combobox", name="Programme").click()
    page.get_by_role("option", name="Integration pioneer").click()
    page.keyboard.press("Escape")
    expected = drawn(sites, flt.Filters(programmes=("Integration pioneer",)))
    wait_for_count(footprints_on_map(page), expected)
    settle(page)
    frame = map_frame(page)
    assert frame.evaluate("() => window.__still_mounted === true")  # the same map, not a new one
    assert frame.evaluate("() => [window.map.getZoom(), window.map.getCenter()]") == [zoom, centre]
    sent = sum(len(p) for p in received)
    assert not any(b"coordinates" in (p if isinstance(p, bytes) else p.encode()) for p in received)
    assert sent < 60_000, sent  # the whole map with footprints and CCG outlines was about 400 KB


def test_the_map_downloads_as_a_picture(page, server, sites, tmp_path):
    page.goto(f"{server}/map?programme=Vanguard")
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters(programmes=("Vanguard",))))
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download the map as PNG").click()
    assert caught.value.suggested_filename.startswith("nhs-integration-map_vanguard_")
    caught.value.save_as(tmp_path / "map.png")
    data = (tmp_path / "map.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download the map as SVG").click()
    caught.value.save_as(tmp_path / "map.svg")
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    assert "Martin Chorley" in svg and "Filters: Vanguard" in svg
    assert "NHS vanguards, 2015" in svg and 'id="map-number-1"' in svg  # titled from the filters, numbered


# --- deprivation (issue 18) ------------------------------------------------------------------------------

def choose_shading(tab, name: str) -> None:
    tab.get_by_role("combobox", name="Shading").click()
    tab.get_by_role("option", name=name, exact=True).click()


def test_the_deprivation_shading_draws_and_switches_off_without_rebuilding_the_map(page, server, sites):
    received: list[bytes | str] = []
    fetched: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(payload)))
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{server}/map")
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters()))
    settle(page)
    frame = map_frame(page)
    frame.evaluate("() => { window.__still_mounted = true; }")
    shading = page.frame_locator(FOLIUM).locator("path.atlas-choropleth")
    legend = page.frame_locator(FOLIUM).locator(".atlas-legend")
    received.clear()
    choose_shading(page, "Deprivation (IMD 2015)")
    wait_for_count(shading, 5)  # England's LSOAs in five fifths
    assert "Deprivation (IMD 2015)" in legend.inner_text() and "Most deprived fifth" in legend.inner_text()
    assert any("/app/static/atlas/shade_imd." in url for url in fetched)  # a static file, fetched once
    # no area came over the websocket (the hospitals' points of the networks shown do, on every run)
    assert not any(b"Polygon" in (p if isinstance(p, bytes) else p.encode()) for p in received)
    assert sum(len(p) for p in received) < 200_000  # a rebuild sends the map's whole HTML, about 600 KB
    fills = frame.evaluate("() => Array.from(document.querySelectorAll('path.atlas-choropleth'))"
                           ".map(p => p.getAttribute('fill'))")
    assert fills == ["#3f3a36", "#6f6760", "#9e958c", "#cbc3ba", "#efeae4"]
    screenshot(page, "map-deprivation")
    choose_shading(page, "None")
    wait_for_count(shading, 0)
    assert "Deprivation" not in legend.inner_text()
    choose_shading(page, "Deprivation (IMD 2015)")  # on again: drawn from the layer already built
    wait_for_count(shading, 5)
    assert sum("/app/static/atlas/shade_imd." in url for url in fetched) == 1
    assert frame.evaluate("() => window.__still_mounted === true")  # the same map all along
    wait_for_count(footprints_on_map(page), drawn(sites, flt.Filters()))


def test_coverage_shows_the_programme_against_england(page, server, sites):
    frame, _footprints = sites
    models = sorted(key_label(m) for m in frame["care_model"].unique())
    page.goto(f"{server}/coverage")
    page.get_by_text("Deprivation of the people covered, by care model").wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="National fifth of deprivation")
    chart.locator("g.mark-rect.role-mark path").first.wait_for()
    rows = 2 + len(models)  # England, every site shown, each care model
    assert chart.locator("g.mark-rect.role-mark path").count() == 5 * rows
    assert chart.locator("g.mark-rule.role-mark line").count() == 1  # England's line
    labels = chart.locator("g.mark-text.role-mark text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert len(labels) == rows and all(0 < float(v) < 100 for v in labels)
    names = chart.text_content()
    assert "England (all residents)" in names and all(m in names for m in models)
    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="England (all residents)")
    assert grid_rows_of(table) == rows
    main = page.locator('[data-testid="stMain"]')
    assert "The dashed line marks England's own share" in main.inner_text()
    chart.scroll_into_view_if_needed()
    screenshot(page, "coverage-deprivation")


def grid_rows_of(table) -> int:
    return int(table.locator('[role="grid"]').first.get_attribute("aria-rowcount")) - 1
