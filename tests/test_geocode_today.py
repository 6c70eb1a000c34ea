"""Candidates as data over every evaluation list, and the rules for the names analysts paste today:
official council names, councils formed after 2015 and counties abolished before it, integrated care
boards and sub-ICB locations, CCG names that are no CCG of 2015, and bodies whose areas no file holds.
Rule tests use names outside the evaluation lists where they can."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.geocode import codes
from geo.geocode.codes import read_codes
from geo.geocode.ladder import Geocoder
from geo.geocode.match import CANDIDATE_SEPARATOR, Match, parse_candidates
from tests.test_geocode_ladder import lsoas

EVALUATION = Path(__file__).resolve().parent.parent / "data" / "evaluation"


@pytest.fixture(scope="module")
def geocoder(atlas):
    return Geocoder(atlas)


def test_every_candidate_of_every_evaluation_row_is_codes_that_give_that_reading(geocoder, monkeypatch):
    made: dict[str, frozenset[str]] = {}
    reading = codes._reading.__wrapped__

    def recorded(gaz, entries):
        written = reading(gaz, entries)
        made[written[0]] = geocoder.footprints.lsoas(Match("matched", "", 0.0, list(entries)))
        return written

    monkeypatch.setattr(codes, "_reading", recorded)
    frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(EVALUATION.glob("*.csv"))])
    out, _sets = geocoder.geocode_frame(frame[["site_name", "lead_organisation"]])
    offered = 0
    for cell in out["candidates"]:
        parsed = parse_candidates(cell)
        assert len(parsed) == (cell.count(CANDIDATE_SEPARATOR) + 1 if cell else 0), cell  # none lost in reading
        for candidate in parsed:
            typed = read_codes(geocoder.gaz, candidate.codes)
            assert typed.entries and not typed.unknown and not typed.wrong, candidate
            assert geocoder.footprint(geocoder.resolve("", "", candidate.codes)) == made[candidate.codes], candidate
            offered += 1
    assert offered > len(frame)


def test_bradford_district_ccg_is_not_silently_three_ccgs(atlas, geocoder):
    bradford = geocoder.resolve("Bradford District CCG")
    assert bradford.status == "ambiguous" and "nearly the name of NHS Bradford Districts CCG" in bradford.note
    assert [c.codes for c in bradford.candidates] == ["ccg:02R", "ccg:02N;ccg:02R;ccg:02W"]
    leeds = geocoder.resolve("NHS Leeds CCG")  # a merged CCG's name: the place's CCGs, and it says so
    assert leeds.matched and "no CCG of 2015 has this name" in leeds.note
    assert geocoder.footprint(leeds) == lsoas(atlas, "ccg:02V", "ccg:03C", "ccg:03G")
    norfolk = geocoder.resolve("NHS Suffolk CCG")  # Great Yarmouth and Waveney CCG is 46% in Norfolk
    assert norfolk.status == "ambiguous" and "NHS Great Yarmouth and Waveney CCG" in norfolk.note


def test_a_council_by_its_official_name_is_that_council_only(atlas, geocoder):
    for name, code in (("London Borough of Lambeth", "lad:E09000022"), ("Plymouth, City of", "lad:E06000026"),
                       ("Metropolitan Borough of Bury", "lad:E08000002"), ("London, City of", "lad:E09000001"),
                       ("Council of the Isles of Scilly", "lad:E06000053"), ("Sutton Council", "lad:E09000029")):
        match = geocoder.resolve(name)
        assert match.matched and match.method == "official council name", name
        assert geocoder.footprint(match) == lsoas(atlas, code), name


def test_councils_formed_after_2015_and_counties_abolished_before_are_areas_of_their_time(atlas, geocoder):
    west = geocoder.resolve("West Northamptonshire")
    assert west.matched and "formed after 2015" in west.note
    assert geocoder.footprint(west) == lsoas(atlas, "lad:E07000151", "lad:E07000154", "lad:E07000155")
    dorset, county = geocoder.resolve("Dorset Council"), geocoder.resolve("Dorset County Council")
    assert geocoder.footprint(county) - geocoder.footprint(dorset) == lsoas(atlas, "lad:E07000048")  # Christchurch
    assert geocoder.footprint(geocoder.resolve("", "", "lad:E06000059")) == geocoder.footprint(dorset)  # today's code
    cleveland = geocoder.resolve("County of Cleveland")
    assert cleveland.matched and "town" not in cleveland.method and "abolished" in cleveland.note
    assert geocoder.footprint(cleveland) == lsoas(atlas, "lad:E06000001", "lad:E06000002", "lad:E06000003",
                                                  "lad:E06000004")


def test_integrated_care_boards_and_sub_icb_locations(atlas, geocoder):
    kent = geocoder.resolve("Kent and Medway ICB")
    assert kent.matched and kent.method.startswith("integrated care board")
    assert geocoder.footprint(kent) == lsoas(atlas, "utla:E10000016", "lad:E06000035")
    manchester = geocoder.resolve("NHS Greater Manchester ICB")  # Glossop left it in 2022
    assert manchester.status == "ambiguous" and "Glossop" in manchester.note
    county = frozenset(atlas.lsoas.index[atlas.lsoas["county_name"] == "Greater Manchester"])
    assert county in [geocoder.footprint(geocoder.resolve("", "", c.codes)) for c in manchester.candidates]
    halton = geocoder.resolve("NHS Cheshire and Merseyside Integrated Care Board \u2013 01F")
    assert halton.matched and geocoder.footprint(halton) == lsoas(atlas, "ccg:01F")
    merged = geocoder.resolve("NHS West Yorkshire ICB - 15F")
    assert merged.status == "unmatched" and "cannot know" in merged.note
    tameside = geocoder.resolve("NHS Greater Manchester ICB - 01Y")
    assert tameside.status == "ambiguous" and lsoas(atlas, "lad:E08000008") in [
        geocoder.footprint(geocoder.resolve("", "", c.codes)) for c in tameside.candidates]


def test_bodies_whose_areas_no_file_holds_are_unmatched_with_the_reason(geocoder):
    for name, kind in (("Kent Fire and Rescue Service", "fire and rescue"), ("Surrey Police", "police"),
                       ("Humber Local Enterprise Partnership", "local enterprise partnership")):
        match = geocoder.resolve(name)
        assert match.status == "unmatched" and f"a {kind} area" in match.note, name
