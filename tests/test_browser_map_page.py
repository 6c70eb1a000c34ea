"""The Map page as a page (issue 15): overlaps a reader can tell apart, a map that lives in the page, and a way
to every site's details by keyboard. Real server, Debian's Chromium, no request outside 127.0.0.1.
"""

# ruff: noqa: F811 (the fixtures come from test_browser.py and are parameters here)
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    FOLIUM,
    browser,
    drawn,
    expected_ids,
    footprints_on_map,
    map_frame,
    page,
    server,
    settle,
    sites,
    wait_for_count,
)

from geo.present import filters as flt
from geo.present.atlas_map import MAX_ZOOM
from geo.present.folium_map import ENGLAND_BOUNDS

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 720}
MAIN = '[data-testid="stMain"]'
VIEW = "() => [map.getZoom(), map.getCenter().lat, map.getCenter().lng]"


def open_map(tab, server: str, sites, query: str = "", filters: flt.Filters | None = None) -> None:
    tab.goto(f"{server}/map{query}")
    wait_for_count(footprints_on_map(tab), drawn(sites, filters or flt.Filters()))
    settle(tab)


def page_scroll(tab) -> float:
    return tab.evaluate(f"() => document.querySelector('{MAIN}').scrollTop")


def wheel_over_map(tab, notches: int, dy: int = 100) -> None:
    for _ in range(notches):
        tab.mouse.wheel(0, dy)
        time.sleep(0.15)
    time.sleep(1)  # Leaflet zooms a moment after the wheel stops


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(page, server, sites):
    page.set_viewport_size(LAPTOP)
    open_map(page, server, sites)
    frame = map_frame(page)
    before = frame.evaluate(VIEW)
    box = page.locator(FOLIUM).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wheel_over_map(page, 3)
    assert frame.evaluate(VIEW) == before  # neither the zoom nor the view moved
    assert page_scroll(page) > 0  # the page scrolled instead
    page.evaluate(f"() => {{ document.querySelector('{MAIN}').scrollTop = 0; }}")
    time.sleep(0.5)
    box = page.locator(FOLIUM).bounding_box()
    page.mouse.click(box["x"] + 25, box["y"] + box["height"] / 2)  # the sea at the map's left edge: no site
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wheel_over_map(page, 2, dy=-100)
    assert frame.evaluate(VIEW)[0] > before[0]  # after a click the wheel zooms
    assert page_scroll(page) == 0
    # once the pointer has left the map, the wheel scrolls the page again until the next click, or with Ctrl
    page.mouse.move(box["x"] + box["width"] + 60, box["y"] + 40)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    zoomed = frame.evaluate(VIEW)
    wheel_over_map(page, 1, dy=-100)
    assert frame.evaluate(VIEW) == zoomed
    page.keyboard.down("Control")
    wheel_over_map(page, 1, dy=-100)
    page.keyboard.up("Control")
    assert frame.evaluate(VIEW)[0] > zoomed[0]
    assert "click the map (or hold Ctrl or Cmd) to zoom" in page.locator(MAIN).inner_text()


def test_zoom_runs_from_england_to_a_few_streets(page, server, sites):
    open_map(page, server, sites)
    frame = map_frame(page)
    box = page.locator(FOLIUM).bounding_box()
    page.mouse.click(box["x"] + 25, box["y"] + box["height"] / 2)
    wheel_over_map(page, 6, dy=300)
    lowest, fits = frame.evaluate("b => [map.getZoom(), map.getBounds().contains(L.latLngBounds(b))]",
                                  ENGLAND_BOUNDS)
    assert fits  # all of England in view at the lowest zoom...
    assert frame.evaluate("b => map.getBoundsZoom(L.latLngBounds(b))", ENGLAND_BOUNDS) == lowest  # ...and no less
    assert frame.evaluate("() => { map.setZoom(0, {animate: false}); return map.getZoom(); }") == lowest
    wheel_over_map(page, 12, dy=-300)
    assert frame.evaluate("() => map.getZoom()") == MAX_ZOOM <= 14
    assert frame.evaluate("() => { map.setZoom(18, {animate: false}); return map.getZoom(); }") == MAX_ZOOM
    # the view stays about England: a long drag out to sea comes back within its bounds (plus a tenth)
    frame.evaluate("() => map.setZoom(8, {animate: false})")
    time.sleep(0.5)
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 20, steps=8)
    page.mouse.up()
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 20, steps=8)
    page.mouse.up()
    time.sleep(1)
    (south, west), (north, east) = ENGLAND_BOUNDS
    lat, lng = frame.evaluate("() => [map.getCenter().lat, map.getCenter().lng]")
    assert south - 0.6 <= lat <= north + 0.6 and west - 0.9 <= lng <= east + 0.9, (lat, lng)


