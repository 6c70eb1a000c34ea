"""The atlas map as pure functions: footprint geometry, reference layers and a folium map.

Nothing here needs a network: Leaflet and jQuery come from the app's own static folder, basemap
tiles are off unless ``ATLAS_TILES`` asks for them, and the legend is plain HTML (branca's
colormaps would pull d3 from a CDN). Text from data is escaped before it reaches the map's HTML.

Footprints overlap (a pioneer can contain a vanguard), so they are not a coverage and cannot be
simplified one by one without tearing shared borders. Instead the LSOAs are grouped by the set
of footprints they belong to; those pieces *are* a coverage, so they are simplified together
and each footprint is the union of its simplified pieces.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Iterable, Mapping

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.atlas import Atlas
from geo.config import LOCAL_CSS, LOCAL_JS
from geo.geography import IMD_FIFTHS, round_coordinates, to_wgs84, union_lsoas
from geo.present.map_key import DEPRIVATION_KEY, DEPRIVATION_LABEL, footprint_style, legend_html  # noqa: F401 (DEPRIVATION_KEY: read from here)
from geo.present.palette import (
    DEPRIVATION_RAMP,
    OTHER_LABEL,
    OUTLINE_COLOURS,
    POPULATION_RAMP,
    care_model_colour,
    is_network,
)
from geo.present.wording import key_label, people

#: Footprint simplification (metres). With all 43 bundled sites and CCG outlines the map HTML
#: stays under 450 KB (see bench/app.py); 250 m is below a pixel at the zoom that shows England.
FOOTPRINT_TOLERANCE_M = 250.0
#: Decimal places in map GeoJSON: 1e-4 degrees is about 10 m, far below the simplification.
MAP_DECIMALS = 4
ENGLAND_BOUNDS = [[49.86, -6.42], [55.81, 1.77]]
TILES_ENV = "ATLAS_TILES"
TILES_ATTR_ENV = "ATLAS_TILES_ATTR"
#: Class names on the SVG paths, so tests and styles can find each layer.
FOOTPRINT_CLASS = "atlas-footprint"
CHOROPLETH_CLASS = "atlas-choropleth"
OUTLINE_LABELS = {"ccg": "CCG outlines (2015)", "lad": "Local authority outlines (2015)",
                  "utla": "Upper-tier authority outlines", "nhs_local_office": "NHS England local office outlines",
                  "nhs_region": "NHS England region outlines (2015)"}
MAP_ATTRIBUTION = "© Crown copyright (ONS, MHCLG, OS), OGL v3.0; boundaries CC BY 4.0 Martin Chorley"
_STYLE = """<style>
#map_div{height:100vh!important}
.leaflet-container{background:#f7f7f4}
.leaflet-control-layers{font:13px/1.5 sans-serif}
.leaflet-control-attribution{font:11px/1.4 sans-serif}
.leaflet-interactive:focus{outline:none}
.atlas-legend{background:rgba(255,255,255,.93);padding:6px 9px;font:12px/1.5 sans-serif;color:#222;
 border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.35);max-width:260px}
.atlas-legend b{display:block;margin-top:2px}
.atlas-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;
 border:1px solid #333}
