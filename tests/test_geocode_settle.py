"""Settling a geocoded list without Streamlit (fast tier): candidates as data, a search, a choice that
makes rows matched and writes their codes to ``areas``, and a download that geocodes the same again."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.geocode import settle
from geo.geocode.batch import geocode_in_chunks
from geo.geocode.ladder import Geocoder
from geo.geocode.match import MAX_CANDIDATES, Candidate, parse_candidates, render_candidates
from geo.geocode.site_csv import read_site_csv
from geo.present.export import to_safe_csv


@pytest.fixture(scope="module")
def geocoder(small_atlas):
    return Geocoder(small_atlas)


def test_candidates_are_written_best_first_bounded_and_read_back():
    offered = [Candidate(f"ccg:{i:03d}", f"Area {i} (part)", 50 + i) for i in range(12)]
    offered.append(Candidate("ccg:011", "the same reading again", 10))
    text = render_candidates(offered)
    read = parse_candidates(text)
    assert len(read) == MAX_CANDIDATES and [c.score for c in read] == sorted((c.score for c in read), reverse=True)
    assert read[0] == Candidate("ccg:011", "Area 11 (part)", 61.0)  # each reading once, as first offered
    assert parse_candidates("") == [] and parse_candidates(None) == []


def test_an_ambiguous_row_offers_readings_whose_codes_give_their_footprints(geocoder):
    match = geocoder.resolve("Newcastle upon Tyne")  # the district, or the CCG mostly in it
    assert match.status == "ambiguous" and len(match.candidates) == 2
    footprints = [geocoder.footprint(geocoder.resolve("", "", c.codes)) for c in match.candidates]
    assert all(footprints) and footprints[0] != footprints[1]
    assert {c.codes.partition(":")[0] for c in match.candidates} == {"lad", "ccg"}


def batch_of(geocoder, names: list[str]):
    return geocode_in_chunks(geocoder, pd.DataFrame({"site_name": names, "mine": range(len(names))}))


def test_a_choice_settles_every_row_of_the_name_and_is_written_to_areas(small_atlas, geocoder):
    batch = batch_of(geocoder, ["Wirral", "Newcastle upon Tyne", "Zzyzx Qwerty", "Newcastle upon Tyne "])
    assert settle.unsettled(batch) == [1, 2, 3]
    assert settle.same_name(batch, 1) == [1, 3]
    chosen = settle.offered(batch, 1)[0]
    reading = settle.describe(geocoder, chosen)
    assert reading.residents == small_atlas.population(reading.lsoas) > 0
    assert settle.choose(geocoder, batch, settle.same_name(batch, 1), chosen) == 2
    assert list(batch.column("status")) == ["matched", "matched", "unmatched", "matched"]
    assert list(batch.column("method"))[1::2] == ["chosen", "chosen"]
    assert "chosen on the page" in batch.column("note").iloc[1] and chosen.codes in batch.column("note").iloc[1]
    assert list(batch.frame["areas"]) == ["", chosen.codes, "", chosen.codes]
    assert batch.sets[1] == batch.sets[3] == reading.lsoas
    assert batch.column("population").iloc[1] == reading.residents
    assert list(batch.frame.columns[:3]) == ["site_name", "mine", "areas"]  # added before the geocoder's columns


def test_a_search_finds_areas_organisations_and_towns_and_a_found_reading_settles_a_row(geocoder):
    found = settle.search(geocoder, "Salford")
    assert found and found[0].codes == "ccg:01G"  # the CCG and the district are one reading
    assert any(c.codes.startswith("trust:") for c in settle.search(geocoder, "Salford Royal"))
    assert settle.search(geocoder, "") == [] and settle.search(geocoder, "x" * 500) == []
    batch = batch_of(geocoder, ["Zzyzx Qwerty"])
    settle.choose(geocoder, batch, [0], found[0])
    assert batch.column("status").iloc[0] == "matched"
    with pytest.raises(ValueError):
        settle.choose(geocoder, batch, [0], Candidate("ccg:ZZZ", "nowhere", 100))


def test_the_settled_list_downloaded_and_geocoded_again_gives_the_same_footprints(geocoder):
    batch = batch_of(geocoder, ["Newcastle upon Tyne", "Zzyzx Qwerty", "Sunderland"])
    settle.choose(geocoder, batch, [0], settle.offered(batch, 0)[1])
    settle.choose(geocoder, batch, [1], settle.search(geocoder, "Gateshead")[0])
    again = geocode_in_chunks(geocoder, read_site_csv(to_safe_csv(batch.frame, ["attribution"])))
    assert list(again.column("status")) == ["matched"] * 3
    assert again.sets == batch.sets


def test_every_kind_of_typed_code_reads_in_areas(small_atlas, geocoder):
    county = frozenset(small_atlas.lsoas.index[small_atlas.lsoas["county_code"] == "E11000002"])  # Merseyside
    assert county and geocoder.footprint(geocoder.resolve("", "", "county:E11000002")) == county
    region = geocoder.resolve("", "", "gor:E12000001")  # used to stop the whole list with a KeyError
    assert region.matched
    table = small_atlas.lsoas
    cell = geocoder.resolve("", "", "cell:13T/E08000021")
    assert cell.matched and geocoder.footprint(cell) == frozenset(
        table.index[(table["ccg_ods"] == "13T") & (table["lad_code"] == "E08000021")])
    wrong = geocoder.resolve("", "", "county:12F")
    assert wrong.status == "unmatched" and "write ccg:12F" in wrong.note
