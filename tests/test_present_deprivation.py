"""Deprivation of every footprint (issue 18): the fifths, their rounding, England's profile, the map's shading."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from geo import cli
from geo.geography import IMD_FIFTHS
from geo.present import atlas_map, picture, workbook
from geo.present import folium_map as mapping
from geo.present.columns import COLUMNS, reader_frame
from geo.present.deprivation import (
    ALL_SHOWN_ROW,
    DEPRIVATION_COLUMNS,
    ENGLAND_ROW,
    FIFTH_COLUMNS,
    GROUP,
    RANK_PERCENTILE,
    deprivation_by,
    deprivation_profile,
    england_deprivation,
    profile_text,
    rank_percentile,
    shares_pct,
    with_deprivation_columns,
)
from geo.present.palette import DEPRIVATION_RAMP
from geo.present.residents import PROFILE_COLUMNS
from geo.sources import ATTRIBUTION, DEPRIVATION_BASIS, SOURCES

HOSTILE = '<img src=x onerror="alert(1)">'


def tenths(shares) -> int:
    return sum(int(round(s * 10)) for s in shares)


def test_shares_sum_to_exactly_100_and_stay_within_a_tenth_of_the_exact():
    assert shares_pct([1, 1, 1]) == [33.4, 33.3, 33.3]  # the unit short goes to the first of equal remainders
    assert shares_pct([0, 5, 0, 0, 0]) == [0.0, 100.0, 0.0, 0.0, 0.0]
    assert all(np.isnan(shares_pct([0, 0, 0, 0, 0])))
    rng = np.random.default_rng(18)
    for _ in range(2_000):
        counts = rng.integers(0, rng.choice([3, 1_000, 2_000_000]), size=5)
        if counts.sum() == 0:
            continue
        shares = shares_pct(counts)
        exact = counts / counts.sum() * 100
        assert tenths(shares) == 1000, (counts, shares)
        assert round(sum(shares), 6) == 100.0
        assert np.all(np.abs(np.array(shares) - exact) < 0.1 + 1e-9), (counts, shares)


def test_the_rank_percentile_is_the_residents_mean_rank_among_englands_lsoas():
    assert rank_percentile(np.array([1, 32_844]), np.array([10, 10])) == 50.0  # the middle of England
    assert rank_percentile(np.array([1]), np.array([7])) == 0.0  # the most deprived LSOA
    assert rank_percentile(np.array([32_844]), np.array([7])) == 100.0
    assert rank_percentile(np.array([1, 32_844]), np.array([3, 1])) == round((8_211.75 - 0.5) / 32_844 * 100, 1)
    assert rank_percentile(np.array([5]), np.array([0])) is None


def test_a_footprints_profile_recounts_its_lsoas(small_atlas):
    table = small_atlas.lsoas
    wirral = small_atlas.lsoas_of("ccg", "12F")
    profile = deprivation_profile(small_atlas, [*wirral, *wirral[:10]])  # each LSOA once
    mine = table.loc[wirral]
    assert profile.residents == small_atlas.population(wirral) == sum(profile.by_fifth.values())
    recount = mine.groupby((mine["imd_decile"] + 1) // 2)["population"].sum()
    assert profile.by_fifth == {f: int(recount.get(f, 0)) for f in IMD_FIFTHS}
    assert tenths(profile.shares.values()) == 1000
    mean_rank = (mine["imd_rank"] * mine["population"]).sum() / mine["population"].sum()
    assert profile.rank_percentile == round((mean_rank - 0.5) / 32_844 * 100, 1)
    text = profile_text(profile)
    assert text.startswith(f"most deprived fifth {profile.shares[1]:.1f}%") and "percentile" in text


def test_every_row_of_a_list_gets_its_profile_once_per_footprint(small_atlas):
    wirral = frozenset(small_atlas.lsoas_of("ccg", "12F"))
    salford = frozenset(small_atlas.lsoas_of("lad", "E08000006"))
    frame = pd.DataFrame({"row": [1, 2, 3, 4], "site_name": ["Wirral", "Salford", "Wirral again", "Nowhere"]})
    out = with_deprivation_columns(frame, [wirral, salford, wirral, frozenset()], small_atlas, key="row")
    assert list(out.columns) == [*frame.columns, *DEPRIVATION_COLUMNS]
    fifths = out[list(FIFTH_COLUMNS.values())]
    assert out.loc[3, DEPRIVATION_COLUMNS].isna().all()  # no footprint: nothing claimed
    assert [tenths(fifths.loc[i]) for i in range(3)] == [1000, 1000, 1000]
    assert out.loc[0, DEPRIVATION_COLUMNS].tolist() == out.loc[2, DEPRIVATION_COLUMNS].tolist()
    profile = deprivation_profile(small_atlas, salford)
    assert out.loc[1, FIFTH_COLUMNS[1]] == profile.shares[1] and out.loc[1, RANK_PERCENTILE] == profile.rank_percentile


def test_by_care_model_each_person_counts_once_beside_the_whole_atlas(small_atlas):
    wirral = frozenset(small_atlas.lsoas_of("ccg", "12F"))
    gateshead = frozenset(small_atlas.lsoas_of("lad", "E08000037"))
    newcastle = frozenset(small_atlas.lsoas_of("ccg", "13T"))  # contains Gateshead
    frame = pd.DataFrame({"site_id": ["a", "b", "c", "d"], "care_model": ["MCP", "PACS", "PACS", "PACS"]})
    footprints = {"a": wirral, "b": gateshead, "c": newcastle, "d": frozenset()}
    table = deprivation_by(small_atlas, frame, footprints, "care_model")
    assert list(table[GROUP]) == [ENGLAND_ROW, ALL_SHOWN_ROW, "MCP", "PACS"]
    rows = table.set_index(GROUP)
    assert rows.loc[ENGLAND_ROW, "residents"] == small_atlas.lsoas["population"].sum()
    assert rows.loc["PACS", "residents"] == small_atlas.population(newcastle)  # Gateshead not counted twice
    assert rows.loc[ALL_SHOWN_ROW, "residents"] == small_atlas.population(wirral | newcastle)
    for name in rows.index:
        assert tenths(rows.loc[name, list(FIFTH_COLUMNS.values())]) == 1000, name
    assert rows.loc[ENGLAND_ROW, FIFTH_COLUMNS[1]] == england_deprivation(small_atlas).shares[1]
    nothing = deprivation_by(small_atlas, frame.iloc[3:], footprints, "care_model").set_index(GROUP)
    assert nothing.loc[ALL_SHOWN_ROW, "residents"] == 0 and pd.isna(nothing.loc["PACS", FIFTH_COLUMNS[1]])


def test_the_lsoa_table_carries_the_imd_of_the_raw_file(small_atlas, raw_dir):
    raw = pd.read_csv(raw_dir / "derived" / "iod2015_imd_lsoa11.csv").set_index("lsoa11_code")
    table = small_atlas.lsoas
    assert (table["imd_rank"] == raw.loc[table.index, "IMD_rank"]).all()
    assert (table["imd_decile"] == raw.loc[table.index, "IMD_decile"]).all()
    assert (table["imd_fifth"] == (table["imd_decile"] + 1) // 2).all() and set(table["imd_fifth"]) == set(IMD_FIFTHS)


def test_the_deprivation_shading_is_five_fifths_filled_dark_to_light(small_atlas):
    fifths = small_atlas.deprivation_fifths()["features"]
    assert [f["properties"]["fifth"] for f in fifths] == [1, 2, 3, 4, 5]
    assert sum(f["properties"]["lsoas"] for f in fifths) == len(small_atlas.lsoas)
    assert sum(f["properties"]["population"] for f in fifths) == small_atlas.lsoas["population"].sum()
    shading = mapping.deprivation_geojson(small_atlas)
    props = [f["properties"] for f in shading["features"]]
    assert [p["fill"] for p in props] == list(DEPRIVATION_RAMP) and all(p["line"] == 0 for p in props)
    assert props[0]["tip"].startswith("<b>Most deprived fifth of England's LSOAs</b>")
    assert "deciles 1-2" in props[0]["tip"] and "deciles 9-10" in props[4]["tip"]
    coordinates = json.dumps([f["geometry"] for f in shading["features"]])
    assert re.search(r"\.\d{4}\b", coordinates) and not re.search(r"\.\d{5}", coordinates)  # rounded for the map
    legend = mapping.legend_html(["MCP"], deprivation=True)
    assert mapping.DEPRIVATION_LABEL in legend and all(label in legend for label in IMD_FIFTHS.values())
    state = atlas_map.map_state(["a"], ["MCP", HOSTILE], {}, (mapping.DEPRIVATION_KEY, "app/static/atlas/d.json", [],
                                                             mapping.DEPRIVATION_LABEL))
    assert state["shade"] == "imd" and state["urls"] == {"shade_imd": "app/static/atlas/d.json"}
    assert "Most deprived fifth" in state["legend"] and "Population," not in state["legend"]
    assert HOSTILE not in json.dumps(state)
    population = mapping.choropleth_geojson(small_atlas, "lad")[0]["features"][0]["properties"]
    assert population["tip"].startswith(f"<b>{population['name']}</b>") and population["line"] == 0.5


def test_the_picture_draws_the_shading_and_its_key_when_it_is_on(small_atlas):
    base = picture.basemap_of(small_atlas)
    frame = pd.DataFrame({"site_id": ["w"], "care_model": ["MCP"]})
    geometries = mapping.footprint_geometries(small_atlas, {"w": small_atlas.lsoas_of("ccg", "12F")})
    shading = picture.shading_shapes(mapping.deprivation_geojson(small_atlas))
    assert [fill for _, fill in shading] == list(DEPRIVATION_RAMP) and shading[0][0].bounds[0] > 100_000  # metres
    svg = picture.render(frame, geometries, base, "Wirral", [], ATTRIBUTION, fmt="svg", deprivation=shading)
    ET.fromstring(svg)
    assert b"Deprivation (IMD 2015)" in svg and b"Most deprived fifth" in svg
    plain = picture.render(frame, geometries, base, "Wirral", [], ATTRIBUTION, fmt="svg")
    assert b"Most deprived fifth" not in plain
    png = picture.render(frame, geometries, base, "Wirral", [], ATTRIBUTION, deprivation=shading)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    for colour in DEPRIVATION_RAMP:  # each fifth's colour, as drawn (70% over white or the land)
        blended = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) * 0.7 + 255 * 0.3
        assert (np.abs(pixels - blended).max(axis=1) < 8).sum() > 50, colour


def test_the_method_and_the_source_are_stated_in_every_workbook():
    for words in ("Index of Multiple Deprivation", "2015", "LSOAs, not of", "residents", "largest remainders",
                  "(mean rank - 0.5) / 32,844 x 100"):
        assert words in DEPRIVATION_BASIS, words
    (source,) = [s for s in SOURCES if "Deprivation 2015" in s.name]
    assert "Department for Communities and Local Government" in source.attribution
    assert "Open Government Licence v3.0" in source.attribution
    assert any("Indices of Deprivation 2015" in line for line in ATTRIBUTION)
    book = load_workbook(io.BytesIO(workbook.to_xlsx(pd.DataFrame({"a": [1]}), ATTRIBUTION,
                                                     notes=[DEPRIVATION_BASIS])))
    sources = "\n".join(str(c.value) for row in book[workbook.SOURCES_SHEET].iter_rows() for c in row if c.value)
    assert DEPRIVATION_BASIS in sources and source.attribution in sources and source.vintage in sources
    assert "most_deprived_fifth_pct" in DEPRIVATION_COLUMNS


def test_every_profile_column_has_a_readers_name_in_the_dictionary():
    frame = pd.DataFrame({c: [12.5] for c in PROFILE_COLUMNS} | {"residents_of": [ENGLAND_ROW]})
    readers = reader_frame(frame)
    assert list(readers.columns)[:len(PROFILE_COLUMNS)] == [COLUMNS[c].name for c in PROFILE_COLUMNS]
    assert COLUMNS["most_deprived_fifth_pct"].name == "Most deprived fifth"
    assert {COLUMNS[c].kind for c in FIFTH_COLUMNS.values()} == {"percent"} and COLUMNS[RANK_PERCENTILE].source
    assert reader_frame(pd.DataFrame({"residents_of": [ENGLAND_ROW, "MCP"]}))["Residents of"].tolist() == [
        ENGLAND_ROW, "Multispecialty community provider (MCP)"]


# --- with the full build ----------------------------------------------------------------------------


@pytest.mark.build
def test_englands_profile_matches_a_recount_from_the_raw_file(atlas, england_imd):
    england = england_deprivation(atlas)
    assert england.residents == england_imd["residents"] == 54_786_327
    for fifth, share in england_imd["shares"].items():
        assert abs(england.shares[fifth] - share) <= 0.05 + 1e-9, fifth
    assert abs(england.rank_percentile - england_imd["percentile"]) <= 0.05 + 1e-9
    fifths = atlas.deprivation_fifths()["features"]
    assert [f["properties"]["lsoas"] for f in fifths] == atlas.lsoas["imd_fifth"].value_counts().sort_index().tolist()
    assert all(6_568 <= f["properties"]["lsoas"] <= 6_570 for f in fifths)  # fifths of LSOAs, not of people


@pytest.mark.build
def test_the_sites_file_has_every_footprints_fifths_summing_to_100(cache_dir, raw_dir, tmp_path, capsys):
    path = tmp_path / "sites.csv"
    assert cli.main(["sites", "-o", str(path), "--cache", str(cache_dir), "--raw", str(raw_dir)]) == 0
    capsys.readouterr()
    sites = pd.read_csv(path, encoding="utf-8-sig")
    assert [c for c in sites.columns if c in PROFILE_COLUMNS] == PROFILE_COLUMNS  # as the page's export
    located = sites["footprint_level"] != "no area footprint"
    assert located.sum() == 70 and sites.loc[located, "most_deprived_fifth_pct"].notna().all()
    fifths = sites.loc[located, list(FIFTH_COLUMNS.values())]
    assert (fifths.mul(10).round().astype(int).sum(axis=1) == 1000).all()
    assert fifths.sum(axis=1).round(6).eq(100.0).all()
    assert sites.loc[located, RANK_PERCENTILE].between(0, 100).all()
    assert sites.loc[~located, DEPRIVATION_COLUMNS].isna().all().all()
    assert (sites.loc[located, ["residents_0_15", "residents_16_59", "residents_60_plus"]].sum(axis=1) > 0).all()
