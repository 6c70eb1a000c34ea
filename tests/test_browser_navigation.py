"""The sidebar on a freshly started server lists the atlas's six pages and nothing else (issue 8).

With a ``pages/`` folder beside ``app.py``, Streamlit's older folder-of-pages mode is on until
some session has run ``st.navigation``; it used to list the folder's modules on a first load.
This module gets a server of its own (module-scoped fixtures), so the first load is a cold one.
"""

from __future__ import annotations

import pytest
from test_browser import browser, page, server, settle  # noqa: F401 (fixtures)

from ui.shell import PAGES

pytestmark = pytest.mark.browser


def sidebar_links(tab) -> list[str]:
    """The titles of the page links in the sidebar (each link's text is its icon's name, then its title)."""
    nav = tab.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    nav.first.wait_for()
    settle(tab)
    links = nav.all_inner_texts()
    return [text.strip().splitlines()[-1] for text in links]


def test_twenty_loads_of_a_fresh_server_show_only_the_six_pages(page, server):  # noqa: F811
    titles = [p.title for p in PAGES]
    for _ in range(20):
        page.goto(f"{server}/")
        page.get_by_text("sites match", exact=False).first.wait_for()
        assert sidebar_links(page) == titles
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # Streamlit's own list stays off


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.url_path)
def test_every_page_by_its_own_address_has_the_same_sidebar(page, server, spec):  # noqa: F811
    page.goto(f"{server}/{spec.url_path}")
    page.get_by_text("sites match", exact=False).first.wait_for()
    assert sidebar_links(page) == [p.title for p in PAGES]
