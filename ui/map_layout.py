"""The Map page's layout: a map as tall as the window with the site's details beside it, and the site chooser.

Why: a map 700 px tall whatever the window put its legend and the details below the fold on a laptop, and
the only way to a site's details was a mouse click on its footprint (issue 15). Here the map's height follows
the window (CSS on the component's frame), the page's columns put the details beside the map on wide screens
and below it on narrow ones (Streamlit stacks columns on a phone), and "Choose a site" shows the same details
as a click, from the keyboard alone, kept in the address as ``site=`` (by :mod:`ui.address`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

#: The widget keys: the map component and the chooser (its value, a site id, is the address's ``site=``).
MAP_KEY = "atlas_map"
SITE_KEY = "site"
#: The container around the map, whose class (``st-key-`` and its key) the style rule below selects.
BOX_KEY = "atlas_map_box"
#: The last map click the chooser followed (streamlit-folium counts clicks on the map's objects).
_CLICK_SEEN = "_map_click_seen"
#: What streamlit-folium must send back: the clicked footprint, and the click's count and point, which tell a
#: new click on the same footprint from the one already followed (the count restarts when the map remounts);
#: and the point clicked anywhere, for which the place lookup lists every site there (ui.place_lookup).
RETURNED = ["last_active_drawing", "last_object_clicked", "last_object_clicked_count", "last_clicked"]
#: The map's frame fills the window below the title (never under 360 px); on a phone it leaves room above and
#: below, so a finger on the page can scroll past it. ``st-key-`` is the class Streamlit gives a keyed container.
_STYLE = f"""<style>
.st-key-{BOX_KEY} iframe {{ height: max(360px, calc(100dvh - 9.5rem)) !important; }}
@media (max-width: 640px) {{ .st-key-{BOX_KEY} iframe {{ height: 70dvh !important; }} }}
</style>"""
HOW_TO_MOVE = ("The wheel scrolls the page: click the map (or hold Ctrl or Cmd) to zoom with it. Drag to move; "
               "on a touch screen one finger scrolls the page and two move and zoom the map.")


def fit_map_to_window() -> None:
    """Make the map's frame as tall as the window allows (style only: takes no space on the page)."""
    st.html(_STYLE)


def map_box():
    """The container the map goes in (``with map_layout.map_box(): st_folium(...)``), sized by the style above."""
    return st.container(key=BOX_KEY)


def clicked_site(value: Mapping | None) -> str | None:
    """The site of a map click not yet followed (a footprint or a hospital carries its site's key), or None."""
    value = value or {}
    click = (value.get("last_object_clicked_count"), str(value.get("last_object_clicked")))
    if not click[0] or click == st.session_state.get(_CLICK_SEEN):
        return None
    st.session_state[_CLICK_SEEN] = click
    feature = value.get("last_active_drawing") or {}
    key = (feature.get("properties") or {}).get("key")
    return str(key) if key else None


def follow_click() -> None:
    """A new click on the map chooses its site. Call before ``shell.start()``: the address then sees the
    chooser changed in this run and writes ``site=`` at once (one history entry), and the map draws the
    chosen site wider in the same run."""
    clicked = clicked_site(st.session_state.get(MAP_KEY))
    if clicked:
        st.session_state[SITE_KEY] = clicked


def site_chooser(frame: pd.DataFrame) -> str | None:
    """"Choose a site" among the sites shown (a site the filters hide is dropped); returns its id or None."""
    names = {"": "No site chosen"} | dict(zip(frame["site_id"].astype(str), frame["display_name"].astype(str),
                                              strict=True))
    if st.session_state.get(SITE_KEY) not in names:
        st.session_state[SITE_KEY] = ""
    chosen = st.selectbox("Choose a site", list(names), format_func=names.get, key=SITE_KEY,
                          help="Type a few letters of its name, then Enter: the same details as a click on its "
                               "footprint. The site goes in the address.")
    return chosen or None
