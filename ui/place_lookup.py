"""The Map page's place lookup: "What covered this place?", and the same answer for a clicked point.

Everything it decides is in :mod:`geo.present.places` (the reading, the sites that cover it); this
module draws it. The place lives in the address (``place=``, kept by :mod:`ui.address`), and an
ambiguous place asks which reading is meant, writing that reading's codes back to ``place=``, so the
link reproduces the answer. The map call on the page takes :attr:`Lookup.layer` and
:attr:`Lookup.legend`; after the map, :func:`answer` shows the table for the place, or for the point
clicked last (every site whose drawn footprint holds it, not just the one on top).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd
import streamlit as st

from geo.geocode.match import AMBIGUOUS
from geo.present import folium_map as mapping
from geo.present.place_layer import place_layer, place_legend
from geo.present.places import (
    PlaceAnswer,
    SiteCover,
    SiteShapes,
    covers,
    sites_at_point,
    warm,
)
from geo.present.wording import ROUNDED_POPULATION_NOTE, people
from ui import address, data, tables
from ui.sidebar import View
from ui.widgets import md

#: On the page, the answer first: the site, then how much of the place it covered (or its care model for a point);
#: the site's id last (the map's column beside the details is narrow, and the grid draws only the columns in view).
PAGE_COVER_COLUMNS = ["display_name", "share_of_place_pct", "people_in_both", "care_model", "programme", "site_id"]
PAGE_POINT_COLUMNS = ["display_name", "care_model", "population", "programme", "site_id"]

#: The text box's key, and the address's parameter (``/map?place=Halifax``).
PLACE_KEY = "place"
#: Which answer is shown: the place typed (``"place"``) or the point clicked last (``"point"``).
MODE = "_place_mode"
SEEN_CLICK = "_place_seen_click"
PICK_KEY = "place_reading"
LABEL = "What covered this place?"


@st.cache_resource(show_spinner="Reading the place (the first time on this server takes a few seconds)...")
def site_cover() -> SiteCover:
    """Every bundled footprint over England's LSOAs, built once per server (a lookup is then a slice), with
    the geocoder ready (warmed), so that every later lookup takes milliseconds. Built at the first lookup,
    not when the map opens, so the map's first paint does not wait for it."""
    frame, footprints = data.sites()
    cover = SiteCover(data.atlas(), frame, footprints)
    warm(data.geocoder(), cover)
    return cover


@st.cache_resource(show_spinner=False)
def site_shapes() -> SiteShapes:
    """The footprints as drawn, indexed once, for a clicked point."""
    return SiteShapes(data.site_geometries())


@st.cache_data(show_spinner=False, max_entries=256)
def lookup(text: str) -> PlaceAnswer:
    """A place's answer, kept per text (many readers ask about the same few places)."""
    cover = site_cover()  # first: it warms the geocoder
    return covers(data.geocoder(), cover, text)


@st.cache_data(show_spinner=False, max_entries=64)
def place_geometry(codes: str, lsoas: frozenset[str]) -> dict | None:
    """The place's outline: its areas' display shapes for whole CCGs, districts or upper tiers (no work),
    else its LSOAs dissolved (a practice's or trust's cells, a county)."""
    fast = mapping.codes_geometry(data.area_geometries(), codes)
    if fast is not None:
        return fast
    return mapping.footprint_geometries(data.atlas(), {0: lsoas}).get(0)


@dataclass(frozen=True)
class Lookup:
    """What the box read: the answer (``None`` when empty), the place's layer and legend line for the map."""

    answer: PlaceAnswer | None
    layer: folium.FeatureGroup
    legend: str


def _typed() -> None:
    st.session_state[MODE] = "place"
    st.session_state.pop(PICK_KEY, None)


def _picked(codes: list[str]) -> None:
    """A reading chosen: its codes go to the box, hence to ``place=``."""
    choice = st.session_state.get(PICK_KEY)
    if choice is not None:
        st.session_state[PLACE_KEY] = codes[choice]
        st.session_state[MODE] = "place"


