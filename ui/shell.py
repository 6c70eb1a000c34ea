"""The frame of every page: page config, the cache check, the atlas's own navigation and the filters.

Each page calls :func:`start` first. That makes a page the same whether ``app.py`` routed to it
with ``st.navigation`` or Streamlit ran it on its own: with a ``pages/`` folder beside the entry
point, Streamlit's older folder-of-pages mode serves a deep link on a freshly started server by
running the page file alone. Streamlit's own page list is switched off in
``.streamlit/config.toml`` (``client.showSidebarNavigation = false``), so the sidebar lists the
six pages below and nothing else, whichever way the page was reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo.cache import CacheError
from geo.config import ConfigError
from geo.present.map_data import MapDataError
from ui import address
from ui.data import atlas, housekeeping, map_urls, population_bounds, regions
from ui.reconnect import reconnect_notice
from ui.sidebar import View, sidebar_filters
from ui.widgets import md


@dataclass(frozen=True)
class PageSpec:
    """One page of the atlas: its file, title, icon and address."""

    path: str
    title: str
    icon: str
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/home:", "overview"),
    PageSpec("pages/map.py", "Map", ":material/map:", "map"),
    PageSpec("pages/sites.py", "Sites", ":material/table:", "sites"),
    PageSpec("pages/coverage.py", "Coverage", ":material/groups:", "coverage"),
    PageSpec("pages/geocode.py", "Geocode a list", ":material/upload_file:", "geocode"),
    PageSpec("pages/methods.py", "Data and methods", ":material/menu_book:", "methods"),
)


def navigation_pages() -> list[st.Page]:
    """The pages for ``st.navigation`` in app.py; the first is the default."""
    return [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=(i == 0))
            for i, p in enumerate(PAGES)]


def configure_page() -> None:
    """Title, favicon and layout. Called before ``st.navigation`` too, or the page's icon becomes the favicon.

    The favicon is an emoji (drawn as an inline SVG): a ":material/...:" icon would be fetched from
    Google's font servers, and the app makes no request to the internet.
    """
    st.set_page_config(page_title="NHS integration atlas", page_icon="🗺️", layout="wide")


#: The atlas's style rules (title higher, readable captions, a visible keyboard focus).
STYLE = Path(__file__).with_name("style.css")


def page_links() -> None:
    """The atlas's own page list. Each link carries the address a move keeps: the filters, and the
    target page's own choices as last seen (see ui.address)."""
    bounds = population_bounds()
    for page in PAGES:
        st.page_link(page.path, label=page.title, icon=page.icon,
                     query_params=address.link_params(page.url_path, bounds))


def start(page: str) -> View:
    """Set the page up (config, style, cache check, address, navigation, filters) and return the filtered view.
    ``page`` is the calling page's ``url_path`` (in :data:`PAGES`): the address keeps that page's own choices."""
    configure_page()
    st.html(STYLE)  # style only: Streamlit adds it without taking space on the page
    try:
        atlas()
    except (FileNotFoundError, CacheError, ConfigError) as problem:  # say how to rebuild rather than show a traceback
        st.error(f"The geography cache cannot be used: {md(problem)}. Rebuild it with `bash scripts/run.sh` "
                 "or `python -m geo build`, then reload this page.", icon=":material/error:")
        st.stop()
    housekeeping()
    reconnect_notice()  # invisible unless this page has just moved to another server process
    ignored = address.sync(page, regions(), population_bounds())  # before the links and widgets: they follow it
    with st.sidebar:
        page_links()
    return sidebar_filters(ignored)


def require_map_data() -> None:
    """Stop the page with one line if the map's data files are missing and cannot be written (a read-only
    checkout that `python -m geo build` has not prepared since the code or data changed)."""
    try:
        map_urls()
    except MapDataError as problem:
        st.error(f"The map cannot be drawn: {md(problem)}.", icon=":material/error:")
        st.stop()
