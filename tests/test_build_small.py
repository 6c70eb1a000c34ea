"""The real build pipeline over five districts (fast tier): layers, population, 2013 CCGs, the cache."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import shapely

from geo import cache as cache_files
from geo.atlas import Atlas
from geo.build import pipeline
from geo.build import raw as rawfiles
from geo.geography import LAYERS


def test_every_layer_is_an_exact_coverage_of_whole_lsoas(small_atlas):
    for key in LAYERS:
        layer = small_atlas.layer(key)
        assert layer["population"].sum() == small_atlas.lsoas["population"].sum()
        assert layer["lsoas"].sum() == len(small_atlas.lsoas)
        assert shapely.coverage_is_valid(layer.geometry.to_numpy()), key
        display = small_atlas.layer(key, display=True)
        assert shapely.coverage_is_valid(display.geometry.to_numpy()), key


def test_whole_ccgs_sum_to_the_ons_mid_2015_totals(small_atlas, raw_dir):
    official = rawfiles.ccg_hierarchy(raw_dir).set_index("CCG15CDH")["POP_MID2015_PERSONS"]
    ours = small_atlas.lsoas.groupby("ccg_ods")["population"].sum()
    assert set(ours.index) == {"12F", "01G", "13T", "00P"}
    pd.testing.assert_series_equal(ours, official.loc[ours.index].rename("population"), check_names=False)


def test_newcastle_gateshead_lsoas_keep_their_2013_ccgs(small_atlas):
    table = small_atlas.lsoas
    gateshead = table[table["ccg13_ods"] == "00F"]
    assert set(gateshead["lad_code"]) == {"E08000037"}
    assert len(gateshead) == (table["lad_code"] == "E08000037").sum()
    assert set(table.loc[table["ccg_ods"] == "13T", "ccg13_ods"]) == {"00F", "00G", "00H"}


def test_a_current_cache_is_reused(small_raw, small_cache):
    lines: list[str] = []
    manifest = pipeline.build(small_raw, small_cache, progress=lines.append, expected_lsoas=None)
    assert manifest["reused"] and "reusing" in lines[0]


def test_a_damaged_or_older_cache_is_detected_and_rebuilt(small_raw, small_cache, tmp_path):
    copy = tmp_path / "cache"
    shutil.copytree(small_cache, copy)
    (copy / cache_files.display_file("ccg")).write_text("{broken")
    assert "damaged" in pipeline.cache_problem(small_raw, copy)
    manifest = pipeline.build(small_raw, copy, progress=lambda _m: None, expected_lsoas=None)
    assert not manifest["reused"] and pipeline.cache_problem(small_raw, copy) is None
    assert Atlas(copy).layer("ccg", display=True)["code"].tolist() == Atlas(small_cache).layer(
        "ccg", display=True)["code"].tolist()
    old = json.loads((copy / cache_files.MANIFEST).read_text()) | {"build_version": 0}
    (copy / cache_files.MANIFEST).write_text(json.dumps(old))
    assert "older build" in pipeline.cache_problem(small_raw, copy)


def test_polygons_and_lookup_must_hold_the_same_lsoas(raw_dir, small_raw, tmp_path):
    extra = small_raw / rawfiles.LSOA_POLYGONS / "E08000016.json"  # Barnsley: not in the cut-down lookup
    extra.symlink_to(raw_dir / rawfiles.LSOA_POLYGONS / "E08000016.json")
    try:
        with pytest.raises(rawfiles.RawDataError, match="different LSOAs"):
            pipeline.build(small_raw, tmp_path / "c", progress=lambda _m: None, expected_lsoas=None)
    finally:
        extra.unlink()


def test_groupings_and_hospital_sites_are_built(small_atlas):
    """Counties, government regions and 2013 area teams per LSOA; NHS Choices hospitals placed in LSOAs."""
    table = small_atlas.lsoas
    tyne = table[table["lad_code"].isin(["E08000021", "E08000037", "E08000024"])]
    assert set(tyne["county_name"]) == {"Tyne and Wear"} and set(tyne["gor_name"]) == {"North East"}
    assert set(tyne["at13_name"]) == {"Cumbria, Northumberland, Tyne and Wear"}
    assert set(table.loc[table["lad_code"] == "E08000015", "at13_name"]) == {"Cheshire, Warrington and Wirral"}
    hospitals = small_atlas.hospitals
    here = hospitals[hospitals["lsoa_code"].notna()]
    assert {"RM301", "RBL14", "RR7EN", "RTD02", "RLNGL"} <= set(here["code"])  # one acute hospital per district
    assert here["lsoa_code"].isin(table.index).all()
