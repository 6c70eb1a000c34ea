"""The live atlas map: a small base map that stays mounted, and a tiny state sent per filter change.

Why: rebuilding and re-sending the whole folium map on every filter change made the map remount,
flicker and lose its zoom, and cost most of a rerun. Here the heavy data (England's land, place
labels, every bundled footprint, reference outlines and population shading) is written once per
server as content-hashed JSON files under the app's static folder (:mod:`geo.present.map_data`),
which the browser fetches (and caches) when a layer is first shown. The base map's script is a few
kilobytes and the same on every run, so streamlit-folium keeps it mounted; each run sends only a
state, a few hundred bytes naming the footprints to show, the outlines, the shading and the legend,
through ``feature_group_to_add``.

The script and its style are in :mod:`geo.present.atlas_map_script`; how footprints are drawn and keyed
(opaque place fills, network lines over them) in :mod:`geo.present.map_key`.

Extra layers that belong to one session (an uploaded list's footprints, or points such as
hospitals) are ordinary folium feature groups passed beside the state: see :func:`footprint_overlay`
and :func:`point_overlay`. Every text from data is escaped in Python before it reaches the map.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.config import LOCAL_CSS, LOCAL_JS
from geo.present.atlas_map_script import SCRIPT, STYLE
from geo.present.folium_map import (
    CHOROPLETH_CLASS,
    DEPRIVATION_KEY,
    ENGLAND_BOUNDS,
    FOOTPRINT_CLASS,
    MAP_ATTRIBUTION,
    OUTLINE_LABELS,
    legend_html,
    site_properties,
)
from geo.present.map_key import NETWORK_CASING, NETWORK_STYLE, PLACE_STYLE
from geo.present.palette import COAST_COLOUR, LABEL_COLOUR, LAND_COLOUR, OTHER_COLOUR, OUTLINE_COLOURS, SEA_COLOUR

#: Reference layers the page can switch on (outlines) and shade by (population, then deprivation), in menu order.
OUTLINE_KEYS = ("nhs_region", "ccg", "lad")
SHADE_KEYS = ("ccg", "lad", "utla", "nhs_local_office", DEPRIVATION_KEY)
LIST_CLASS = "atlas-list"
#: A reading of a row being settled on the Geocode page.
HIGHLIGHT_CLASS = "atlas-highlight"
POINT_CLASS = "atlas-point"
#: The dark line under each network's coloured line (not a footprint: it takes no clicks).
CASING_CLASS = "atlas-casing"
STATE_NAME = "atlas_state"
#: Zoom: no further out than England filling the map (set in the browser from the map's size), no further
#: in than a few streets; the view stays within England's bounds plus this fraction.
MAX_ZOOM = 13
BOUNDS_PAD = 0.1
#: Line widths of a footprint under the pointer or chosen: wider only, never another colour.
STRONG_WEIGHTS = {"placeStrong": 3, "networkStrong": 5, "casingStrong": 8}

class _AtlasLayers(MacroElement):
    """The base map's own script: panes, land, labels, footprints, legend, and ``atlas.apply(state)``."""

    _template = Template(SCRIPT)

    def __init__(self, config: dict):
        super().__init__()
        self._name = "AtlasLayers"
        self.config = config


class _ApplyState(MacroElement):
    """One run's state: which footprints, outlines and shading to show, and the legend."""

    _template = Template("""
{% macro script(this, kwargs) %}
if (window.atlas) { window.atlas.apply({{ this.state|tojson }}); }
{% endmacro %}
""")

    def __init__(self, state: dict):
        super().__init__()
        self._name = "ApplyState"
        self.state = state


