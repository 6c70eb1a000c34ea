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
    assert match.status == "unmatched" and f"at most {steps.MAX_PARTS}" in match.note


def test_a_compound_reads_as_many_parts_as_the_cap_allows(small_atlas, geocoder):
    name = " / ".join(["Wirral", "Salford"] * (steps.MAX_PARTS // 2))
    match = geocoder.resolve(name)
    assert match.status == "matched"
    assert geocoder.footprint(match) == area(small_atlas, "ccg", "12F") | area(small_atlas, "ccg", "01G")
