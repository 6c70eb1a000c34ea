"""Integration tests of the full build against the real raw data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely

from geo.build import pipeline as buildmod
from geo.geography import LAYERS

ENGLAND = 54_786_327
EXPECTED = {"ccg": 209, "lad": 326, "utla": 152, "nhs_local_office": 13, "nhs_region": 4}


def test_lsoa_table(atlas):
    table = atlas.lsoas
    assert len(table) == 32_844 and table["lsoa_code"].is_unique
    assert table["population"].sum() == ENGLAND
    assert not table.isna().any().any()
    assert table["nhs_region_name"].nunique() == 4
    # official groupings: 9 government regions, 25 NHS England area teams (2013), and counties
    # (27 shire, 6 metropolitan, Inner and Outer London; unitaries are in none)
    assert table["gor_name"].nunique() == 9 and table["at13_name"].nunique() == 25
    counties = table.loc[table["county_code"] != "", "county_code"].drop_duplicates()
    assert counties.str[:3].value_counts().to_dict() == {"E10": 27, "E11": 6, "E13": 2}
    assert len(atlas.hospitals) > 700 and atlas.hospitals["lsoa_code"].notna().mean() > 0.95


@pytest.mark.parametrize("key", list(LAYERS))
def test_layer_counts_population_validity(atlas, key):
    layer = atlas.layer(key)
    assert len(layer) == EXPECTED[key]
    assert layer["population"].sum() == ENGLAND
    assert layer["lsoas"].sum() == 32_844
    assert layer["code"].is_unique
    assert shapely.is_valid(layer.geometry.to_numpy()).all()
    # neighbours share identical edges: no overlap, no sliver
    assert shapely.coverage_is_valid(layer.geometry.to_numpy())


@pytest.mark.parametrize("key", list(LAYERS))
def test_display_layers_are_light_valid_coverages(atlas, key):
    display = atlas.layer(key, display=True)
    full = atlas.layer(key)
    assert len(display) == len(full)
    geoms = display.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # exact: shared borders stay shared
    # stated tolerance: total area within 1% of the full layer, overlaps under 0.001%
    projected = display.to_crs(27700).geometry.to_numpy()
    total = shapely.area(projected).sum()
    assert abs(total - full.geometry.area.sum()) / full.geometry.area.sum() < 0.01
    assert total - shapely.union_all(projected, grid_size=1.0).area < total * 1e-5


def test_ccg_and_lad_cover_the_same_land(atlas):
    ccg, lad = atlas.layer("ccg"), atlas.layer("lad")
    assert abs(ccg.geometry.area.sum() - lad.geometry.area.sum()) / lad.geometry.area.sum() < 0.001


@pytest.mark.parametrize("key", ["ccg", "lad"])
def test_every_lsoa_falls_in_exactly_one_area(atlas, key):
    spec = LAYERS[key]
    points = gpd.GeoDataFrame(geometry=atlas.lsoa_geometry.representative_point().to_numpy(),
                              index=atlas.lsoa_geometry.index, crs=27700)
    hits = gpd.sjoin(points, atlas.layer(key)[["code", "geometry"]], predicate="within")
    assert hits.index.is_unique and len(hits) == 32_844
    assert (hits["code"] == atlas.lsoas.loc[hits.index, spec.code]).all()


def test_places_land_where_they_should(atlas):
    assert set(atlas.lsoas_of("ccg", "12F")) == set(atlas.lsoas_of("lad", "E08000015"))  # Wirral
    assert set(atlas.lsoas.loc[atlas.lsoas_of("lad", "E09000001"), "ccg_ods"]) == {"07T"}  # City in C&H
    assert set(atlas.lsoas.loc[atlas.lsoas_of("lad", "E06000053"), "ccg_ods"]) == {"11N"}  # Scilly in Kernow
    assert set(atlas.lsoas.loc[atlas.lsoas_of("ccg", "13T"), "lad_code"]) == {"E08000021", "E08000037"}
    city = atlas.find_area("City of London")
    assert set(city["layer"]) == {"lad", "utla"}
    assert atlas.find_area("12f").iloc[0]["name"] == "NHS Wirral CCG"
    assert atlas.population(list(atlas.lsoas_of("ccg", "12F")) * 2) == atlas.layer("ccg").set_index(
        "ods_code").loc["12F", "population"]


def test_layers_command_json(cache_dir):
    out = subprocess.run([sys.executable, "-m", "geo", "layers", "--json"], capture_output=True, text=True,
                         check=True)
    data = json.loads(out.stdout)
    assert {k: v["areas"] for k, v in data.items()} == EXPECTED
    assert all(v["population"] == ENGLAND for v in data.values())


def test_build_reuses_current_cache(raw_dir, cache_dir):
    lines = []
    manifest = buildmod.build(raw_dir, cache_dir, progress=lines.append)
    assert manifest["reused"] and "reusing" in lines[0]


def test_missing_raw_file_exits_nonzero_naming_it(raw_dir, tmp_path):
    fake = tmp_path / "raw"
    shutil.copytree(raw_dir, fake, ignore=shutil.ignore_patterns("*.json", "*.KML", "*.geojson", "*.xls"))
    (fake / "iod2019_population" / "File_6_-_IoD2019_Population_Denominators.csv.gz").unlink()
    out = subprocess.run([sys.executable, "-m", "geo", "build", "--raw", str(fake), "--cache", str(tmp_path / "c")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "File_6_-_IoD2019_Population_Denominators.csv.gz" in out.stderr and "missing" in out.stderr
