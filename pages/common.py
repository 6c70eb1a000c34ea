"""What every page shares: cached data, the sidebar filters bound to the URL, and small UI helpers.

UI only: the work is done in ``geo``; this module caches it (``st.cache_resource``) and turns
widget state into a ``geo.filters.Filters``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo import filters as flt
from geo import mapping
from geo.atlas import Atlas, open_atlas
from geo.build import cache_damage
from geo.config import cache_dir
from geo.coverage import england_population, union_population
from geo.sites import bundled_sites
from geo.sources import ATTRIBUTION
from ui.links import long_link_notice
from ui.memory import start_housekeeping
from ui.text import as_text

NOTICES = "_url_notices"
CHECKED = "_url_checked"


class CacheDamaged(Exception):
    """The geography cache is missing, damaged or from an older build; the message says which."""


@st.cache_resource(show_spinner="Checking the geography cache...")
def atlas() -> Atlas:
    """The built geography, checked against its manifest like ``geo layers`` (opened once per server).

    A failed check raises :class:`CacheDamaged` and is not cached, so the page checks again
    on reload once the cache is rebuilt.
    """
    cache = cache_dir()
    problem = cache_damage(cache)
    if problem:
        raise CacheDamaged(problem)
    return open_atlas(cache)


@st.cache_resource(show_spinner=False)
def housekeeping() -> object:
    """Once per server: a thread that gives memory freed by ended sessions back (ui.memory)."""
    return start_housekeeping()


@st.cache_resource(show_spinner="Geocoding the bundled site lists...")
def sites() -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """The 43 bundled sites and their footprints (LSOA sets), geocoded once per server."""
    return bundled_sites(atlas())


@st.cache_resource(show_spinner="Drawing footprints...")
def site_geometries() -> dict[str, dict]:
    """Map geometry of every bundled footprint, simplified together once; filters only pick from it."""
    _frame, footprints = sites()
    return mapping.footprint_geometries(atlas(), footprints)


@st.cache_resource(show_spinner=False)
def outline(key: str) -> dict:
    """Borders of a reference layer, ready for the map."""
    return mapping.outline_geojson(atlas(), key)


@st.cache_resource(show_spinner=False)
def choropleth(key: str) -> tuple[dict, list[float]]:
    """Areas of a layer filled by population, ready for the map."""
    return mapping.choropleth_geojson(atlas(), key)


@st.cache_resource(show_spinner=False)
def england() -> int:
    """England's mid-2015 population (the denominator of every share)."""
    return england_population(atlas())


@st.cache_resource(show_spinner=False)
def regions() -> tuple[str, ...]:
    """The four 2015 NHS England regions, north to south."""
    return flt.region_options(atlas().lsoas)


@st.cache_resource(show_spinner=False)
def site_regions() -> pd.Series:
    """Each bundled site's NHS regions (by footprint), computed once for the region filter."""
    return flt.site_regions(sites()[0])


def population_bounds() -> tuple[int, int]:
    """The population slider's range in thousands."""
    return flt.population_bounds(sites()[0]["population"])


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


