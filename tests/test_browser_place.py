# ruff: noqa: F811 (the fixtures imported from test_browser are parameters of the tests)
"""What covers this place, in a real browser (issue 15): a place typed on the Map page, an ambiguous one
settled, a point clicked where sites overlap, and the way in from the Overview.

The server, browser and guarded page fixtures are those of test_browser.py: every request that
leaves 127.0.0.1 is blocked and fails the test. Expected answers come from ``geo.present.places``
on the test's own atlas and bundled sites, the function the page calls.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    FOLIUM,
    browser,
    footprints_on_map,
    map_frame,
    page,
    screenshot,
    server,
    settle,
    sites,
    wait_for_count,
)
from test_browser_analysts import axe_violations, serious

from geo.geocode.ladder import Geocoder
from geo.present import folium_map as mapping
from geo.present.places import SiteCover, SiteShapes, covers, sites_at_point
from geo.present.wording import rounded_people

pytestmark = pytest.mark.browser

BOX = "What covered this place?"
WAKEFIELD = (53.683, -1.499)  # where a PACS, a pioneer, an MCP, the urgent care network and a hospital chain meet


@pytest.fixture(scope="module")
def answers(atlas, sites):
    frame, footprints = sites
    geocoder, cover = Geocoder(atlas), SiteCover(atlas, frame, footprints)
    return lambda place: covers(geocoder, cover, place)


CELLS = '[role="gridcell"], [role="columnheader"]'


def grid_texts(tab, key: str) -> list[list[str]]:
    """The cells of a table's rows as the grid's accessible table holds them (header first; values unformatted)."""
    grid = tab.locator(f'.st-key-{key}_box [role="grid"]').first
    grid.wait_for(state="attached")  # the accessible table is hidden behind the drawn grid
    return grid.evaluate("(g, cells) => Array.from(g.querySelectorAll('[role=\"row\"]')).map("
                         "r => Array.from(r.querySelectorAll(cells)).map(c => c.innerText.trim()))", CELLS)


def ask(tab, place: str) -> None:
    box = tab.get_by_role("textbox", name=BOX)
    box.fill(place)
    box.press("Enter")
    settle(tab)


def test_halifax_lists_the_calderdale_mcp_and_the_west_yorkshire_network_with_their_shares(page, server, answers):
    expected = answers("Halifax").sites
    assert {"vg15-calderdale", "uec15-west-yorkshire"} <= set(expected["site_id"])
    page.goto(f"{server}/map")
    footprints_on_map(page).first.wait_for()
    ask(page, "Halifax")
    page.get_by_role("heading", name="What covered Halifax (town in Calderdale)").wait_for()
    page.wait_for_url("**place=Halifax**")
    assert parse_qs(urlparse(page.url).query)["place"] == ["Halifax"]
    rows = grid_texts(page, "place_sites")
    header, body = rows[0], [r for r in rows[1:] if r]
    assert header[:3] == ["Site", "Share of the place", "Residents in both"]  # the answer first
    assert [r[0] for r in body] == list(expected["display_name"])
    share, residents = header.index("Share of the place"), header.index("Residents in both")
    for row, want in zip(body, expected.itertuples(), strict=True):
        assert float(row[share]) == want.share_of_place_pct  # the grid's accessible cells hold the values
        assert int(row[residents]) == rounded_people(want.people_in_both)  # rounded to 100 on the page
    named = dict(zip(expected["site_id"], (r[0] for r in body), strict=True))
    assert "Calderdale" in named["vg15-calderdale"] and "West Yorkshire" in named["uec15-west-yorkshire"]
    # the place is outlined on the map, with its line in the legend
    page.frame_locator(FOLIUM).locator("path.atlas-place").first.wait_for()
    assert "Halifax (town in Calderdale)" in page.frame_locator(FOLIUM).locator(".atlas-legend").inner_text()
    assert serious(axe_violations(page)) == []
    screenshot(page, "map-place-halifax")
    # the link is the answer: opened fresh, it shows the same table
    page.goto(page.url)
    page.get_by_role("heading", name="What covered Halifax (town in Calderdale)").wait_for()
    assert [r[0] for r in grid_texts(page, "place_sites")[1:] if r] == list(expected["display_name"])


def test_an_ambiguous_place_asks_which_reading_and_puts_its_codes_in_the_address(page, server, answers):
    readings = answers("Newcastle").reading.readings
    (chosen,) = [r for r in readings if r.candidate.label == "Newcastle-under-Lyme"]
    expected = answers(chosen.candidate.codes).sites
    assert len(readings) >= 2 and len(expected)
    page.goto(f"{server}/map?place=Newcastle")
    question = page.get_by_role("radiogroup", name="Which place do you mean?")
    question.wait_for()
    assert question.inner_text().count("codes: ") == len(readings)  # each reading shows the codes that choose it
    assert serious(axe_violations(page)) == []
    question.get_by_text(chosen.candidate.label, exact=True).click()
    page.get_by_role("heading", name="What covered Newcastle-under-Lyme").wait_for()
    page.wait_for_url("**place=lad%3A**")
    assert parse_qs(urlparse(page.url).query)["place"] == [chosen.candidate.codes]
    assert [r[0] for r in grid_texts(page, "place_sites")[1:] if r] == list(expected["display_name"])


def test_a_point_clicked_where_sites_overlap_lists_every_site_there(page, server, atlas, sites):
    frame, footprints = sites
    expected = sites_at_point(SiteShapes(mapping.footprint_geometries(atlas, footprints)), frame, *WAKEFIELD)
    assert len(expected) >= 4
    page.goto(f"{server}/map")
    wait_for_count(footprints_on_map(page), sum(1 for s in frame["site_id"] if footprints.get(s)))
    settle(page)
    leaflet = map_frame(page)
    leaflet.evaluate("([lat, lon]) => window.map.setView([lat, lon], 11, {animate: false})", list(WAKEFIELD))
    x, y = leaflet.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                            " return [p.x, p.y]; }", list(WAKEFIELD))
    box = page.locator(FOLIUM).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_role("heading", name="What covered the point").wait_for()
    settle(page)
    listed = [r[0] for r in grid_texts(page, "place_point_sites")[1:] if r]
    assert listed == list(expected["display_name"])  # every site there, not just the one on top


def test_the_overview_opens_the_lookup_on_the_map_with_the_filters_kept(page, server, answers):
    page.goto(f"{server}/overview?programme=Vanguard")
    ask(page, "Halifax")
    page.get_by_role("link", name="What covered \u201cHalifax\u201d? Open it on the map").click()
    page.wait_for_url("**/map?**programme=Vanguard**")  # the filters' widgets write theirs back a moment later
    query = parse_qs(urlparse(page.url).query)
    assert query["place"] == ["Halifax"] and query["programme"] == ["Vanguard"]
    page.get_by_role("heading", name="What covered Halifax (town in Calderdale)").wait_for()
    vanguards = answers("Halifax").sites
    assert [r[0] for r in grid_texts(page, "place_sites")[1:] if r] == \
        list(vanguards.loc[~vanguards["site_id"].str.startswith("ip"), "display_name"])
