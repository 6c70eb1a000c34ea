"""What covers this place (issue 15): the reading, the sites whose LSOAs meet the place, and the CLI.

On the real build (marked ``build`` by the conftest): every answer is checked against a count made
here afresh, site by site over the bundled footprints, not against the module's own matrix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from geo import cli
from geo.geocode.bundled_cache import cached_bundled_sites
from geo.geocode.ladder import Geocoder
from geo.geocode.match import AMBIGUOUS, MATCHED, UNMATCHED
from geo.present import folium_map as mapping
from geo.present.places import COVER_COLUMNS, SiteCover, SiteShapes, covers, covers_lines, read_place, sites_at_point
from geo.present.wording import CARE_MODEL_NAMES, people

ROOT = Path(__file__).resolve().parent.parent
#: A town, a district, a CCG, a trust and a GP practice, as a reader would type them.
PLACES = ("Halifax", "Craven", "NHS Wakefield CCG", "Leeds Teaching Hospitals", "Whitstable Medical Practice")


@pytest.fixture(scope="module")
def geocoder(atlas) -> Geocoder:
    return Geocoder(atlas)


@pytest.fixture(scope="module")
def bundled(atlas):
    return cached_bundled_sites(atlas, write=False)


@pytest.fixture(scope="module")
def cover(atlas, bundled) -> SiteCover:
    return SiteCover(atlas, *bundled)


def recount(atlas, bundled, lsoas: frozenset[str]) -> dict[str, int]:
    """Residents shared with the place, per site that meets it, counted set by set."""
    _frame, footprints = bundled
    return {site: atlas.population(footprint & lsoas) for site, footprint in footprints.items() if footprint & lsoas}


def test_halifax_is_covered_by_the_calderdale_mcp_and_the_west_yorkshire_network(atlas, geocoder, cover):
    answer = covers(geocoder, cover, "Halifax")
    reading = answer.reading
    assert reading.status == MATCHED and reading.codes == "lad:E08000033"  # the town's district, Calderdale
    assert "Halifax" in reading.label and reading.residents == atlas.population(reading.lsoas)
    frame = answer.sites.set_index("site_id")
    assert {"vg15-calderdale", "uec15-west-yorkshire"} <= set(frame.index)
    assert frame.loc["vg15-calderdale", "care_model"] == CARE_MODEL_NAMES["MCP"]  # written out
    assert frame.loc["uec15-west-yorkshire", "care_model"] == CARE_MODEL_NAMES["Urgent and emergency care"]
    assert frame.loc["vg15-calderdale", "share_of_place_pct"] == 100.0
    assert list(answer.sites.columns) == COVER_COLUMNS


@pytest.mark.parametrize("place", [*PLACES, "Mid Yorkshire Hospitals", "ccg:02T;lad:E08000036", "Pontefract"])
def test_every_site_meeting_the_place_is_listed_with_its_residents_and_share(atlas, geocoder, bundled, cover, place):
    answer = covers(geocoder, cover, place)
    assert answer.reading.matched, answer.reading.note
    expected = recount(atlas, bundled, answer.reading.lsoas)
    assert set(answer.sites["site_id"]) == set(expected) and expected
    place_residents = atlas.population(answer.reading.lsoas)
    for row in answer.sites.itertuples():
        assert row.people_in_both == expected[row.site_id]
        assert row.share_of_place_pct == round(expected[row.site_id] / place_residents * 100, 1)
    shares = list(answer.sites["share_of_place_pct"])
    assert shares == sorted(shares, reverse=True)


def test_a_reading_of_an_ambiguous_place_gives_that_readings_footprint_by_its_codes(geocoder, cover):
    answer = covers(geocoder, cover, "Richmond")
    reading = answer.reading
    assert reading.status == AMBIGUOUS and not reading.matched and answer.sites.empty
    assert len(reading.readings) >= 2
    assert len({r.candidate.codes for r in reading.readings}) == len(reading.readings)
    for option in reading.readings:
        chosen = read_place(geocoder, option.candidate.codes)
        assert chosen.matched and chosen.lsoas == option.lsoas and chosen.codes == option.candidate.codes
    assert "2 readings" in reading.words() or f"{len(reading.readings)} readings" in reading.words()


def test_typed_codes_read_as_the_areas_column_reads_them(geocoder):
    assert read_place(geocoder, "ccg:02T").lsoas == read_place(geocoder, "NHS Calderdale CCG").lsoas
    assert read_place(geocoder, "02T").lsoas == read_place(geocoder, "ccg:02T").lsoas
    wrong = read_place(geocoder, "lad:02T")
    assert wrong.status == UNMATCHED and "ccg:02T" in wrong.note  # what to write instead


@pytest.mark.parametrize("text", ["Qqxzv Wwyk", "   ", "x" * 600])
def test_an_unknown_place_is_unmatched_with_why(geocoder, cover, text):
    answer = covers(geocoder, cover, text)
    assert answer.reading.status == UNMATCHED and answer.sites.empty
    words = answer.reading.words()
    assert "not a place the atlas can read" in words and len(words) < 400 and "\n" not in words


def test_a_point_lists_every_footprint_drawn_there(atlas, bundled):
    frame, footprints = bundled
    geometries = mapping.footprint_geometries(atlas, footprints)
    shapes = SiteShapes(geometries)
    lat, lon = 53.683, -1.499  # Wakefield: a PACS, a pioneer, an MCP, the urgent care network, a hospital chain
    found = sites_at_point(shapes, frame, lat, lon)
    point = shapely.Point(lon, lat)
    expected = {s for s, g in geometries.items() if shape(g).intersects(point)}
    assert set(found["site_id"]) == expected and len(expected) >= 4
    assert list(found["population"]) == sorted(found["population"])  # smallest footprint first
    assert sites_at_point(shapes, frame, 50.0, -3.0).empty  # the sea off Devon


def test_the_answer_prints_each_site_with_its_share(geocoder, cover):
    lines = covers_lines(covers(geocoder, cover, "Halifax"))
    assert lines[0].startswith("\u201cHalifax\u201d read as") and "lad:E08000033" in lines[0]
    body = "\n".join(lines)
    assert "vg15-calderdale" in body and "100.0%" in body and CARE_MODEL_NAMES["MCP"] in body


def cli_site_ids(output: str) -> list[str]:
    """The site ids of ``python -m geo covers``'s table (the first word of each line under its header)."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["site_id", "site"])
    return [line.split()[0] for line in lines[header + 1:] if line.strip()]