def base_map(
    urls: Mapping[str, str],
    asset_base: str = "/",
    tiles: str | None = None,
    tiles_attr: str | None = None,
) -> folium.Map:
    """The mounted part of the map: England fitted, land on a sea colour, labels, an empty legend.

    ``urls`` names the data files every view needs (``land``, ``labels``, ``sites``), relative
    to ``asset_base``; outlines and shading come with the state, when first asked for. The
    script is the same on every run, so the map stays mounted; what changes goes in
    :func:`state_layer`. Tiles only when asked (``ATLAS_TILES``).
    """
    m = folium.Map(location=[52.8, -1.6], zoom_start=6, tiles=None, control_scale=True, zoom_snap=0.5,
                   zoom_delta=0.5)
    base = asset_base.rstrip("/") + "/"
    # Leaflet only: jQuery serves folium's popups and bring-to-front, which this map does not use.
    m.default_js = [(name, base + url) for name, url in LOCAL_JS if name == "leaflet"]
    m.default_css = [(name, base + url) for name, url in LOCAL_CSS]
    m.get_root().header.add_child(Element(STYLE % {"sea": SEA_COLOUR, "label": LABEL_COLOUR}), name="atlas_style")
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attr, name="Basemap", control=False).add_to(m)
    config = {
        "urls": {name: base + url for name, url in urls.items()},
        "land": LAND_COLOUR, "coast": COAST_COLOUR, "footprintClass": FOOTPRINT_CLASS, "shadeClass": CHOROPLETH_CLASS,
        "outlineKeys": list(OUTLINE_KEYS), "shadeKeys": list(SHADE_KEYS),
        "outlineColours": {k: OUTLINE_COLOURS.get(k, "#444444") for k in OUTLINE_KEYS},
        "attribution": html.escape(MAP_ATTRIBUTION), "england": ENGLAND_BOUNDS, "drawLand": not tiles,
        "casingClass": CASING_CLASS, "maxZoom": MAX_ZOOM, "boundsPad": BOUNDS_PAD,
        "styles": {"place": PLACE_STYLE, "network": NETWORK_STYLE, "casing": NETWORK_CASING} | STRONG_WEIGHTS,
    }
    m.add_child(_AtlasLayers(config))
    return m


def map_state(
    site_keys: Iterable[object] | None,
    care_models: Iterable[str],
    outlines: Mapping[str, str] | None = None,
    shade: tuple[str, str, list[float], str] | None = None,
    extra_legend: str = "",
    fit: bool = False,
    chosen: object = None,
) -> dict:
    """What one run shows: footprint keys (``None``: all), outlines, shading and the legend's HTML.

    ``fit``: a filtered view, which the map fits to when it has just opened (a shared link). ``chosen``: the
    key of the site whose details are shown, drawn with wider lines.

    ``outlines`` maps a layer key to its data URL (:func:`geo.present.map_data.publish`); ``shade`` is
    ``(key, url, breaks, label)``; the deprivation shading's legend is its fifths (no breaks). URLs are
    relative to the app's base.
    """
    outlines = {k: v for k, v in (outlines or {}).items() if k in OUTLINE_KEYS}
    urls = {f"outline_{k}": v for k, v in outlines.items()}
    key = breaks = None
    label = ""
    if shade is not None and shade[0] in SHADE_KEYS:
        key, url, breaks, label = shade
        urls[f"shade_{key}"] = url
    return {
        "sites": None if site_keys is None else [str(k) for k in site_keys],
        "outlines": list(outlines), "shade": key, "urls": urls, "fit": bool(fit),
        "chosen": None if chosen is None else str(chosen),
        "legend": legend_html(care_models, breaks, label, key == DEPRIVATION_KEY) + outline_legend(outlines)
        + extra_legend,
    }


def outline_legend(keys: Iterable[str]) -> str:
    """Legend rows for the reference outlines shown, each a line of the colour the map draws it in."""
    rows = [f'<i style="background:none;border:none;border-top:{2 if k == "nhs_region" else 1}px solid '
            f'{OUTLINE_COLOURS.get(k, "#444444")};height:0;vertical-align:4px"></i>'
            f"{html.escape(OUTLINE_LABELS.get(k, k))}<br>" for k in keys]
    return "<b>Outlines</b>" + "".join(rows) if rows else ""