</style>"""


def footprint_geometries(
    atlas: Atlas,
    footprints: Mapping[object, Iterable[str]],
    tolerance_m: float = FOOTPRINT_TOLERANCE_M,
    decimals: int = MAP_DECIMALS,
    progress: Callable[[], None] | None = None,
) -> dict[object, dict]:
    """Light WGS84 GeoJSON geometry of each non-empty footprint, simplified together.

    Keys are kept (site ids, or row positions for an uploaded list); empty footprints and
    unknown LSOA codes are left out. Shared borders stay shared after simplification.
    ``progress`` is called every hundred shapes (in the app it updates a progress bar, which is
    where Streamlit stops the work of a closed tab).
    """
    members: dict[str, list[object]] = {}
    for key, codes in footprints.items():
        for code in sorted(set(codes)):  # in a fixed order: the output must not depend on PYTHONHASHSEED
            if code in atlas.lsoa_geometry.index:
                members.setdefault(code, []).append(key)
    if not members:
        return {}
    groups: dict[tuple, list[str]] = {}
    for code, keys in members.items():
        groups.setdefault(tuple(keys), []).append(code)
    signatures = list(groups)
    pieces = np.array([union_lsoas(atlas.lsoa_geometry.loc[groups[s]].to_numpy())
                       for s in _ticking(signatures, progress)])
    if tolerance_m > 0:
        pieces = shapely.coverage_simplify(pieces, tolerance_m)
    by_key: dict[object, list[int]] = {}
    for i, signature in enumerate(signatures):
        for key in signature:
            by_key.setdefault(key, []).append(i)
    keys = [k for k in footprints if k in by_key]
    shapes = [shapely.coverage_union_all(pieces[by_key[k]]) for k in _ticking(keys, progress)]
    light = to_wgs84(shapes, decimals)
    return {k: json.loads(shapely.to_geojson(g)) for k, g in zip(keys, light, strict=True) if not g.is_empty}


def _ticking(items: list, progress: Callable[[], None] | None, every: int = 100) -> Iterable:
    """``items``, calling ``progress`` after every ``every`` of them."""
    for i, item in enumerate(items, start=1):
        yield item
        if progress and i % every == 0:
            progress()


def area_geometries(atlas: Atlas) -> dict[str, dict]:
    """Typed code (``ccg:12F``, ``lad:E08000015``, ``utla:E10000016``) -> the area's display geometry."""
    out = {}
    for kind, code in (("ccg", "ods_code"), ("lad", "code"), ("utla", "code")):
        for feature in json.loads(atlas.display_geojson(kind))["features"]:
            out[f"{kind}:{feature['properties'][code]}"] = feature["geometry"]
    return out


def codes_geometry(areas: Mapping[str, dict], codes: str) -> dict | None:
    """One geometry for a reading's typed codes: its areas' display polygons side by side (nothing
    dissolved, so it costs nothing); ``None`` when a code has no display area (a trust, a cell)."""
    polygons = []
    for code in codes.split(";"):
        geometry = areas.get(code)
        if geometry is None:
            return None
        polygons += [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


def outline_geojson(atlas: Atlas, key: str, decimals: int = MAP_DECIMALS) -> dict:
    """A layer's borders as one line feature, each shared border drawn once (half the bytes of polygons)."""
    display = atlas.layer(key, display=True)
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(display.geometry.to_numpy())))
    lines = round_coordinates(np.array([lines]), decimals)[0]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"layer": key}, "geometry": json.loads(shapely.to_geojson(lines))}]}


def population_breaks(values: Iterable[float], classes: int = len(POPULATION_RAMP)) -> list[float]:
    """Quantile class edges (``classes + 1`` of them, rising), for the choropleth and its legend."""
    arr = np.asarray(list(values), dtype="float64")
    edges = np.quantile(arr, np.linspace(0, 1, classes + 1)) if len(arr) else np.zeros(classes + 1)
    return [float(e) for e in np.maximum.accumulate(edges)]


def _class_of(value: float, breaks: list[float]) -> int:
    inner = breaks[1:-1]
    return int(np.searchsorted(inner, value, side="right"))


def choropleth_geojson(atlas: Atlas, key: str, decimals: int = MAP_DECIMALS) -> tuple[dict, list[float]]:
    """A layer's areas with name, population, a fill colour by population quintile and a tooltip."""
    display = atlas.layer(key, display=True)
    breaks = population_breaks(display["population"])
    geoms = round_coordinates(display.geometry.to_numpy(), decimals)
    features = []
    for name, pop, geom in zip(display["name"], display["population"], geoms, strict=True):
        name = html.escape(str(name))
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geom)), "properties": {
            "name": name, "population": f"{int(pop):,}", "fill": POPULATION_RAMP[_class_of(float(pop), breaks)],
            "line": 0.5, "tip": f"<b>{name}</b><br>Population (mid-2015): {int(pop):,}"}})
    return {"type": "FeatureCollection", "features": features}, breaks


def deprivation_geojson(atlas: Atlas) -> dict:
    """England's LSOAs by national IMD 2015 fifth (built once, simplified and rounded: :mod:`geo.build.layers`),
    filled dark for the most deprived to light, with no borders between pieces and a tooltip saying what each
    fill is."""
    features = []
    for feature in atlas.deprivation_fifths()["features"]:
        props = feature["properties"]
        fifth, residents, lsoas = int(props["fifth"]), int(props["population"]), int(props["lsoas"])
        tip = (f"<b>{IMD_FIFTHS[fifth]} of England's LSOAs</b><br>IMD 2015 deciles {2 * fifth - 1}-{2 * fifth}: "
               f"{lsoas:,} LSOAs, {residents:,} residents (mid-2015)")
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {
            "fifth": fifth, "name": IMD_FIFTHS[fifth], "population": f"{residents:,}",
            "fill": DEPRIVATION_RAMP[fifth - 1],
            "line": 0, "tip": tip}})
    return {"type": "FeatureCollection", "features": features}


