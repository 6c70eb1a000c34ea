"""Hospitals as points (fast tier): the member trusts' hospital sites of the shown sites, escaped."""

from __future__ import annotations

import pandas as pd

from geo.geocode.bundled_sites import population_check
from geo.present.hospitals import hospital_layer, hospital_points_geojson, hospital_sites


def test_hospital_points_of_the_shown_sites(small_atlas):
    frame = pd.DataFrame({"site_id": ["chain", "none", "ghost"], "display_name": ["<b>Chain</b>", "No trusts", "X"],
                          "care_model": ["Acute care collaboration", "MCP", "MCP"],
                          "member_trusts": ["RM3;RBL", "", "ZZZ"]})
    points = hospital_points_geojson(hospital_sites(small_atlas), frame)
    codes = {f["properties"]["code"] for f in points["features"]}
    assert {"RM301", "RBL14", "RBL02", "RBL20"} <= codes and not any(c.startswith("RTD") for c in codes)
    first = points["features"][0]["properties"]
    assert first["sites"] == "&lt;b&gt;Chain&lt;/b&gt;" and first["key"] == "chain"
    assert all(-6 < f["geometry"]["coordinates"][0] < 2 for f in points["features"])
    assert hospital_layer(points) is not None and hospital_layer({"features": []}) is None
    # a site drawn by its area (an urgent care network with partner trusts) shows no hospitals
    by_area = frame.assign(footprint_level=["CCG", "CCG", "CCG"])
    assert hospital_points_geojson(hospital_sites(small_atlas), by_area)["features"] == []


def test_published_and_computed_populations_are_compared():
    assert population_check(pd.Series({"published_population": "", "population": 1000})) == (None, "")
    assert population_check(pd.Series({"published_population": "1100", "population": 1000})) == (10, "")
    pct, flag = population_check(pd.Series({"published_population": "2000000", "population": 680_378}))
    assert pct == 194 and "count different things" in flag
    _, flag = population_check(pd.Series({"published_population": "5000", "population": pd.NA}))
    assert "no area footprint" in flag
