"""The map builder: footprints that keep shared borders, local assets only, escaped text, layers."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.present import folium_map as mapping
from geo.present.palette import CARE_MODEL_COLOURS, OTHER_COLOUR, POPULATION_RAMP, care_model_colour

HOSTILE = '<img src=x onerror="alert(1)">'


def shape(geometry: dict) -> shapely.Geometry:
    return shapely.from_geojson(json.dumps(geometry))


@pytest.fixture(scope="module")
def footprints(atlas) -> dict[str, frozenset[str]]:
    """Wirral and West Cheshire CCGs (neighbours), Cheshire West and Chester (contains West Cheshire)."""
    return {"wirral": frozenset(atlas.lsoas_of("ccg", "12F")), "west": frozenset(atlas.lsoas_of("ccg", "02F")),
            "cwac": frozenset(atlas.lsoas_of("lad", "E06000050")), "empty": frozenset()}


@pytest.fixture(scope="module")
def geometries(atlas, footprints) -> dict[str, dict]:
    return mapping.footprint_geometries(atlas, footprints)


@pytest.fixture(scope="module")
def sites(atlas, footprints) -> pd.DataFrame:
    return pd.DataFrame({
        "site_id": ["wirral", "west", "cwac", "empty"],
        "display_name": ["Wirral", HOSTILE, "Cheshire West", "Nowhere"],
        "care_model": ["PACS", "MCP", "Integration pioneer", None],
        "nhs_regions": ["North of England"] * 3 + [""],
        "population": pd.array([atlas.population(footprints[k]) if footprints[k] else pd.NA
                                for k in ("wirral", "west", "cwac", "empty")], dtype="Int64"),
    })


def test_footprints_are_simplified_together_and_keep_shared_borders(atlas, footprints, geometries):
    assert footprints["west"] <= footprints["cwac"]
    assert set(geometries) == {"wirral", "west", "cwac"}  # the empty footprint is not drawn
    shapes = {k: shape(g) for k, g in geometries.items()}
    assert all(s.is_valid and s.geom_type in ("Polygon", "MultiPolygon") for s in shapes.values())
    # neighbours neither overlap nor gap: their shared border is the same line in both
    assert shapes["wirral"].intersection(shapes["west"]).area < 1e-6 * shapes["west"].area
    assert shapes["wirral"].distance(shapes["west"]) == 0
    # a footprint inside another stays inside after simplification
    assert shapes["west"].difference(shapes["cwac"]).area < 1e-4 * shapes["west"].area
    # and the simplification keeps the area within 2% of the exact dissolve
    exact = atlas.footprint_polygon(footprints["wirral"])
    light = shape(geometries["wirral"])
    light_m2 = gpd.GeoSeries([light], crs="EPSG:4326").to_crs(27700).area.iloc[0]
    assert abs(light_m2 - exact.area) / exact.area < 0.02


def test_outline_draws_each_border_once(atlas):
    data = mapping.outline_geojson(atlas, "nhs_region")
    (feature,) = data["features"]
    lines = shape(feature["geometry"])
    assert lines.geom_type in ("LineString", "MultiLineString")
    polygons = atlas.layer("nhs_region", display=True).geometry
    perimeters = float(shapely.length(shapely.boundary(polygons.to_numpy())).sum())
    # shared borders counted once: shorter than the sum of the four perimeters
    assert 0.5 * perimeters < lines.length < 0.95 * perimeters


def test_choropleth_classes_use_the_ramp(atlas):
    data, breaks = mapping.choropleth_geojson(atlas, "ccg")
    assert len(data["features"]) == 209
    assert breaks == sorted(breaks) and len(breaks) == len(POPULATION_RAMP) + 1
    fills = {f["properties"]["fill"] for f in data["features"]}
    assert fills == set(POPULATION_RAMP)
    smallest = min(data["features"], key=lambda f: int(f["properties"]["population"].replace(",", "")))
    assert smallest["properties"]["fill"] == POPULATION_RAMP[0]


def _footprint_layer(m: folium.Map) -> folium.GeoJson:
    (layer,) = [c for c in m._children.values()
                if isinstance(c, folium.GeoJson) and c.options.get("className") == mapping.FOOTPRINT_CLASS]
    return layer


def test_map_draws_one_footprint_per_site_with_local_assets_and_escaped_text(atlas, sites, geometries):
    outlines = {"nhs_region": mapping.outline_geojson(atlas, "nhs_region")}
    m = mapping.build_map(sites, geometries, outlines=outlines)
    html = mapping.map_html(m)
    features = _footprint_layer(m).data["features"]
    assert sorted(f["properties"]["key"] for f in features) == ["cwac", "west", "wirral"]
    # biggest first, so small footprints sit on top and can be clicked
    assert features[0]["properties"]["key"] == "cwac"
    colours = {f["properties"]["key"]: f["properties"]["colour"] for f in features}
    assert colours == {"wirral": CARE_MODEL_COLOURS["PACS"], "west": CARE_MODEL_COLOURS["MCP"],
                       "cwac": CARE_MODEL_COLOURS["Integration pioneer"]}
    # no network: every script and stylesheet is served by the app; no tiles unless asked for
    assert all(link.startswith("/app/static/vendor/") for link in mapping.asset_links(m))
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/app/static/vendor/") for s in sources)
    assert "tile.openstreetmap" not in html and "cdn" not in html.lower()
    # text from data never reaches the HTML unescaped
    assert HOSTILE not in html and "<img" not in html
    names = {f["properties"]["key"]: f["properties"]["name"] for f in features}
    assert names["west"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    # legend names the care models drawn, and only those
    assert "Enhanced health in care homes" not in html and "Integration pioneer" in html
    # the view fits the drawn footprints (Cheshire and the Wirral)
    (south, west), (north, east) = mapping.geometry_bounds(f["geometry"] for f in features)
    assert 52.9 < south < north < 53.5 and -3.3 < west < east < -2.2


def test_map_of_nothing_still_renders(sites):
    m = mapping.build_map(sites.iloc[0:0], {})
    assert "atlas-legend" in mapping.map_html(m)
    assert mapping.geometry_bounds([]) == mapping.ENGLAND_BOUNDS


def test_map_reference_layers_and_tiles_are_optional(atlas, sites, geometries):
    data, breaks = mapping.choropleth_geojson(atlas, "nhs_region")
    outlines = {k: mapping.outline_geojson(atlas, k) for k in ("ccg", "nhs_region")}
    m = mapping.build_map(sites, geometries, outlines=outlines, choropleth=("NHS region", data, breaks),
                          tiles="OpenStreetMap", asset_base="/atlas/")
    names = [c.layer_name for c in m._children.values() if hasattr(c, "layer_name")]
    assert "Population by NHS region" in names and "CCG outlines (2015)" in names
    ccg = next(c for c in m._children.values() if getattr(c, "layer_name", "") == "CCG outlines (2015)")
    assert ccg.show is False  # starts switched off; the layer control switches it on
    assert any(isinstance(c, folium.TileLayer) for c in m._children.values())
    assert all(link.startswith("/atlas/app/static/vendor/") for link in mapping.asset_links(m))
    assert "Population, NHS region" in mapping.map_html(m)


@pytest.mark.parametrize(("env", "expected"), [
    ({}, (None, None)),
    ({"ATLAS_TILES": "none"}, (None, None)),
    ({"ATLAS_TILES": " OpenStreetMap "}, ("OpenStreetMap", None)),
    ({"ATLAS_TILES": "https://tiles.example/{z}/{x}/{y}.png", "ATLAS_TILES_ATTR": "© Example"},
     ("https://tiles.example/{z}/{x}/{y}.png", "© Example")),
])
def test_tiles_come_only_from_the_environment(env, expected):
    assert mapping.tiles_from_env(env) == expected


def test_palette_has_a_colour_for_anything():
    assert care_model_colour("MCP") == CARE_MODEL_COLOURS["MCP"]
    assert care_model_colour(None) == care_model_colour("Something else") == OTHER_COLOUR
    assert care_model_colour("Acute care collaboration") == CARE_MODEL_COLOURS["Acute care collaboration"]
    assert care_model_colour("Urgent and emergency care") == CARE_MODEL_COLOURS["Urgent and emergency care"]
    assert len(set(CARE_MODEL_COLOURS.values()) | {OTHER_COLOUR}) == len(CARE_MODEL_COLOURS) + 1
