"""Fast unit tests of the geography pieces on a few real districts read from the raw files."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.build import raw as rawfiles
from geo.build.layers import clean_lsoa_geometry, display_layer, dissolve
from geo.build.lsoa_table import calibrate
from geo.geography import LAYERS, to_geojson

# Wirral, Cheshire West and Chester, City of London and Hackney: CCG/LAD edge cases in one place.
DISTRICTS = ["E08000015", "E06000050", "E09000001", "E09000012"]


@pytest.fixture(scope="module")
def small(raw_dir):
    frames = [pyogrio.read_dataframe(raw_dir / rawfiles.LSOA_POLYGONS / f"{d}.json", columns=["LSOA11CD"])
              for d in DISTRICTS]
    polygons = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    lookup = rawfiles.lsoa_lookup(raw_dir)
    table = lookup[lookup["LSOA11CD"].isin(polygons["LSOA11CD"])].rename(columns={
        "LSOA11CD": "lsoa_code", "CCG15CDH": "ccg_ods", "CCG15CD": "ccg_code", "CCG15NM": "ccg_name",
        "LAD15CD": "lad_code", "LAD15NM": "lad_name"})
    table = table.assign(population=1)
    return polygons, table, clean_lsoa_geometry(polygons)


def test_calibrate_hits_group_totals_exactly():
    weights = np.array([10, 20, 30, 0, 0, 7])
    groups = np.array(["a", "a", "a", "b", "b", "c"])
    out = calibrate(weights, groups, {"a": 1001, "b": 5, "c": 3})
    assert out[:3].sum() == 1001 and out[3:5].sum() == 5 and out[5] == 3
    assert list(out[:3]) == [167, 334, 500]  # proportional, remainder to the largest fraction


def test_clean_coverage_is_valid_and_keeps_every_lsoa(small):
    polygons, _table, cleaned = small
    assert len(cleaned) == len(polygons)
    assert shapely.is_valid(cleaned.geometry.to_numpy()).all()
    assert shapely.coverage_is_valid(cleaned.geometry.to_numpy())
    before = polygons.to_crs(27700).geometry.area.sum()
    assert abs(cleaned.geometry.area.sum() - before) / before < 1e-4


def test_dissolve_has_no_slivers_and_counts_lsoas(small):
    _polygons, table, cleaned = small
    ccg = dissolve(table, cleaned, LAYERS["ccg"])
    lad = dissolve(table, cleaned, LAYERS["lad"])
    assert set(lad["code"]) == set(DISTRICTS)
    assert ccg["lsoas"].sum() == lad["lsoas"].sum() == len(table)
    assert shapely.coverage_is_valid(ccg.geometry.to_numpy())
    # City of London (a district) sits wholly inside City and Hackney CCG (07T)
    city = lad.set_index("code").geometry["E09000001"]
    hackney_ccg = ccg.set_index("ods_code").geometry["07T"]
    assert city.difference(hackney_ccg).area < 1.0
    # A plain union of the raw polygons leaves holes; the clean dissolve leaves none inside Wirral.
    wirral = lad.set_index("code").geometry["E08000015"]
    assert sum(len(p.interiors) for p in getattr(wirral, "geoms", [wirral])) == 0


def test_display_layer_keeps_shared_borders(small):
    _polygons, table, cleaned = small
    ccg = dissolve(table, cleaned, LAYERS["ccg"])
    display = display_layer(ccg, 800)
    geoms = display.geometry.to_numpy()
    assert display.crs.to_epsg() == 4326
    assert shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)
    assert shapely.get_num_coordinates(geoms).sum() < shapely.get_num_coordinates(ccg.geometry.to_numpy()).sum() / 5
    text = to_geojson(display)
    assert '"ods_code":"12F"' in text and ", " not in text


def test_missing_raw_file_is_named(tmp_path, raw_dir):
    with pytest.raises(rawfiles.RawDataError, match="212.csv"):
        rawfiles.lsoa_lookup(tmp_path)
    (tmp_path / "ons_lookups").mkdir()
    (tmp_path / "ons_lookups" / "212.csv").write_text("not,the,right\ncolumns,at,all\n")
    with pytest.raises(rawfiles.RawDataError, match="missing columns"):
        rawfiles.lsoa_lookup(tmp_path)