def focused(tab) -> str:
    """What has the keyboard focus: a control's accessible name or text (inside the map's frame too)."""
    return tab.evaluate("""() => { let e = document.activeElement;
        if (e.tagName === 'IFRAME') { try { e = e.contentDocument.activeElement; } catch (x) { return 'frame'; } }
        return [e.tagName, e.getAttribute('aria-label') || '', (e.textContent || '').trim().slice(0, 60),
                e.getAttribute('class') || ''].join(' | '); }""")


def test_no_footprint_is_a_tab_stop_and_tab_reaches_the_picture_soon(page, server, sites):
    open_map(page, server, sites)
    frame = map_frame(page)
    assert frame.evaluate("() => document.querySelectorAll('path').length") > 70
    assert frame.evaluate("() => [...document.querySelectorAll('path')].filter(p => p.tabIndex >= 0).length") == 0
    page.get_by_role("textbox", name="Search names").focus()
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        assert "atlas-footprint" not in stops[-1] and not stops[-1].startswith("path")
        if "Download the map as PNG" in stops[-1]:
            break
    assert "Download the map as PNG" in stops[-1], stops
    assert len(stops) < 30


def test_the_site_chooser_shows_a_sites_details_by_keyboard_alone(page, server, sites):
    frame, _footprints = sites
    names = frame.set_index("site_id")["display_name"]
    (site_id,) = expected_ids(sites, flt.Filters(search="Calderdale Health"))
    open_map(page, server, sites)
    page.get_by_role("textbox", name="Search names").focus()
    for _ in range(30):  # to the chooser by Tab alone
        page.keyboard.press("Tab")
        if focused(page).startswith("INPUT | Choose a site"):  # the box itself, not its help button
            break
    assert focused(page).startswith("INPUT | Choose a site")
    page.keyboard.type("Calderdale Health")
    page.keyboard.press("Enter")
    main = page.locator(MAIN)
    main.get_by_role("heading", name=names[site_id]).wait_for()
    assert "Name as announced" in main.inner_text() and "Population covered" in main.inner_text()
    page.wait_for_url(re.compile(r".*[?&]site="))
    assert parse_qs(urlparse(page.url).query)["site"] == [site_id]
    assert map_frame(page).evaluate("() => atlas.state.chosen") == site_id  # drawn with wider lines
    # the address is the view: opened afresh it shows the same site
    page.goto(page.url)
    main.get_by_role("heading", name=names[site_id]).wait_for()


def test_a_click_on_a_footprint_sets_the_chooser_and_the_address(page, server, sites):
    frame, _footprints = sites
    (site_id,) = expected_ids(sites, flt.Filters(search="Sunderland City Council"))
    name = frame.set_index("site_id").loc[site_id, "display_name"]
    open_map(page, server, sites, "?q=Sunderland+City+Council", flt.Filters(search="Sunderland City Council"))
    footprints_on_map(page).first.click()
    page.locator(MAIN).get_by_role("heading", name=name).wait_for()
    page.wait_for_url(re.compile(r".*[?&]site="))
    assert parse_qs(urlparse(page.url).query)["site"] == [site_id]
    chooser = page.get_by_role("combobox", name="Choose a site")
    assert name in chooser.input_value() + chooser.evaluate("e => e.parentElement.parentElement.innerText")


def hex_colour(css: str) -> list[str]:
    """Every colour in a computed CSS value, as lower-case hex (transparent ones left out)."""
    out = []
    for r, g, b, a in re.findall(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css):
        if a == "" or float(a) > 0:
            out.append(f"#{int(r):02x}{int(g):02x}{int(b):02x}")
    return out


