"""The atlas's data, computed once per server and shared by every session (``st.cache_resource``).

UI only in the sense that it caches: the work is done in ``geo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from geo.atlas import Atlas, open_atlas
from geo.cache import CacheError, cache_damage
from geo.config import cache_dir
from geo.geocode.bundled_cache import cached_bundled_sites
from geo.geocode.ladder import Geocoder
from geo.present import filters as flt
from geo.present import folium_map as mapping
from geo.present import map_data, residents
from geo.present.coverage import england_population, union_population
from geo.present.hospitals import hospital_points_geojson, hospital_sites
from ui.memory import start_housekeeping

if TYPE_CHECKING:  # ui.sidebar builds its View from this module's data
    from ui.sidebar import View


@st.cache_resource(show_spinner="Checking the geography cache...")
def atlas() -> Atlas:
    """The built geography, checked against its manifest like ``geo layers`` (opened once per server).

    A failed check raises :class:`geo.cache.CacheError` and is not cached, so the page checks
    again on reload once the cache is rebuilt.
    """
    cache = cache_dir()
    problem = cache_damage(cache)
    if problem:
        raise CacheError(problem)
    return open_atlas(cache)


@st.cache_resource(show_spinner="Loading the gazetteer...")
def geocoder() -> Geocoder:
    """One geocoder per server (its gazetteer takes a moment to build), shared by the Geocode page and the
    Map page's place lookup."""
    return Geocoder(atlas())


@st.cache_resource(show_spinner=False)
def housekeeping() -> object:
    """Once per server: a thread that gives memory freed by ended sessions back (ui.memory)."""
    return start_housekeeping()


@st.cache_resource(show_spinner="Geocoding the bundled site lists...")
def sites() -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """The bundled sites and their footprints (LSOA sets), geocoded once per build (kept in the cache)."""
    return cached_bundled_sites(atlas(), write=False)  # `python -m geo build` writes it; a server only reads


@st.cache_resource(show_spinner="Drawing footprints...")
def site_geometries() -> dict[str, dict]:
    """Map geometry of every bundled footprint, simplified together once; filters only pick from it."""
    _frame, footprints = sites()
    return mapping.footprint_geometries(atlas(), footprints)


@st.cache_resource(show_spinner=False)
def area_geometries() -> dict[str, dict]:
    """Display geometry of every CCG, district and upper-tier authority by typed code (to show a reading)."""
    return mapping.area_geometries(atlas())


@st.cache_resource(show_spinner=False)
def outline(key: str) -> dict:
    """Borders of a reference layer, ready for the map."""
    return mapping.outline_geojson(atlas(), key)


@st.cache_resource(show_spinner=False)
def choropleth(key: str) -> tuple[dict, list[float]]:
    """Areas of a layer filled by population, or England's LSOAs by fifth of deprivation (no breaks: the
    fifths are the classes), ready for the map."""
    if key == mapping.DEPRIVATION_KEY:
        return mapping.deprivation_geojson(atlas()), []
    return mapping.choropleth_geojson(atlas(), key)


@st.cache_resource(show_spinner="Preparing the map...")
def map_urls() -> dict[str, str]:
    """The map's data files: land, place labels, every bundled footprint and the reference layers, as
    written by `python -m geo build` (a server reads them; see geo.present.map_data)."""
    frame, footprints = sites()
    return map_data.cached_base_data(atlas(), frame, footprints, site_geometries)


@st.cache_resource(show_spinner=False)
def outline_url(key: str) -> str:
    """A reference layer's borders (:func:`outline`) as a data file for the live map."""
    return map_data.layer_url(map_urls(), f"outline_{key}", lambda: outline(key))


@st.cache_resource(show_spinner=False)
def shading(key: str) -> tuple[str, list[float]]:
    """A layer's areas filled by population, or the deprivation fifths (:func:`choropleth`), as a data file
    for the live map, and its class breaks."""
    areas, breaks = choropleth(key)
    return map_data.layer_url(map_urls(), f"shade_{key}", lambda: areas), breaks


@st.cache_resource(show_spinner=False)
def site_profiles() -> pd.DataFrame:
    """Who lives in every bundled footprint: residents by age band and deprivation (once per server), by site id."""
    frame, footprints = sites()
    columns = ["site_id", *residents.PROFILE_COLUMNS]
    return residents.with_profiles(frame[["site_id"]], footprints, atlas())[columns].set_index("site_id")


def with_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Bundled sites with their residents by age band and deprivation (see ``site_profiles``)."""
    return frame.join(site_profiles(), on="site_id")


@st.cache_resource(show_spinner=False)
def hospitals() -> pd.DataFrame:
    """NHS Choices hospital sites of NHS trusts (for hospital networks drawn as points)."""
    return hospital_sites(atlas())


@st.cache_data(show_spinner=False, max_entries=512)
def hospital_points(site_ids: tuple[str, ...]) -> dict:
    """The hospitals of these bundled sites as map points, kept per set of sites shown (many viewers
    share a few filter settings; working them out took a fifth of a map rerun's server time)."""
    frame = sites()[0].set_index("site_id").loc[list(site_ids)].reset_index()
    return hospital_points_geojson(hospitals(), frame)


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


def union_people(current: View) -> int:
    """People living in the union of the view's footprints (each person once)."""
    return union_population(atlas(), current.lsoa_sets())
