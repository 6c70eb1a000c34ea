"""Links that keep their state (issue 15, item 5): a shared link's filters survive every move between pages,
the first included; Back and Forward show the states the user saw; the Map's outlines and shading are in
its address.

This module gets a server of its own (module-scoped fixtures), so its first load, the shared link itself,
is a fresh server's first request, as when someone opens a link after a restart.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    FOLIUM,
    TOTAL,
    browser,
    expected_ids,
    page,
    server,
    settle,
    sidebar_count,
    sites,
    wait_for_count,
)

from geo.present import filters as flt
from ui.shell import PAGES

pytestmark = pytest.mark.browser

LINK = "programme=Vanguard&region=Midlands+and+East+of+England&by=July+2015"
SHARED = flt.Filters(programmes=("Vanguard",), regions=("Midlands and East of England",), announced_by="2015-07")
#: Each page's title, to know the page the sidebar led to has been drawn.
TITLES = {"overview": "NHS integration atlas", "map": "Map", "sites": "Sites", "coverage": "Coverage",
          "geocode": "Geocode a list", "methods": "Data and methods"}


def count_text(sites, filters: flt.Filters) -> str:  # noqa: F811
    return f"{len(expected_ids(sites, filters))} of {TOTAL} sites"


def params(tab) -> dict[str, list[str]]:
    return parse_qs(urlparse(tab.url).query, keep_blank_values=True)


#: Notes every history entry the app makes or replaces (Streamlit's pushState and replaceState calls).
RECORD_HISTORY = """
  for (const name of ["pushState", "replaceState"]) {
    const original = window.history[name].bind(window.history);
    window.history[name] = (state, title, url) => {
      (window.__history_calls = window.__history_calls || []).push([name, String(url)]);
      return original(state, title, url);
    };
  }
