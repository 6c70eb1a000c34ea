"""The live atlas map: a small base map that stays mounted, and a tiny state sent per filter change.

Why: rebuilding and re-sending the whole folium map on every filter change made the map remount,
flicker and lose its zoom, and cost most of a rerun. Here the heavy data (England's land, place
labels, every bundled footprint, reference outlines and population shading) is written once per
server as content-hashed JSON files under the app's static folder (:mod:`geo.present.map_data`),
which the browser fetches (and caches) when a layer is first shown. The base map's script is a few
kilobytes and the same on every run, so streamlit-folium keeps it mounted; each run sends only a
state, a few hundred bytes naming the footprints to show, the outlines, the shading and the legend,
through ``feature_group_to_add``.

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
from geo.present.folium_map import (
    CHOROPLETH_CLASS,
    DEPRIVATION_KEY,
    ENGLAND_BOUNDS,
    FOOTPRINT_CLASS,
    MAP_ATTRIBUTION,
    legend_html,
    site_properties,
)
from geo.present.palette import COAST_COLOUR, LABEL_COLOUR, LAND_COLOUR, OTHER_COLOUR, OUTLINE_COLOURS, SEA_COLOUR

#: Reference layers the page can switch on (outlines) and shade by (population, then deprivation), in menu order.
OUTLINE_KEYS = ("nhs_region", "ccg", "lad")
SHADE_KEYS = ("ccg", "lad", "utla", "nhs_local_office", DEPRIVATION_KEY)
LIST_CLASS = "atlas-list"
#: A reading of a row being settled on the Geocode page.
HIGHLIGHT_CLASS = "atlas-highlight"
POINT_CLASS = "atlas-point"
STATE_NAME = "atlas_state"

_STYLE = """<style>
.leaflet-container{background:%(sea)s;font:13px/1.4 sans-serif}
.leaflet-control-attribution{font:11px/1.4 sans-serif}
.leaflet-interactive:focus{outline:none}
.atlas-legend{background:rgba(255,255,255,.93);padding:6px 9px;font:12px/1.5 sans-serif;color:#222;
 border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.35);max-width:250px}