def place_box() -> Lookup:
    """Above the map: the text box (bound to ``place=``), the reading in words, and for an ambiguous place
    the choice of reading. Returns the layer and legend line the map shows for the place."""
    text = st.text_input(LABEL, key=PLACE_KEY, on_change=_typed,  # in the address as place= (ui.address)
                         placeholder="a town, district, county, CCG, council, trust or GP practice; or codes "
                                     "such as ccg:02R",
                         help="Read as the Geocode page reads a name. The answer lists every programme site "
                              "whose footprint shares small areas (LSOAs) with the place. Or click a point on "
                              "the map for every site there.")
    text = (text or "").strip()
    empty = Lookup(None, place_layer(None, ""), "")
    if not text:
        return empty
    st.session_state.setdefault(MODE, "place")
    answer = lookup(text)
    reading = answer.reading
    if reading.matched:
        st.caption(md(reading.words()))
        geometry = place_geometry(reading.codes, reading.lsoas)
        return Lookup(answer, place_layer(geometry, reading.label, key=reading.codes), place_legend(reading.label))
    if reading.status == AMBIGUOUS and reading.readings:
        st.warning(md(reading.words()), icon=":material/help:")
        codes = [r.candidate.codes for r in reading.readings]
        st.radio("Which place do you mean?", range(len(codes)), index=None, key=PICK_KEY, on_change=_picked,
                 args=(codes,), format_func=lambda i: md(reading.readings[i].candidate.label),
                 captions=[md(f"{r.level} \u00b7 {people(r.residents)} residents \u00b7 "
                              f"codes: {r.candidate.codes}") for r in reading.readings])
    else:
        st.warning(md(reading.words()), icon=":material/search_off:")
    return Lookup(answer, empty.layer, "")


def _click(clicked: dict | None) -> tuple[float, float] | None:
    """The point clicked last, when it is new since the last run (a new click shows its answer)."""
    point = (clicked or {}).get("last_clicked")
    if not point:
        return None
    where = (round(float(point["lat"]), 6), round(float(point["lng"]), 6))
    if st.session_state.get(SEEN_CLICK) != where:
        st.session_state[SEEN_CLICK] = where
        st.session_state[MODE] = "point"
    return where


def _hidden_note(found: pd.DataFrame, current: View) -> None:
    hidden = found[~found["site_id"].isin(current.frame["site_id"])]
    if len(hidden):
        st.caption(md(f"Also there, but hidden by the filters ({len(hidden)}): " + "; ".join(hidden["display_name"])))


def _sites_answer(heading: str, found: pd.DataFrame, current: View, where: str, how: str, columns: list[str],
                  key: str) -> None:
    """One answer: its heading, the sites the filters show (a table, or a line saying there are none) and
    the sites they hide."""
    st.subheader(heading)
    shown = found[found["site_id"].isin(current.frame["site_id"])]
    if shown.empty:
        st.info(f"No site shown on the map covers {where}.", icon=":material/location_off:")
    else:
        st.caption(f"{len(shown)} site{'s' if len(shown) != 1 else ''} {how}" + ROUNDED_POPULATION_NOTE)
        with st.container(key=f"{key}_box"):
            tables.table(shown, columns, key=key)
    _hidden_note(found, current)


def answer(lookup_: Lookup, clicked: dict | None, current: View) -> None:
    """After the map: the sites covering the place typed, or holding the point clicked last."""
    point = _click(clicked)
    if point is not None and st.session_state.get(MODE) == "point":
        lat, lon = point
        found = sites_at_point(site_shapes(), data.sites()[0], lat, lon)
        _sites_answer(f"What covered the point {lat:.4f}, {lon:.4f}", found, current, "the point clicked",
                      "there, smallest footprint first. ", PAGE_POINT_COLUMNS, "place_point_sites")
        if lookup_.answer is not None:
            st.button(f"Show the answer for \u201c{lookup_.answer.reading.query}\u201d again", key="place_again",
                      on_click=lambda: st.session_state.update({MODE: "place"}), icon=":material/undo:")
        return
    if lookup_.answer is None or not lookup_.answer.reading.matched:
        return
    reading, found = lookup_.answer.reading, lookup_.answer.sites
    _sites_answer(f"What covered {reading.label}", found, current, "this place",
                  f"share small areas (LSOAs) with {md(reading.label)}; the share is of its residents (mid-2015). ",
                  PAGE_COVER_COLUMNS, "place_sites")


OVERVIEW_KEY = "overview_place"


def overview_entry() -> None:
    """The Overview's way into the lookup: a place typed here gives a link to the Map page with ``place=`` and
    the sidebar's filters (and the Map's own choices as last seen) kept, so the link can be opened, copied or
    shared."""
    text = (st.text_input(LABEL, key=OVERVIEW_KEY,
                          placeholder="a town, district, CCG, council, trust or GP practice, e.g. Halifax",
                          help="Type a place and press Enter: the link below opens the Map with the place outlined "
                               "and every programme site that covers it.") or "").strip()
    params = address.link_params("map", data.population_bounds())  # the filters, the Map's own choices
    params.pop(PLACE_KEY, None)
    if text:
        st.page_link("pages/map.py", label=f"What covered \u201c{md(text)}\u201d? Open it on the map",
                     icon=":material/travel_explore:", query_params=params | {PLACE_KEY: text})
    else:
        st.page_link("pages/map.py", label="Or open the map and look a place up there", icon=":material/map:",
                     query_params=params)