def ensure_app() -> None:
    """Make sure this page runs inside app.py (filters, navigation), even from a deep link.

    Streamlit still honours its old folder-of-pages mode when a ``pages/`` folder sits beside the
    entry point: until some session has run ``st.navigation``, a link straight to ``/map`` on a
    freshly started server runs ``pages/map.py`` on its own, without app.py, its sidebar or its
    filters. ``st.navigation`` switches that mode off for good; here we do the same and rerun, so
    the link is served through app.py with its filters from the URL.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_filters() -> flt.Filters:
    """The filters as the sidebar widgets hold them now."""
    state = st.session_state
    keys = flt.KEYS
    pop = state.get(keys["population"])
    return flt.filters_from_values(
        state.get(keys["programme"]) or (), state.get(keys["care_model"]) or (), state.get(keys["region"]) or (),
        tuple(pop) if pop else None, population_bounds(), state.get(keys["search"]) or "")


def view() -> View:
    """The bundled sites that pass the current filters."""
    ensure_app()
    frame, footprints = sites()
    chosen = current_filters()
    shown = flt.apply_filters(frame, chosen, site_regions())
    return View(chosen, shown, footprints, len(frame))


def _query_values() -> dict[str, list[str]]:
    params = st.query_params
    return {key: params.get_all(key) for key in params}


def _clear_notices() -> None:
    st.session_state[NOTICES] = []


def _reset_filters() -> None:
    keys = flt.KEYS
    for key in (keys["programme"], keys["care_model"], keys["region"]):
        st.session_state[key] = []
    st.session_state[keys["population"]] = population_bounds()
    st.session_state[keys["search"]] = ""
    _clear_notices()


def sidebar_filters() -> View:
    """Draw the shared filters in the sidebar, bound to the URL, and return the filtered view.

    Values in the link are checked once per session, before the widgets read them, so any
    value Streamlit would silently drop gets a visible notice instead.
    """
    state = st.session_state
    keys = flt.KEYS
    bounds = population_bounds()
    if not state.get(CHECKED):
        state[CHECKED] = True
        state[NOTICES] = flt.check_query(_query_values(), regions(), bounds).notices
    with st.sidebar:
        st.header("Filters")
        long_link_notice()  # invisible unless Streamlit ignored the whole link
        st.multiselect("Programme", flt.PROGRAMMES, key=keys["programme"], bind="query-params",
                       placeholder="All programmes", on_change=_clear_notices)
        st.multiselect("Care model", flt.CARE_MODELS, key=keys["care_model"], bind="query-params",
                       placeholder="All care models", on_change=_clear_notices)
        st.multiselect("NHS England region (2015)", regions(), key=keys["region"], bind="query-params",
                       placeholder="All regions", on_change=_clear_notices,
                       help="A site counts in every region its footprint reaches.")
        st.slider("Population covered (thousands)", min_value=bounds[0], max_value=bounds[1], value=bounds,
                  step=10, key=keys["population"], bind="query-params", on_change=_clear_notices,
                  help="Mid-2015 residents of the site's footprint.")
        st.text_input("Search names", key=keys["search"], bind="query-params", on_change=_clear_notices,
                      placeholder="e.g. Wirral, MCP, Sunderland",
                      help="Matches site names, lead organisations, CCGs and local authorities.")
        current = view()
        st.markdown(f"**{len(current.frame)} of {current.total} sites** match.")
        st.button("Clear filters", on_click=_reset_filters, disabled=current.filters.is_default())
        st.caption("The filters live in the page address: copy it to share this view.")
    for notice in state.get(NOTICES) or []:
        st.warning(as_text(notice), icon=":material/link_off:")
    return current


def md(text: object) -> str:
    """Text from data, a link or a file, shown as typed (see :func:`ui.text.as_text`)."""
    return as_text(text)


def attribution_caption() -> None:
    """The attribution lines the sources ask for, under a map or table."""
    st.caption("  \n".join(md(line) for line in ATTRIBUTION))


def asset_base() -> str:
    """The app's URL path, under which ``app/static`` (the map's own Leaflet) is served."""
    path = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{path}/" if path else "/"


def _joined(value: object) -> str:
    return "; ".join(flt.split_list(value))


def site_details(row: pd.Series, footprint: frozenset[str]) -> None:
    """Everything known about one site, every value escaped (it comes from data)."""
    st.subheader(md(row.get("display_name")))
    facts = [
        ("Name as announced", row.get("name_as_printed") or "(left out of the article)"),
        ("Programme", row.get("programme")),
        ("Care model", row.get("care_model")),
        ("Lead organisation", row.get("lead_organisation")),
        ("Announced", row.get("announced")),
        ("NHS region as announced", row.get("region_announced") or row.get("region_inferred")),
        ("NHS region of the footprint", _joined(row.get("nhs_regions"))),
        ("Region check", row.get("region_check")),
        ("CCGs (2015)", _joined(row.get("ccg_names"))),
        ("Local authorities", _joined(row.get("lad_names"))),
        ("Upper-tier authorities", _joined(row.get("utla_names"))),
        ("Population covered", _population_text(row.get("population"))),
        ("Footprint", f"{row.get('footprint_level') or 'none'}, {len(footprint):,} LSOAs"),
        ("Geocoding", f"{row.get('status')}; method {row.get('method') or 'none'}; score {row.get('score')}"),
        ("Geocoder's note", row.get("note")),
        ("Source", row.get("source")),
        ("Notes", row.get("notes")),
    ]
    lines = [f"**{label}:** {md(value)}" for label, value in facts if _present(value)]
    st.markdown("  \n".join(lines))
    if _present(row.get("population_basis")):
        st.caption("Population basis: " + md(row.get("population_basis")))


def _present(value: object) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and pd.isna(value)) \
        and str(value).strip() != ""


def _population_text(value: object) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "not known" if pd.isna(number) else f"{int(number):,} (mid-2015)"


def people(n: int) -> str:
    """A headline population: millions to one decimal, else thousands (ONS: round small areas)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} million"
    return f"{round(n, -2):,}"


def union_people(current: View) -> int:
    """People living in the union of the view's footprints (each person once)."""
    return union_population(atlas(), current.lsoa_sets())