def with_base(state: dict, asset_base: str = "/") -> dict:
    """The state with its data URLs made absolute under the app's base path (as the browser needs)."""
    base = asset_base.rstrip("/") + "/"
    return state | {"urls": {name: base + url for name, url in state["urls"].items()}}


def state_layer(state: dict, asset_base: str = "/") -> folium.FeatureGroup:
    """The per-run part, for ``st_folium(..., feature_group_to_add=[...])``: a few hundred bytes."""
    group = folium.FeatureGroup(name=STATE_NAME, control=False)
    group.add_child(_ApplyState(with_base(state, asset_base)))
    return group


def layer_group(name: str, layer: folium.Layer | None) -> folium.FeatureGroup:
    """One per-run layer (or nothing) as a group for ``feature_group_to_add``, which takes groups only."""
    group = folium.FeatureGroup(name=name, control=False)
    if layer is not None:
        layer.add_to(group)
    return group


def footprint_overlay(
    frame: pd.DataFrame,
    geometries: Mapping[object, dict],
    key: str,
    name: str = "Your list",
    colour: str = OTHER_COLOUR,
    class_name: str = LIST_CLASS,
) -> folium.FeatureGroup:
    """A session's own footprints (e.g. an uploaded list), outlined and dashed above the programme's;
    with ``class_name`` :data:`HIGHLIGHT_CLASS`, a reading being chosen, drawn bold."""
    group = folium.FeatureGroup(name=name, control=False)
    drawn = frame[frame[key].isin(list(geometries))]
    features = []
    for row in drawn.to_dict("records"):
        props = site_properties(row, key)
        props["key"] = f"{class_name}:{row[key]}"
        features.append({"type": "Feature", "geometry": geometries[row[key]], "properties": props})
    bold = class_name == HIGHLIGHT_CLASS
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, className=class_name,
            style_function=lambda _f: {"fillColor": colour, "fillOpacity": 0.25, "color": "#111111",
                                       "weight": 4 if bold else 2, "dashArray": None if bold else "6 4"},
            tooltip=folium.GeoJsonTooltip(["name", "population"], aliases=[html.escape(name), "Population covered"],
                                          sticky=True),
        ).add_to(group)
    return group


def point_overlay(
    frame: pd.DataFrame,
    name: str,
    label_column: str,
    colour: str,
    lat: str = "lat",
    lon: str = "lon",
) -> folium.FeatureGroup:
    """Points (e.g. the hospitals of an acute care collaboration) as small circles with a tooltip."""
    group = folium.FeatureGroup(name=name, control=False)
    for row in frame.dropna(subset=[lat, lon]).to_dict("records"):
        folium.CircleMarker([float(row[lat]), float(row[lon])], radius=5, color="#111111", weight=1,
                            fill=True, fill_color=colour, fill_opacity=0.9, class_name=POINT_CLASS,
                            tooltip=html.escape(str(row.get(label_column) or ""))).add_to(group)
    return group


def legend_swatch(label: str, colour: str, dashed: bool = False, heading: str = "Also shown") -> str:
    """One more legend row (escaped), for an overlay, under ``heading`` (none for a second row)."""
    border = "border:2px dashed #111;" if dashed else ""
    title = f"<b>{html.escape(heading)}</b>" if heading else ""
    return f'{title}<i style="background:{colour};opacity:.6;{border}"></i>{html.escape(label)}<br>'


def legend_point(label: str, fill: str, ring: str, heading: str = "Also shown") -> str:
    """A legend row (escaped) for points drawn as opaque dots of ``fill`` in a ``ring``, as the map draws them."""
    title = f"<b>{html.escape(heading)}</b>" if heading else ""
    return (f'{title}<i style="background:{fill};border:2px solid {ring};border-radius:50%">'
            f'</i>{html.escape(label)}<br>')