"""


def history_calls(tab) -> list[tuple[str, str]]:
    """The history entries the app has pushed or replaced since the document loaded, with their addresses
    (path and query)."""
    return [(name, url) for name, url in tab.evaluate("() => window.__history_calls || []")]


def path_and_query(tab) -> str:
    parts = urlparse(tab.url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def wait_for_page(tab, url_path: str) -> None:
    """Wait until the page's own title is drawn (the sidebar, drawn before it, is then this run's)."""
    tab.locator('[data-testid="stMain"] h1').filter(has_text=TITLES[url_path]).first.wait_for()
    settle(tab)


def go_by_sidebar(tab, title: str) -> None:
    tab.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(has_text=title).click()


def test_a_shared_link_keeps_its_filters_on_every_page_from_the_first_click(page, server, sites):  # noqa: F811
    shown = count_text(sites, SHARED)
    assert shown != f"{TOTAL} of {TOTAL} sites"  # the link filters something out
    page.add_init_script(RECORD_HISTORY)
    page.goto(f"{server}/map?{LINK}")
    wait_for_page(page, "map")
    assert sidebar_count(page) == shown
    assert history_calls(page) == []  # opening the link makes no history entry of its own
    entries = []
    for spec in [p for p in PAGES if p.url_path != "map"]:
        go_by_sidebar(page, spec.title)
        wait_for_page(page, spec.url_path)
        assert sidebar_count(page) == shown, spec.url_path
        assert params(page) == parse_qs(LINK), spec.url_path  # the address keeps the link's parameters
        entries.append(("pushState", path_and_query(page)))
        assert history_calls(page) == entries, spec.url_path  # one history entry per move: the page shown
    # and back to the Map, where the link began
    go_by_sidebar(page, "Map")
    wait_for_page(page, "map")
    assert sidebar_count(page) == shown and params(page) == parse_qs(LINK)
    # Back goes to the page before, as it was seen, and adds nothing
    page.go_back()
    page.wait_for_url("**/methods?**")
    wait_for_page(page, "methods")
    assert sidebar_count(page) == shown and params(page) == parse_qs(LINK)
    assert len(history_calls(page)) == len(entries) + 1


def choose(tab, box: str, option: str) -> None:
    tab.get_by_role("combobox", name=box).click()
    tab.get_by_role("option", name=option, exact=True).click()
    tab.keyboard.press("Escape")


def test_back_and_forward_show_the_states_the_user_saw(page, server, sites):  # noqa: F811
    page.add_init_script(RECORD_HISTORY)
    page.goto(f"{server}/sites?{LINK}")
    wait_for_page(page, "sites")
    seen = [(page.url, sidebar_count(page))]
    both = flt.Filters(programmes=("Vanguard", "Integration pioneer"), regions=SHARED.regions,
                       announced_by=SHARED.announced_by)
    choose(page, "Programme", "Integration pioneer")
    page.get_by_text(count_text(sites, both)).first.wait_for()
    page.wait_for_url("**programme=Integration+pioneer**")
    seen.append((page.url, sidebar_count(page)))
    page.get_by_role("textbox", name="Search names").fill("Leeds")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Leeds**")
    settle(page)
    seen.append((page.url, sidebar_count(page)))
    assert seen[2][1] == count_text(sites, flt.Filters(programmes=both.programmes, regions=both.regions,
                                                       search="Leeds", announced_by=both.announced_by))
    assert len({count for _url, count in seen}) == 3  # three different views
    # one entry per change, the address of what the change showed, none in between
    assert [(name, f"{urlparse(page.url).scheme}://{urlparse(page.url).netloc}{url}")
            for name, url in history_calls(page)] == [("pushState", url) for url, _count in seen[1:]]
    for step, expected in ((page.go_back, seen[1]), (page.go_back, seen[0]), (page.go_forward, seen[1]),
                           (page.go_forward, seen[2])):
        step()
        page.wait_for_url(expected[0])
        page.get_by_text(expected[1]).first.wait_for()
        settle(page)
        assert (page.url, sidebar_count(page)) == expected
        # the widgets show the state too, and the address stays the one Back or Forward went to
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert ("Integration pioneer" in sidebar) == (expected != seen[0])
        assert len(history_calls(page)) == 2  # Back and Forward add nothing (nor replace the entry)
    # a move after the changes keeps them
    go_by_sidebar(page, "Coverage")
    wait_for_page(page, "coverage")
    assert sidebar_count(page) == seen[2][1] and params(page) == parse_qs(urlparse(seen[2][0]).query)


def outline_chips(tab) -> list[str]:
    box = tab.locator('[data-testid="stMultiSelect"]').filter(has_text="Reference outlines")
    box.locator(".react-aria-ComboBox").wait_for()
    return [tag.get_attribute("aria-label") for tag in box.locator(".react-aria-ComboBox [data-tag]").all()]


def shading_shown(tab) -> str:
    return tab.get_by_role("combobox", name="Shading").input_value()


def test_the_maps_outlines_and_shading_are_in_its_address(page, server, sites):  # noqa: F811
    page.goto(f"{server}/map?{LINK}")
    wait_for_page(page, "map")
    assert outline_chips(page) == ["NHS region"] and "outlines" not in params(page)  # the default: not written
    choose(page, "Reference outlines", "CCG")
    page.wait_for_url("**outlines=ccg**")
    choose(page, "Shading", "Deprivation (IMD 2015)")
    page.wait_for_url("**shading=imd**")
    settle(page)
    address = params(page)
    assert address == {**parse_qs(LINK), "outlines": ["nhs_region", "ccg"], "shading": ["imd"]}
    # the link reloaded (or opened fresh) draws the same map
    page.reload()
    wait_for_page(page, "map")
    assert outline_chips(page) == ["NHS region", "CCG"] and "Deprivation (IMD 2015)" in shading_shown(page)
    wait_for_count(page.frame_locator(FOLIUM).locator("path.atlas-choropleth"), 5)  # the fifths are drawn
    assert sidebar_count(page) == count_text(sites, SHARED) and params(page) == address
    # another page does not carry the Map's choices; the way back to the Map does
    go_by_sidebar(page, "Sites")
    wait_for_page(page, "sites")
    assert params(page) == parse_qs(LINK)
    go_by_sidebar(page, "Map")
    wait_for_page(page, "map")
    assert params(page) == address
    assert outline_chips(page) == ["NHS region", "CCG"] and "Deprivation (IMD 2015)" in shading_shown(page)


def test_no_outlines_is_a_choice_the_address_keeps(page, server):  # noqa: F811
    page.goto(f"{server}/map?outlines=")
    wait_for_page(page, "map")
    assert outline_chips(page) == []
    page.reload()
    wait_for_page(page, "map")
    assert outline_chips(page) == [] and params(page) == {"outlines": [""]}
