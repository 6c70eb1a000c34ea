"""Presentation for analysts: age bands, the live map's parts, place labels, picture, workbook, list overlap."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook
from PIL import Image
from streamlit_folium import _get_map_string, generate_js_hash

from geo.build.lsoa_table import split_bands
from geo.geocode.bundled_sites import bundled_sites
from geo.geography import AGE_BANDS
from geo.present import atlas_map, map_data, picture, workbook
from geo.present import folium_map as mapping
from geo.present.age import AGE_COLUMNS, age_profile, older_people_by, with_age_columns
from geo.present.labels import place_labels
from geo.present.overlap import list_overlap, rows_inside
from geo.present.palette import CARE_MODEL_COLOURS
from geo.sources import ATTRIBUTION

HOSTILE = '<img src=x onerror="alert(1)">'


def test_split_bands_is_exact_and_follows_the_shares():
    totals = np.array([10, 7, 0, 5, 1000])
    bands = np.array([[1, 1, 1], [0, 5, 2], [3, 3, 3], [0, 0, 0], [150, 600, 250]])
    out = split_bands(totals, bands)
    assert (out.sum(axis=1) == totals).all() and (out >= 0).all()
    assert out[1, 0] == 0 and out[4].tolist() == [150, 600, 250]
    assert out[3].sum() == 5  # no weights: shared out equally


# --- with the built cache ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites(atlas):
    return bundled_sites(atlas)


@pytest.fixture(scope="module")
def geometries(atlas, sites):
    return mapping.footprint_geometries(atlas, sites[1])


@pytest.mark.build
def test_age_bands_sum_to_every_lsoa_and_every_footprint(atlas, sites):
    table = atlas.lsoas
    assert (table[list(AGE_BANDS)].sum(axis=1) == table["population"]).all()
    assert (table[list(AGE_BANDS)] >= 0).all().all()
    frame, footprints = sites
    for site_id, codes in footprints.items():
        if codes:
            assert sum(age_profile(atlas, codes).values()) == atlas.population(codes), site_id
    for key in ("ccg", "lad", "nhs_region"):
        layer = atlas.layer(key)
        spec_code = {"ccg": "ccg_code", "lad": "lad_code", "nhs_region": "nhs_region_code"}[key]
        bands = table.groupby(spec_code)[list(AGE_BANDS)].sum().sum(axis=1)
        assert (bands.loc[layer["code"]].to_numpy() == layer["population"].to_numpy()).all()
    aged = with_age_columns(frame, footprints, atlas)
    located = aged[[bool(footprints.get(s)) for s in aged["site_id"]]]
    residents = [atlas.population(footprints[s]) for s in located["site_id"]]
    assert (located[list(AGE_COLUMNS.values())].sum(axis=1).to_numpy() == residents).all()
    # older people by care model count each person once: never more than the sum over sites
    older = older_people_by(atlas, frame, footprints, "care_model")
    assert (older["aged_60_plus"] <= older["residents"]).all() and older["aged_60_plus"].sum() > 1_000_000


@pytest.mark.build
def test_place_labels_are_our_own_escaped_and_grow_with_zoom(atlas):
    labels = place_labels(atlas)
    names = [label["name"] for label in labels]
    assert "London" in names and "Birmingham" in names and "Bristol" in names  # ", City of" dropped
    by_zoom = [sum(1 for label in labels if label["min_zoom"] <= z) for z in range(5, 11)]
    assert by_zoom == sorted(by_zoom) and 5 <= by_zoom[1] <= 30 and by_zoom[-1] > 200
    london = next(label for label in labels if label["name"] == "London")
    assert 51.3 < london["lat"] < 51.7 and -0.4 < london["lon"] < 0.2 and london["min_zoom"] == 5
    assert all("<" not in label["name"] for label in labels)


@pytest.mark.build
def test_the_base_map_is_small_and_the_same_on_every_run(atlas, sites, geometries, tmp_path):
    frame, footprints = sites
    urls = map_data.publish_base_data(atlas, tmp_path) | {"sites": map_data.publish_sites(frame, geometries,
                                                                                             directory=tmp_path)}
    assert urls == map_data.publish_base_data(atlas, tmp_path) | {"sites": urls["sites"]}  # content-addressed
    stored = json.loads((tmp_path / urls["sites"].rsplit("/", 1)[-1]).read_text())
    assert len(stored["features"]) == len(geometries)
    areas = [shapely.from_geojson(json.dumps(f["geometry"])).area for f in stored["features"]]
    assert areas == sorted(areas, reverse=True)
    scripts = [_get_map_string(atlas_map.base_map(urls, asset_base="/x/")) for _ in range(2)]
    assert generate_js_hash(scripts[0], "k") == generate_js_hash(scripts[1], "k")  # stays mounted
    html = mapping.map_html(atlas_map.base_map(urls))
    assert len(html) < 30_000 and "coordinates" not in html
    assert all(link.startswith("/app/static/vendor/") for link in mapping.asset_links(atlas_map.base_map(urls)))
    state = atlas_map.map_state(["a", "b"], ["MCP", HOSTILE], {"nhs_region": "app/static/atlas/o.json"},
                                ("lad", "app/static/atlas/s.json", [0, 1, 2, 3, 4, 5], "district"))
    layer = atlas_map.state_layer(state, "/base/")
    text = json.dumps(atlas_map.with_base(state, "/base/"))
    assert len(text) < 2_000 and HOSTILE not in text
    assert state["shade"] == "lad" and atlas_map.with_base(state, "/base/")["urls"]["outline_nhs_region"] == \
        "/base/app/static/atlas/o.json"
    assert layer.control is False


@pytest.mark.build
def test_picture_of_all_sites_is_a_slide_with_legend_and_attribution(atlas, sites, geometries):
    frame, _footprints = sites
    base = picture.basemap_of(atlas)
    png = picture.render(frame, geometries, base, picture.ALL_TITLE, [], ATTRIBUTION, total=len(frame), whole=True)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1920, 1080)
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 200  # not blank
    for model in frame["care_model"].unique():  # each legend swatch's colour is in the picture, as it is (opaque)
        rgb = np.array([int(CARE_MODEL_COLOURS[model][i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - rgb).max(axis=1) < 6).sum() > 100, model
    right = np.asarray(image.convert("L"))[:, 1200:]
    assert (right < 100).sum() > 5_000  # text in the side panel (title, legend, key, attribution)
    svg = picture.render(frame, geometries, base, "All sites", ["Vanguard", HOSTILE], ATTRIBUTION, fmt="svg")
    text = svg.decode()
    ET.fromstring(svg)  # well-formed
    assert "Martin Chorley" in text and "Open Government Licence" in text and "Care model" in text
    assert "<img" not in text and "km" in text and re.search(r"Made \d{4}-\d\d-\d\d", text)


def test_workbook_has_its_sheets_and_keeps_formulas_as_text():
    frame = pd.DataFrame({"site": ["=HYPERLINK(\"http://x\",\"y\")", "+44 1234", "Wirral\x07"],
                          "population": pd.array([1, pd.NA, 3], dtype="Int64"), "share": [1.5, float("nan"), 2.0]})
    data = workbook.to_xlsx(frame, ATTRIBUTION, sheet="Sites", notes=["A note."])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Sites", workbook.DICTIONARY_SHEET, workbook.SOURCES_SHEET]
    sheet = book["Sites"]
    assert [c.value for c in sheet[1]] == ["site", "population", "share"]
    formula = sheet["A2"]
    assert formula.value == "=HYPERLINK(\"http://x\",\"y\")" and formula.data_type == "s" and formula.quotePrefix
    assert sheet["A3"].data_type == "s" and sheet["A4"].value == "Wirral"
    assert sheet["B2"].value == 1 and sheet["B3"].value is None and sheet["C2"].value == 1.5
    sources = "\n".join(str(c.value) for row in book[workbook.SOURCES_SHEET].iter_rows() for c in row if c.value)
    assert "Martin Chorley" in sources and "A note." in sources and "Vintage" in sources


@pytest.mark.build
def test_list_overlap_says_which_rows_fall_in_which_sites(atlas, sites):
    frame, footprints = sites
    wirral = frozenset(atlas.lsoas_of("ccg", "12F"))
    cornwall = frozenset(atlas.lsoas_of("lad", "E06000052"))
    york = frozenset(atlas.lsoas_of("lad", "E06000014"))
    rows = pd.DataFrame({"row": [1, 2, 3, 4], "site_name": ["Wirral", "Cornwall", "York", "Nowhere"],
                         "status": ["matched"] * 3 + ["unmatched"]})
    overlap = list_overlap(atlas, rows, [wirral, cornwall, york, frozenset()], frame, footprints)
    assert set(overlap["row"]) == {1, 2, 3, 4}
    wirral_hits = overlap[overlap["row"] == 1]
    assert "Wirral" in " ".join(wirral_hits["site"]) and wirral_hits["share_of_row_pct"].max() == 100.0
    assert overlap.loc[overlap["row"] == 4, "site"].iloc[0].startswith("(no footprint")
    inside = rows_inside(overlap)
    york_hits = overlap[overlap["row"] == 3]
    assert inside == 2 + int(york_hits["people_in_both"].fillna(0).gt(0).any())


@pytest.mark.build
def test_cached_bundled_sites_equal_a_fresh_geocode(atlas, sites, tmp_path, monkeypatch):
    from geo.geocode import bundled_cache

    first = bundled_cache.cached_bundled_sites(atlas)
    again = bundled_cache.cached_bundled_sites(atlas)  # read back from the build cache
    pd.testing.assert_frame_equal(again[0], sites[0])
    assert again[1] == sites[1] == first[1]
    assert len(list((atlas.cache / bundled_cache.FOLDER).glob("bundled_sites.*.pickle"))) == 1


def test_point_and_list_overlays_escape_their_text_and_carry_their_class():
    frame = pd.DataFrame({"name": [HOSTILE, "Royal Infirmary"], "lat": [53.4, None], "lon": [-2.2, -1.5]})
    points = atlas_map.point_overlay(frame, "Hospitals", "name", CARE_MODEL_COLOURS["Acute care collaboration"])
    base = atlas_map.base_map({"land": "a", "labels": "b", "sites": "c"})
    base.add_child(points)
    html = mapping.map_html(base)
    assert HOSTILE not in html and "&lt;img" in html and atlas_map.POINT_CLASS in html
    assert html.count("circle_marker") >= 1 and "Royal Infirmary" not in html  # no position, not drawn
    rows = pd.DataFrame({"row": [1], "site_name": [HOSTILE], "display_name": [HOSTILE], "population": [10]})
    square = {"type": "Polygon", "coordinates": [[[-2, 53], [-2, 53.1], [-1.9, 53.1], [-2, 53]]]}
    overlay = atlas_map.footprint_overlay(rows, {1: square}, key="row")
    base.add_child(overlay)
    html = mapping.map_html(base)
    assert atlas_map.LIST_CLASS in html and HOSTILE not in html
    assert "Your list" in atlas_map.legend_swatch("Your list", "#56B4E9", dashed=True)


def test_tiles_replace_the_drawn_land():
    urls = {"land": "a", "labels": "b", "sites": "c"}
    plain = mapping.map_html(atlas_map.base_map(urls))
    tiled = mapping.map_html(atlas_map.base_map(urls, tiles="OpenStreetMap"))
    assert '"drawLand": true' in plain and "tile.openstreetmap" not in plain
    assert '"drawLand": false' in tiled and "tile.openstreetmap" in tiled


@pytest.mark.build
def test_map_data_files_are_made_once_per_build_and_site_list(atlas, sites, geometries, tmp_path):
    frame, footprints = sites
    calls = []

    def make():
        calls.append(1)
        return geometries

    built = map_data.prepare(atlas, tmp_path)  # as `python -m geo build` does
    first = map_data.cached_base_data(atlas, frame, footprints, make, tmp_path)
    assert first == built and calls == [] and "shade_ccg" in first  # a server reads the build's files
    (tmp_path / first["sites"].rsplit("/", 1)[-1]).unlink()
    again = map_data.cached_base_data(atlas, frame, footprints, make, tmp_path)
    assert again["sites"] == first["sites"] and calls == [1]  # made again when missing: the same file
    renamed = frame.assign(display_name=frame["display_name"].where(frame.index > 0, "Renamed"))
    assert map_data.data_key(atlas, renamed, footprints) != map_data.data_key(atlas, frame, footprints)