def test_every_colour_drawn_for_a_site_is_in_the_legend_and_place_fills_are_opaque(page, server, sites):
    open_map(page, server, sites)
    frame = map_frame(page)
    paths = frame.evaluate("""() => [...document.querySelectorAll(
        'path.atlas-footprint, path.atlas-casing, path.atlas-hospital')].map(p => ({
        cls: p.getAttribute('class'), fill: p.getAttribute('fill'),
        stroke: p.getAttribute('stroke'), fillOpacity: p.getAttribute('fill-opacity'),
        strokeOpacity: p.getAttribute('stroke-opacity'), order: [...p.parentNode.children].indexOf(p)}))""")
    swatches = frame.evaluate("""() => [...document.querySelectorAll('.atlas-legend i')].map(i => {
        const s = getComputedStyle(i); return [s.backgroundColor, s.borderTopColor, s.boxShadow].join(' '); })""")
    legend = {c for swatch in swatches for c in hex_colour(swatch)}
    drawn_colours = {c.lower() for p in paths for c in (p["fill"], p["stroke"]) if c and c != "none"}
    assert drawn_colours <= legend, drawn_colours - legend
    places = [p for p in paths if "atlas-footprint" in p["cls"] and p["fill"] != "none"]
    networks = [p for p in paths if "atlas-footprint" in p["cls"] and p["fill"] == "none"]
    assert places and networks  # both kinds on the map of every site
    assert all(p["fillOpacity"] == "1" for p in places)  # opaque: no blend of two sites' colours
    assert all(p["strokeOpacity"] in (None, "1") for p in paths)
    assert max(p["order"] for p in places) < min(p["order"] for p in networks)  # networks' lines over the fills
    # hovering a footprint widens its line and changes no colour
    network = "atlas.sites.getLayers().find(l => l.feature.properties.network)"
    look = (f"() => {{ const p = {network}._path; "
            "return ['stroke', 'fill', 'stroke-width'].map(a => p.getAttribute(a)); }")
    before = frame.evaluate(look)
    frame.evaluate(f"() => {network}.fire('mouseover')")
    after = frame.evaluate(look)
    assert after[:2] == before[:2] and float(after[2]) > float(before[2])


def test_on_a_laptop_the_legend_and_the_chooser_are_on_the_first_screen(page, server, sites):
    page.set_viewport_size(LAPTOP)
    open_map(page, server, sites)
    time.sleep(1)
    legend = page.frame_locator(FOLIUM).locator(".atlas-legend").bounding_box()
    chooser = page.get_by_role("combobox", name="Choose a site").bounding_box()
    frame_box = page.locator(FOLIUM).bounding_box()
    assert legend["y"] + legend["height"] <= LAPTOP["height"] and legend["height"] > 100  # open, whole
    assert chooser["y"] + chooser["height"] <= LAPTOP["height"]
    assert frame_box["y"] + frame_box["height"] <= LAPTOP["height"]  # the whole map, its zoom buttons too
    assert frame_box["x"] + frame_box["width"] <= chooser["x"]  # the details' column beside the map
    assert frame_box["height"] >= 0.7 * (LAPTOP["height"] - frame_box["y"])  # as tall as the window lets it


def test_on_a_phone_one_finger_scrolls_the_page(browser, server, sites):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    tab = context.new_page()
    try:
        open_map(tab, server, sites)
        frame = map_frame(tab)
        assert frame.evaluate("() => map.dragging.enabled()") is False  # one finger does not pan the map
        assert frame.evaluate("() => map.touchZoom.enabled()") is True  # two fingers zoom and move it
        assert "pan-y" in frame.evaluate("() => getComputedStyle(map.getContainer()).touchAction")
        box = tab.locator(FOLIUM).bounding_box()
        assert box["height"] < 844 - box["y"]  # room below the map to put a finger on the page
        chooser = tab.get_by_role("combobox", name="Choose a site").bounding_box()
        assert chooser["y"] > box["y"] + box["height"]  # the details' column under the map
        sunderland = flt.Filters(search="Sunderland City Council")
        open_map(tab, server, sites, "?q=Sunderland+City+Council", sunderland)
        footprints_on_map(tab).first.tap()  # a tap opens the details
        tab.get_by_text("Name as announced").wait_for()
        assert "site=" in tab.url
    finally:
        context.close()
