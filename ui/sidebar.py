"""The shared sidebar: the filters (kept in the page address by ui.address), their notices, and the filtered view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.present import filters as flt
from ui.address import page_param_names
from ui.data import population_bounds, regions, site_regions, sites
from ui.links import long_link_notice
from ui.widgets import md

NOTICES = "_url_notices"
CHECKED = "_url_checked"


@dataclass(frozen=True)
class View:
    """The current filtered view: the filters, the rows that pass and their footprints."""

    filters: flt.Filters
    frame: pd.DataFrame
    footprints: dict[str, frozenset[str]]
    total: int

    def lsoa_sets(self) -> list[frozenset[str]]:
        """Footprints of the rows shown, in row order."""
        return [self.footprints.get(s, frozenset()) for s in self.frame["site_id"]]


def current_filters() -> flt.Filters:
    """The filters as the sidebar widgets hold them now."""
    state = st.session_state
    keys = flt.KEYS
    pop = state.get(keys["population"])
    return flt.filters_from_values(
        state.get(keys["programme"]) or (), state.get(keys["care_model"]) or (), state.get(keys["region"]) or (),
        tuple(pop) if pop else None, population_bounds(), state.get(keys["search"]) or "",
        state.get(keys["announced_by"]))


def view() -> View:
    """The bundled sites that pass the current filters."""
    frame, footprints = sites()
    chosen = current_filters()
    shown = flt.apply_filters(frame, chosen, site_regions())
    return View(chosen, shown, footprints, len(frame))


def _query_values() -> dict[str, list[str]]:
    """The link's parameters but the pages' own choices (outlines, shading ...), which are not filters."""
    params = st.query_params
    return {key: params.get_all(key) for key in params if key not in page_param_names()}


def _clear_notices() -> None:
    st.session_state[NOTICES] = []


def reset_filters() -> None:
    keys = flt.KEYS
    for key in (keys["programme"], keys["care_model"], keys["region"]):
        st.session_state[key] = []
    st.session_state[keys["population"]] = population_bounds()
    st.session_state[keys["search"]] = ""
    st.session_state[keys["announced_by"]] = flt.ANNOUNCED_LABELS[-1]
    _clear_notices()


def sidebar_filters(link_notices: Sequence[str] = ()) -> View:
    """Draw the shared filters in the sidebar and return the filtered view. ui.address keeps them in the
    page address (and has set them from it by now: call after ``address.sync``).

    Values in the link are checked once per session, so any value the filters drop gets a visible notice
    (with ``link_notices``, the page's own: see ``address.sync``).
    """
    state = st.session_state
    keys = flt.KEYS
    bounds = population_bounds()
    if not state.get(CHECKED):
        state[CHECKED] = True
        state[NOTICES] = flt.check_query(_query_values(), regions(), bounds).notices + list(link_notices)
    with st.sidebar:
        st.markdown("**Filters**")
        long_link_notice()  # invisible unless Streamlit ignored the whole link
        st.multiselect("Programme", flt.PROGRAMMES, key=keys["programme"],
                       placeholder="All programmes", on_change=_clear_notices)
        st.multiselect("Care model (vanguards)", flt.CARE_MODEL_OPTIONS, key=keys["care_model"],
                       placeholder="All care models", on_change=_clear_notices,
                       help="The five new care models the vanguards tested. Integration pioneers had no care "
                            "model: choose them under Programme.")
        st.multiselect("NHS England region (2015)", regions(), key=keys["region"],
                       placeholder="All regions", on_change=_clear_notices,
                       help="A site counts in every region its footprint reaches.")
        st.slider("Population covered (thousands)", min_value=bounds[0], max_value=bounds[1],
                  step=10, key=keys["population"], on_change=_clear_notices,
                  help="Mid-2015 residents of the site's footprint.")
        st.select_slider("Announced by", flt.ANNOUNCED_LABELS,
                         key=keys["announced_by"], on_change=_clear_notices,
                         help="Step through the programme as it grew: "
                              + "; ".join(flt.announcement_choice(m) for m in flt.ANNOUNCED_MONTHS) + ".")
        st.text_input("Search names", key=keys["search"], on_change=_clear_notices,
                      placeholder="e.g. Wirral, MCP, Sunderland",
                      help="Matches site names, lead organisations, CCGs and local authorities.")
        current = view()
        st.markdown(f"**{len(current.frame)} of {current.total} sites** match.")
        st.button("Clear filters", on_click=reset_filters, disabled=current.filters.is_default())
        st.caption("The filters live in the page address: copy it to share this view.")
    for notice in state.get(NOTICES) or []:
        st.warning(md(notice), icon=":material/link_off:")
    return current


def no_sites_notice(what: str = "sites") -> None:
    """The empty state of a filtered page: nothing matches, and one click clears the filters."""
    st.info(f"No {what} match these filters.", icon=":material/filter_alt_off:")
    st.button("Clear filters", on_click=reset_filters, key="clear_filters_page", icon=":material/filter_alt_off:")
