"""The general rules for the kinds of names NHS lists use, each on names the geocoder was never
given as aliases: strategic health authorities, the NHS reading of nearly one place, counties
that NHS England split or that surround towns, programme titles, brands and kinds of body."""

from __future__ import annotations

import pytest

from geo.geocode.ladder import Geocoder
from tests.test_geocode_ladder import lsoas


@pytest.fixture(scope="module")
def geocoder(atlas):
    return Geocoder(atlas)


def test_nhs_and_a_region_is_the_strategic_health_authority(atlas, geocoder):
    region = geocoder.resolve("NHS West Midlands")
    assert region.matched and "strategic health authority" in region.method
    assert [e.kind for e in region.entries] == ["gor"]  # the region, not the metropolitan county
    region_lsoas = frozenset(atlas.lsoas.index[atlas.lsoas["gor_name"] == "West Midlands"])
    assert geocoder.footprint(region) == region_lsoas and region_lsoas > lsoas(atlas, "ccg:05C", "ccg:05T")
    assert geocoder.resolve("NHS South Central").status == "ambiguous"  # an authority with no region of its name


def test_a_council_and_its_ccgs_that_differ_slightly_are_not_guessed(atlas, geocoder):
    keynes = geocoder.resolve("Milton Keynes")  # the CCG has four LSOAs of Aylesbury Vale too
    assert keynes.status == "ambiguous" and "'CCG' or 'Council'" in keynes.note
    ccg, council = geocoder.resolve("Milton Keynes CCG"), geocoder.resolve("Milton Keynes Council")
    assert geocoder.footprint(ccg) == lsoas(atlas, "ccg:04F")
    assert geocoder.footprint(council) == lsoas(atlas, "lad:E06000042") != geocoder.footprint(ccg)
    assert geocoder.resolve("Devon").status == "ambiguous"  # the county and its CCGs differ by Plymouth and Torbay
    team = geocoder.resolve("West Yorkshire")  # an NHS England area team's own name is the area team
    assert team.matched and "area team" in geocoder.columns(team)[0]["footprint_level"]


def test_a_county_nhs_england_split_is_ambiguous_unless_the_council_is_meant(atlas, geocoder):
    county = geocoder.resolve("Nottinghamshire")
    assert county.status == "ambiguous" and any("South Yorkshire and Bassetlaw" in c.label for c in county.candidates)
    council = geocoder.resolve("Nottinghamshire County Council")
    assert council.matched and geocoder.footprint(council) == lsoas(atlas, "utla:E10000024")
    assert not geocoder.resolve("Nottingham and Nottinghamshire").matched  # with Bassetlaw, or without?


def test_a_county_that_surrounds_towns_is_ambiguous_unless_they_are_named(atlas, geocoder):
    kent = geocoder.resolve("Kent")  # the council's area and its CCGs agree, but which Kent: with Medway?
    assert kent.status == "ambiguous" and any("Medway" in c.label for c in kent.candidates)
    hampshire = geocoder.resolve("NHS Hampshire CCG")  # the CCGs holding Hampshire leave out its two cities
    assert hampshire.status == "ambiguous" and any("Southampton" in c.label for c in hampshire.candidates)
    assert geocoder.resolve("Hampshire County Council").matched and geocoder.resolve("Kent County Council").matched
    both = geocoder.resolve("Kent and Medway")
    assert both.matched and geocoder.footprint(both) == lsoas(atlas, "utla:E10000016", "lad:E06000035")
    devon = geocoder.resolve("NHS Devon CCG")  # its CCGs hold Plymouth and Torbay either way
    assert devon.matched and geocoder.footprint(devon) == lsoas(atlas, "ccg:99P", "ccg:99Q")
    surrounded = geocoder.gaz.surrounded_unitaries
    assert "E06000018" in surrounded["E10000024"]  # Nottingham, inside Nottinghamshire
    assert "E06000052" not in surrounded.get("E10000008", [])  # Cornwall touches only Devon, but is beside it


def test_a_programme_title_names_its_place_after_in(atlas, geocoder):
    title = geocoder.resolve("Integrated Health and Care in Wakefield")
    assert title.matched and title.method.startswith("place named in a title")
    assert geocoder.footprint(title) == lsoas(atlas, "ccg:03R")
    town = geocoder.resolve("Sutton in Ashfield")  # a town, not a title: never cut to "Ashfield"
    assert not town.method.startswith("place named in a title")


def test_kinds_of_body_and_brand_openers_are_not_places(atlas, geocoder):
    led = geocoder.resolve("Healthy Futures", "Barnsley and Wakefield ICS")
    assert led.matched and geocoder.footprint(led) == lsoas(atlas, "ccg:02P", "ccg:03R")
    stp = geocoder.resolve("Calderdale and Kirklees Sustainability and Transformation Partnership")
    assert stp.matched and geocoder.footprint(stp) == lsoas(atlas, "ccg:02T", "ccg:03A", "ccg:03J")
    assert geocoder.footprint(geocoder.resolve("One Wakefield")) == lsoas(atlas, "ccg:03R")
    assert geocoder.footprint(geocoder.resolve("Our Salford")) == lsoas(atlas, "ccg:01G")
    assert geocoder.footprint(geocoder.resolve("Wakefield District")) == lsoas(atlas, "lad:E08000036")


def test_a_bracketed_compass_part_of_an_area_is_not_the_whole_area(geocoder):
    assert geocoder.resolve("Leeds").matched
    part = geocoder.resolve("Leeds (North and East)")
    assert part.status == "ambiguous" and "part of Leeds" in part.note
    assert geocoder.resolve("Principia (Rushcliffe)").matched  # a place in brackets still reads


def test_a_town_and_the_area_around_it_is_that_town(atlas, geocoder):
    richmond = geocoder.resolve("Richmond, North Yorkshire")  # not Richmond upon Thames
    assert richmond.matched and richmond.method.startswith("town in a named area")
    assert geocoder.footprint(richmond) == lsoas(atlas, "lad:E07000166")
    assert "district" in geocoder.columns(richmond)[0]["footprint_level"]
    assert geocoder.footprint(geocoder.resolve("Newport, Isle of Wight")) == lsoas(atlas, "lad:E06000046")
    assert not geocoder.resolve("Sutton, Surrey").matched  # no town of that name in Surrey's areas
    leeds = geocoder.resolve("Leeds, West Yorkshire")  # an address's place, then the area around it
    assert leeds.matched and geocoder.footprint(leeds) == lsoas(atlas, "lad:E08000035")
    both = geocoder.resolve("Leeds and Wakefield")  # a list of two places is still both
    assert geocoder.footprint(both) == lsoas(atlas, "lad:E08000035", "lad:E08000036")