@pytest.mark.parametrize("place", PLACES)
def test_the_command_gives_the_same_sites_as_the_page(cache_dir, geocoder, cover, capsys, place):
    """The page's lookup is ``covers`` on the server's geocoder and the bundled sites: the CLI must agree."""
    assert cli.main(["covers", place, "--cache", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    expected = covers(geocoder, cover, place).sites
    assert cli_site_ids(out) == list(expected["site_id"])
    for row in expected.itertuples():
        line = next(line for line in out.splitlines() if line.split()[:1] == [row.site_id])
        assert line.rstrip().endswith(f"{row.share_of_place_pct:.1f}%") and people(row.people_in_both) in line


def run_cli(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "covers", *args, "--cache", str(cache_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_command_exits_2_on_an_unknown_place_with_one_clear_line(cache_dir):
    done = run_cli("Qqxzv", "Wwyk", cache_dir=cache_dir)
    assert done.returncode == 2 and done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [line for line in done.stderr.splitlines() if "Qqxzv" in line]
    assert len(errors) == 1 and "not a place the atlas can read" in errors[0]


def test_the_command_lists_an_ambiguous_places_readings_with_their_codes_and_exits_2(cache_dir, geocoder):
    done = run_cli("Richmond", cache_dir=cache_dir)
    assert done.returncode == 2
    for option in read_place(geocoder, "Richmond").readings:
        assert f"[{option.candidate.codes}]" in done.stderr
    assert "Pass the codes" in done.stderr
    help_text = subprocess.run([sys.executable, "-m", "geo", "covers", "--help"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60).stdout
    assert "Exit status 2" in " ".join(help_text.split())


def test_the_place_is_one_of_the_map_pages_own_parameters():
    """Kept in the address by ui.address like the Map's outlines (never reported as an unknown filter)."""
    from ui.address import PAGE_PARAMS, page_param_names

    assert "place" in page_param_names()
    (place,) = [p for p in PAGE_PARAMS["map"] if p.name == "place"]
    assert place.read(["Halifax"]) == "Halifax" and place.write("ccg:02T") == ["ccg:02T"] and place.write("") == []


# --- the Map page's lookup under AppTest (the map itself is a component: see test_browser_place.py) -----------

APP = str(ROOT / "app.py")


def map_page(cache_dir, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_ids(at: AppTest) -> list[str]:
    return [list(d.value["Site id"]) for d in at.dataframe if "Share of the place" in d.value.columns][0]


def test_the_map_page_answers_a_place_in_its_address(cache_dir, geocoder, cover):
    at = map_page(cache_dir, place="Halifax")
    assert table_ids(at) == list(covers(geocoder, cover, "Halifax").sites["site_id"])
    assert not any("place" in w.value for w in at.warning)  # no "not a filter" notice
    assert any("What covered Halifax" in h.value for h in at.subheader)


def test_the_map_page_asks_which_reading_of_an_ambiguous_place_and_takes_its_codes(cache_dir, geocoder, cover):
    at = map_page(cache_dir, place="Newcastle")
    readings = read_place(geocoder, "Newcastle").readings
    question = at.radio(key="place_reading")
    assert len(question.options) == len(readings)
    question.set_value(2).run()
    codes = readings[2].candidate.codes
    assert at.text_input(key="place").value == codes
    assert table_ids(at) == list(covers(geocoder, cover, codes).sites["site_id"])


def test_the_map_page_says_why_a_place_is_not_read_and_names_sites_the_filters_hide(cache_dir):
    at = map_page(cache_dir, place="Qqxzv Wwyk")
    assert any("not a place the atlas can read" in w.value for w in at.warning) and not at.subheader
    at = map_page(cache_dir, place="Halifax", programme="Integration pioneer")
    hidden = [c.value for c in at.main.caption if "hidden by the filters" in c.value]
    assert hidden and "Calderdale" in hidden[0]
