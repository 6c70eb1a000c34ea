"""The geocoder's ladder on five real districts (fast tier): each rung, and names that must not stall it."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.geocode import steps
from geo.geocode.footprint import OUTPUT_COLUMNS
from geo.geocode.ladder import Geocoder
from geo.geocode.normalise import split_parts


@pytest.fixture(scope="module")
def geocoder(small_atlas):
    return Geocoder(small_atlas)


def area(atlas, layer: str, code: str) -> frozenset[str]:
    return frozenset(atlas.lsoas_of(layer, code))


@pytest.mark.parametrize("name, layer, code, method", [
    ("Wirral Health and Social Care Economy", "ccg", "12F", "exact name"),
    ("NHS Gateshead CCG", "lad", "E08000037", "exact name"),  # a 2013 CCG: exactly Gateshead borough
    ("Salford Royal NHS Foundation Trust", "ccg", "01G", "organisation register (trust)"),
    ("Sunderland and Sunderland", "ccg", "00P", "compound name (exact name + exact name)"),
    ("Wirrall", "ccg", "12F", "fuzzy name"),
])
def test_each_rung_reads_its_kind_of_name(small_atlas, geocoder, name, layer, code, method):
    match = geocoder.resolve(name)
    assert match.status == "matched" and match.method == method, match
    assert geocoder.footprint(match) == area(small_atlas, layer, code)


def test_a_list_of_areas_is_their_union_and_the_level_names_each_once(small_atlas, geocoder):
    out, sets = geocoder.geocode_frame(pd.DataFrame({"site_name": ["Wirral, Salford and Sunderland"]}))
    assert sets[0] == area(small_atlas, "lad", "E08000015") | area(small_atlas, "lad", "E08000006") | area(
        small_atlas, "lad", "E08000024")
    assert out.loc[0, "footprint_level"] == "CCG (same area as district and upper-tier authority)"
    assert out.loc[0, "population"] == small_atlas.population(sets[0])


def test_two_readings_are_ambiguous_and_nothing_is_unmatched_silently(geocoder):
    assert geocoder.resolve("Newcastle").status in ("ambiguous", "matched")
    nowhere = geocoder.resolve("Hogwarts School Surgery")
    assert nowhere.status == "unmatched" and nowhere.entries == [] and nowhere.note


def test_explicit_areas_win_and_unknown_codes_are_named(small_atlas, geocoder):
    out, sets = geocoder.geocode_frame(pd.DataFrame({"site_name": ["x", "y"], "areas": ["12F; E08000006", "Q99"]}))
    assert list(out["status"]) == ["matched", "unmatched"]
    assert sets[0] == area(small_atlas, "ccg", "12F") | area(small_atlas, "ccg", "01G")
    assert "Q99" in out.loc[1, "note"]


def test_every_row_comes_back_in_order_with_the_output_columns(geocoder):
    names = ["Wirral", "", None, "Wirral", "=1+2", "Atlantis"]
    frame = pd.DataFrame({"site_name": names, "ref": range(len(names))})
    out, sets = geocoder.geocode_frame(frame)
    assert list(out["ref"]) == list(range(len(names))) and len(sets) == len(names)
    assert list(out.columns) == ["site_name", "ref", *OUTPUT_COLUMNS]


def test_a_name_of_65000_parts_is_refused_quickly_with_a_reason(geocoder):
    name = "/".join(["Wirral", "Salford", "Sunderland"] * 21_667)
    assert len(split_parts(name)) > 65_000
    match = geocoder.resolve(name)  # bench/geocode.py prints how long this takes
    assert match.status == "unmatched" and f"more than {steps.MAX_NAME_CHARS:,} is not read" in match.note
    shorter = geocoder.resolve("/".join(["Wirral", "Salford", "Sunderland"] * 20))  # 60 parts, under the cap
    assert shorter.status == "unmatched" and f"at most {steps.MAX_PARTS}" in shorter.note


def test_a_compound_reads_as_many_parts_as_the_cap_allows(small_atlas, geocoder):
    name = " / ".join(["Wirral", "Salford"] * (steps.MAX_PARTS // 2))
    match = geocoder.resolve(name)
    assert match.status == "matched"
    assert geocoder.footprint(match) == area(small_atlas, "ccg", "12F") | area(small_atlas, "ccg", "01G")


# -- issue 9: groupings, hospital networks, partners, and not being confidently wrong -----------------

def test_official_groupings_are_areas(small_atlas, geocoder):
    tyne_and_wear = geocoder.resolve("Tyne and Wear")  # metropolitan county (three of its districts here)
    assert tyne_and_wear.matched and "county" in geocoder.columns(tyne_and_wear)[0]["footprint_level"]
    assert geocoder.footprint(tyne_and_wear) == (area(small_atlas, "lad", "E08000021") | area(
        small_atlas, "lad", "E08000037") | area(small_atlas, "lad", "E08000024"))
    north_east = geocoder.resolve("North East Urgent Care Network")  # government region
    assert north_east.matched and geocoder.footprint(north_east) == geocoder.footprint(tyne_and_wear)
    manchester = geocoder.resolve("Greater Manchester")  # county and 2013 area team: the area team
    assert manchester.matched and "area team" in geocoder.columns(manchester)[0]["footprint_level"]
    authority = geocoder.resolve("NHS North East")  # a strategic health authority (2006-13): the region's area
    assert authority.matched and "strategic health authority" in authority.method
    assert geocoder.footprint(authority) == geocoder.footprint(north_east)
    assert geocoder.resolve("NHS Tyne and Wear").status == "ambiguous"  # "NHS" and no region: no such authority


def test_a_network_of_trusts_is_where_their_hospitals_stand(small_atlas, geocoder):
    match = geocoder.resolve("Salford and Wirral Foundation Chain",
                             "Salford Royal NHS FT;Wirral University Teaching Hospital NHS FT;Made Up NHS Trust")
    assert match.matched and match.method.startswith("hospital network"), match
    assert geocoder.footprint(match) == area(small_atlas, "lad", "E08000006") | area(small_atlas, "lad", "E08000015")
    assert "Made Up NHS Trust" in match.note
    row, _ = geocoder.columns(match)
    assert row["footprint_level"].startswith("hospital sites of member trusts")


def test_a_group_is_the_ccgs_its_partners_name(small_atlas, geocoder):
    match = geocoder.resolve("Wearside System Resilience Group", "Sunderland Council;NHS Sunderland CCG;A Trust")
    assert match.matched and match.method == "CCGs named among the partners"
    assert geocoder.footprint(match) == area(small_atlas, "ccg", "00P")


def test_names_that_could_mean_two_things_are_not_guessed(geocoder):
    assert geocoder.resolve("Salford Royal").status == "ambiguous"  # a trust's name without "Trust"
    assert geocoder.resolve("Salford Royal NHS FT").matched
    led = geocoder.resolve("Better Lives Together", "Salford Royal NHS Foundation Trust")
    assert not led.matched  # one trust leading a partnership named otherwise
    newcastle = geocoder.resolve("Newcastle upon Tyne")  # the district, or the CCG mostly in it (13T)?
    assert newcastle.status == "ambiguous" and any("CCGs of" in c.label for c in newcastle.candidates)
    assert geocoder.resolve("Newcastle upon Tyne City Council").matched
    assert not steps.same_words("south east coast", "south kent coast")
    assert not steps.same_words("north east", "north west")
    assert steps.same_words("wakefeild", "wakefield") and steps.same_words("nottingham wst", "nottingham west")


def test_a_national_network_is_kept_with_no_area(geocoder):
    out, sets = geocoder.geocode_frame(pd.DataFrame({"site_name": ["Moorfields"], "areas": ["none"]}))
    assert out.loc[0, "status"] == "matched" and out.loc[0, "footprint_level"] == "no area footprint"
    assert not sets[0] and pd.isna(out.loc[0, "population"])