def tiles_from_env(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """Basemap tiles from ``ATLAS_TILES`` (unset or ``none``: no tiles, so no network).

    ``ATLAS_TILES`` is a folium tiles name (e.g. ``OpenStreetMap``) or a URL template with
    ``{z}/{x}/{y}``; ``ATLAS_TILES_ATTR`` is the attribution a URL template needs.
    """
    env = os.environ if env is None else env
    tiles = (env.get(TILES_ENV) or "").strip()
    if not tiles or tiles.casefold() == "none":
        return None, None
    return tiles, (env.get(TILES_ATTR_ENV) or "").strip() or None


def site_properties(row: Mapping[str, object], key: str) -> dict[str, object]:
    """The escaped properties a footprint carries into the map: the key, tooltip text and colour."""
    population = pd.to_numeric(pd.Series([row.get("population")]), errors="coerce").iloc[0]
    region = row.get("nhs_regions") or row.get("region_inferred") or ""
    name = row.get("display_name") or row.get("site_name") or ""
    care_model = row.get("care_model") if isinstance(row.get("care_model"), str) else ""
    return {
        "key": str(row[key]),
        "name": html.escape(str(name)),
        "model": html.escape(key_label(care_model) if care_model else OTHER_LABEL),
        "region": html.escape(str(region).replace(";", "; ")) if isinstance(region, str) else "",
        "population": "not known" if pd.isna(population) else people(population),
        "colour": care_model_colour(care_model),
        "network": is_network(care_model),
    }


def _geometry_area(geometry: dict) -> float:
    return float(shapely.from_geojson(json.dumps(geometry)).area)


def geometry_bounds(geometries: Iterable[dict]) -> list[list[float]]:
    """[[south, west], [north, east]] around the given GeoJSON geometries (England if none)."""
    boxes = [shapely.from_geojson(json.dumps(g)).bounds for g in geometries]
    if not boxes:
        return ENGLAND_BOUNDS
    arr = np.array(boxes)
    return [[float(arr[:, 1].min()), float(arr[:, 0].min())], [float(arr[:, 3].max()), float(arr[:, 2].max())]]


class _Legend(MacroElement):
    """A Leaflet control holding the legend's HTML (built and escaped in Python)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "atlas-legend");
    div.innerHTML = {{ this.html|tojson }};
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution|tojson }});
{% endmacro %}
""")

    def __init__(self, html_text: str, attribution: str):
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.attribution = html.escape(attribution)


def build_map(
    sites: pd.DataFrame,
    geometries: Mapping[object, dict],
    key: str = "site_id",
    outlines: Mapping[str, dict] | None = None,
    hidden_outlines: Iterable[str] = ("ccg", "lad"),
    choropleth: tuple[str, dict, list[float]] | None = None,
    tiles: str | None = None,
    tiles_attr: str | None = None,
    asset_base: str = "/",
    extra_layers: Iterable[folium.Layer] = (),
) -> folium.Map:
    """A folium map of the sites' footprints filled by care model, with legend and reference layers.

    ``geometries`` maps ``sites[key]`` to GeoJSON geometry (see :func:`footprint_geometries`);
    sites without one are not drawn. ``outlines`` maps a layer key to :func:`outline_geojson`
    output; ``choropleth`` is ``(label, geojson, breaks)`` from :func:`choropleth_geojson`. Every
    reference layer can be switched on and off in the map's layer control. The view fits the
    drawn footprints. ``asset_base`` is the app's URL path, where ``app/static`` is served.
    ``extra_layers`` (e.g. hospital points) go on top, before the layer control that lists them.
    """
    m = _empty_map(tiles, tiles_attr, asset_base)
    if choropleth is not None:
        _add_choropleth(m, choropleth[0], choropleth[1])
    _add_outlines(m, outlines or {}, set(hidden_outlines))
    collection = footprint_collection(sites, geometries, key)
    if collection["features"]:
        _add_footprints(m, collection)
    drawn = sites[sites[key].isin(list(geometries))]
    models = [r.get("care_model") if isinstance(r.get("care_model"), str) else OTHER_LABEL
              for r in drawn.to_dict("records")]
    breaks = choropleth[2] if choropleth is not None else None
    label = choropleth[0] if choropleth else ""
    m.add_child(_Legend(legend_html(models, breaks, label, label == DEPRIVATION_LABEL), MAP_ATTRIBUTION))
    for layer in extra_layers:
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(geometry_bounds(f["geometry"] for f in collection["features"]))
    return m