.atlas-legend:empty{display:none}
.atlas-legend b{display:block;margin-top:2px}
.atlas-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;border:1px solid #333}
.atlas-label{pointer-events:none}
.atlas-label span{position:absolute;left:0;top:0;transform:translate(-50%%,-50%%);white-space:nowrap;
 font:600 11px/1.2 sans-serif;color:%(label)s;letter-spacing:.02em;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.atlas-tip{width:max-content;max-width:320px;white-space:normal}
.atlas-fit a{font:bold 17px/26px sans-serif;color:#333;text-decoration:none}
</style>"""

_SCRIPT = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config|tojson }};
  var A = window.atlas = {map: map, cfg: cfg, data: {}, layers: {}, state: null, siteLayers: null};
  map.fitBounds(cfg.england, {animate: false});  // England, at once (an animation would swallow a later fit)
  [["atlasLand", 250, false], ["atlasShade", 300, true], ["atlasLines", 450, false], ["atlasLabels", 460, false]]
    .forEach(function (p) {
      var pane = map.createPane(p[0]); pane.style.zIndex = p[1];
      if (!p[2]) { pane.style.pointerEvents = "none"; }
    });
  function get(name) {
    var url = (A.state && A.state.urls[name]) || cfg.urls[name];
    if (!A.data[url]) {
      A.data[url] = fetch(url).then(function (r) { return r.json(); });
    }
    return A.data[url];
  }
  A.get = get;
  // Tooltips stay inside the map: Leaflet places them beside the pointer, which can be off the edge.
  var place = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    place.call(this, pos);
    var el = this._container, m = this._map;
    if (!el || !m) { return; }
    var size = m.getSize(), at = m.layerPointToContainerPoint(L.DomUtil.getPosition(el));
    var x = Math.max(4, Math.min(at.x, size.x - el.offsetWidth - 4));
    var y = Math.max(4, Math.min(at.y, size.y - el.offsetHeight - 4));
    if (x !== at.x || y !== at.y) { L.DomUtil.setPosition(el, m.containerPointToLayerPoint([x, y])); }
  };
  var legendControl = L.control({position: "bottomright"});
  legendControl.onAdd = function () { return L.DomUtil.create("div", "atlas-legend"); };
  legendControl.addTo(map);
  var legend = legendControl.getContainer();
  map.attributionControl.addAttribution(cfg.attribution);

  if (cfg.drawLand) get("land").then(function (data) {  // not over basemap tiles, which show the land
    L.geoJSON(data, {pane: "atlasLand", interactive: false,
      style: {fillColor: cfg.land, fillOpacity: 1, color: cfg.coast, weight: 0.8}}).addTo(map);
  });

  var labels = L.layerGroup().addTo(map);
  A.labels = labels;
  function showLabels() {
    if (!A.labelItems) { return; }
    var z = map.getZoom() + 0.01;
    A.labelItems.forEach(function (item) {
      var on = item.p.min_zoom <= z;
      if (on && !labels.hasLayer(item.m)) { labels.addLayer(item.m); }
      if (!on && labels.hasLayer(item.m)) { labels.removeLayer(item.m); }
    });
  }
  get("labels").then(function (list) {
    A.labelItems = list.map(function (p) {
      return {p: p, m: L.marker([p.lat, p.lon], {pane: "atlasLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "atlas-label", html: "<span>" + p.name + "</span>", iconSize: null})})};
    });
    showLabels();
  });
  map.on("zoomend", showLabels);

  function siteTip(p) {
    return "<b>" + p.name + "</b><br>Care model: " + p.model + "<br>NHS region: " + p.region +
      "<br>Population covered: " + p.population;
  }
  // The footprint group is on the map from the start, so streamlit-folium binds its click to it;
  // clicks on the footprints added later reach it (Leaflet propagates them with e.layer).
  var sites = A.sites = L.geoJSON(null, {
    className: cfg.footprintClass,
    style: function (f) { return {fillColor: f.properties.colour, fillOpacity: 0.6, color: "#333333", weight: 1}; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(siteTip(f.properties), {sticky: true, direction: "auto", className: "atlas-tip"});
      layer.on("mouseover", function () { layer.setStyle({weight: 3, fillOpacity: 0.8}); });
      layer.on("mouseout", function () { layer.setStyle({weight: 1, fillOpacity: 0.6}); });
      A.siteLayers.push(layer);
    }
  }).addTo(map);
  A.showSites = function () {
    if (!A.siteLayers || !A.state || !A.loaded) { return; }
    var want = A.state.sites ? new Set(A.state.sites) : null, shown = 0;
    A.siteLayers.forEach(function (layer) {
      var on = !want || want.has(layer.feature.properties.key);
      if (on && !sites.hasLayer(layer)) { sites.addLayer(layer); }
      if (!on && sites.hasLayer(layer)) { sites.removeLayer(layer); }
      if (on) { shown += 1; layer.bringToFront(); }  // biggest first, so small footprints end on top
    });
    map.getContainer().setAttribute("data-atlas-sites", String(shown));
    // A filtered link opens on its footprints; afterwards filter changes never move the map.
    if (A.state.fit && shown > 0 && !A.fitted && !A.touched && Date.now() - A.mountedAt < 8000) {
      map.fitBounds(sites.getBounds(), {maxZoom: 9, animate: false});
      A.fitted = true;
    }
  };
  A.mountedAt = Date.now();
  ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (type) {
    map.getContainer().addEventListener(type, function () { A.touched = true; }, true);
  });
  // One button to fit the view to the footprints shown; filter changes never move the map by themselves.
  var fit = L.control({position: "topleft"});
  fit.onAdd = function () {
    var div = L.DomUtil.create("div", "leaflet-bar atlas-fit"), a = L.DomUtil.create("a", "", div);
    a.href = "#"; a.title = "Fit the map to the footprints shown"; a.setAttribute("role", "button");
    a.setAttribute("aria-label", a.title); a.innerHTML = "&#x2922;";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(a, "click", function (e) {
      L.DomEvent.preventDefault(e);
      if (sites.getLayers().length) { map.fitBounds(sites.getBounds(), {maxZoom: 10}); }
    });
    return div;
  };
  fit.addTo(map);
  get("sites").then(function (data) {
    A.siteLayers = [];
    sites.addData(data);
    A.loaded = true;
    A.showSites();
  });

  function outline(key, data) {
    var heavy = key === "nhs_region";
    return L.geoJSON(data, {pane: "atlasLines", interactive: false, style: {color: cfg.outlineColours[key] || "#444",
      weight: heavy ? 2.2 : 0.8, opacity: heavy ? 0.9 : 0.7, fill: false}});
  }
  function shading(key, data) {  // fill, border and tooltip (escaped in Python) come with each area
    return L.geoJSON(data, {pane: "atlasShade", className: cfg.shadeClass,
      style: function (f) {
        return {fillColor: f.properties.fill, fillOpacity: 0.7, color: "#ffffff", weight: f.properties.line};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.tip, {sticky: true, direction: "auto", className: "atlas-tip"});
      }});
  }
  function toggle(kind, key, want, make) {
    var name = kind + "_" + key, layer = A.layers[name];
    if (!want) { if (layer) { map.removeLayer(layer); } return; }
    var url = A.state.urls[name];
    get(name).then(function (data) {
      if (!A.layers[url]) { A.layers[url] = make(key, data); }
      if (A.layers[name] && A.layers[name] !== A.layers[url]) { map.removeLayer(A.layers[name]); }
      A.layers[name] = A.layers[url];
      var still = kind === "outline" ? A.state.outlines.indexOf(key) >= 0 : A.state.shade === key;
      if (still) { A.layers[name].addTo(map); }
    });
  }
  A.apply = function (state) {
    A.state = state;
    legend.innerHTML = state.legend;
    cfg.outlineKeys.forEach(function (k) { toggle("outline", k, state.outlines.indexOf(k) >= 0, outline); });
    cfg.shadeKeys.forEach(function (k) { toggle("shade", k, state.shade === k, shading); });
    A.showSites();
  };
})();
{% endmacro %}
"""


class _AtlasLayers(MacroElement):
    """The base map's own script: panes, land, labels, footprints, legend, and ``atlas.apply(state)``."""

    _template = Template(_SCRIPT)

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
    m.get_root().header.add_child(Element(_STYLE % {"sea": SEA_COLOUR, "label": LABEL_COLOUR}), name="atlas_style")
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attr, name="Basemap", control=False).add_to(m)
    config = {
        "urls": {name: base + url for name, url in urls.items()},
        "land": LAND_COLOUR, "coast": COAST_COLOUR, "footprintClass": FOOTPRINT_CLASS, "shadeClass": CHOROPLETH_CLASS,
        "outlineKeys": list(OUTLINE_KEYS), "shadeKeys": list(SHADE_KEYS),
        "outlineColours": {k: OUTLINE_COLOURS.get(k, "#444444") for k in OUTLINE_KEYS},
        "attribution": html.escape(MAP_ATTRIBUTION), "england": ENGLAND_BOUNDS, "drawLand": not tiles,
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
) -> dict:
    """What one run shows: footprint keys (``None``: all), outlines, shading and the legend's HTML.

    ``fit``: a filtered view, which the map fits to when it has just opened (a shared link).

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
        "legend": legend_html(care_models, breaks, label, key == DEPRIVATION_KEY) + extra_legend,
    }


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