def _empty_map(tiles: str | None, tiles_attr: str | None, asset_base: str) -> folium.Map:
    """England, the app's own Leaflet and styles, and basemap tiles only when asked for."""
    m = folium.Map(location=[52.8, -1.6], zoom_start=6, tiles=None, control_scale=True, prefer_canvas=False)
    base = asset_base.rstrip("/") + "/"
    m.default_js = [(name, base + url) for name, url in LOCAL_JS]
    m.default_css = [(name, base + url) for name, url in LOCAL_CSS]
    m.get_root().header.add_child(Element(_STYLE), name="atlas_style")
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attr, name="Basemap", control=True).add_to(m)
    return m


def _add_choropleth(m: folium.Map, label: str, data: dict) -> None:
    """Areas filled by class (:func:`choropleth_geojson`, :func:`deprivation_geojson`), with a tooltip."""
    folium.GeoJson(
        data, name=label if label == DEPRIVATION_LABEL else f"Population by {label}", className=CHOROPLETH_CLASS,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 1.0,
                                  "color": "#ffffff", "weight": f["properties"]["line"]},
        tooltip=folium.GeoJsonTooltip(["name", "population"], aliases=["Area", "Population (mid-2015)"]),
    ).add_to(m)


def _add_outlines(m: folium.Map, outlines: Mapping[str, dict], hidden: set[str]) -> None:
    """Reference borders, regions drawn heavier; the ``hidden`` ones start switched off."""
    for layer_key, data in outlines.items():
        colour = OUTLINE_COLOURS.get(layer_key, "#444444")
        heavy = layer_key == "nhs_region"
        folium.GeoJson(
            data, name=OUTLINE_LABELS.get(layer_key, layer_key), interactive=False,
            show=layer_key not in hidden,
            style_function=lambda _f, c=colour, h=heavy: {"color": c, "weight": 2.2 if h else 0.8,
                                                          "opacity": 0.9 if h else 0.7, "fill": False},
        ).add_to(m)


def footprint_collection(sites: pd.DataFrame, geometries: Mapping[object, dict], key: str = "site_id") -> dict:
    """The sites' footprints with their escaped tooltip properties, biggest first.

    Small footprints come last, so they are drawn on top and stay clickable. Sites without a
    geometry are left out.
    """
    features = []
    for row in sites[sites[key].isin(list(geometries))].to_dict("records"):
        geometry = geometries[row[key]]
        features.append((_geometry_area(geometry), {"type": "Feature", "geometry": geometry,
                                                    "properties": site_properties(row, key)}))
    features.sort(key=lambda pair: -pair[0])
    return {"type": "FeatureCollection", "features": [f for _, f in features]}


def _add_footprints(m: folium.Map, collection: dict) -> None:
    """The footprints as :func:`footprint_style` draws them, wider under the pointer, with a sticky tooltip."""
    folium.GeoJson(
        collection, name="Site footprints", className=FOOTPRINT_CLASS,
        style_function=lambda f: footprint_style(f["properties"]),
        highlight_function=lambda f: {"weight": 5 if f["properties"].get("network") else 3},
        tooltip=folium.GeoJsonTooltip(["name", "model", "region", "population"],
                                      aliases=["Site", "Care model", "NHS region", "Population covered"],
                                      sticky=True),
    ).add_to(m)


def map_html(m: folium.Map) -> str:
    """The whole standalone HTML of a map (what a browser would load), for size checks."""
    return m.get_root().render()


def asset_links(m: folium.Map) -> list[str]:
    """Every script and stylesheet URL the map's elements ask for (as streamlit-folium collects them)."""
    links: list[str] = []

    def walk(element) -> None:
        links.extend(src for _, src in getattr(element, "default_js", []))
        links.extend(href for _, href in getattr(element, "default_css", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return list(dict.fromkeys(links))

