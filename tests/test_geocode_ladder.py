"""The geocoder on the seed sites, on names it has never seen, and on hostile input."""

from __future__ import annotations

import csv
import subprocess
import sys

import pandas as pd
import pytest

from geo.geocode.bundled_sites import bundled_sites
from geo.geocode.gazetteer import ALIASES_CSV, Entry
from geo.geocode.ladder import OUTPUT_COLUMNS, Geocoder
from geo.present.coverage import coverage_by, multi_programme_places, no_area_sites, overlapping_sites, union_population


@pytest.fixture(scope="module")
def geocoder(atlas):
    return Geocoder(atlas)


@pytest.fixture(scope="module")
def sites(atlas, geocoder):
    return bundled_sites(atlas, geocoder)


def lsoas(atlas, *targets: str) -> frozenset[str]:
    """Expected footprint from 'ccg:12F', 'lad:E08000015' or 'cell:CCG|LAD' targets."""
    out: set[str] = set()
    table = atlas.lsoas
    for target in targets:
        kind, _, code = target.partition(":")
        if kind == "cell":
            ccg, lad = code.split("|")
            out |= set(table.index[(table["ccg_ods"] == ccg) & (table["lad_code"] == lad)])
        else:
            out |= set(atlas.lsoas_of({"ccg": "ccg", "lad": "lad", "utla": "utla"}[kind], code))
    return frozenset(out)


# The footprint each seed site should get, and why (aliases carry their reasoning in data/aliases.csv).
EXPECTED = {
    "vg15-wirral": ["ccg:12F"],
    "vg15-northumbria": ["ccg:00L"],  # alias: Northumberland, not the trust HQ in North Tyneside
    "vg15-salford": ["ccg:01G"],  # trust register: Salford Royal's HQ cell is all of Salford
    "vg15-harrogate": ["ccg:03E"],
    "vg15-fylde-coast": ["ccg:00R", "ccg:02M"],
    "vg15-calderdale": ["ccg:02T"],
    "vg15-west-wakefield": ["lad:E08000036"],
    "vg15-sunderland": ["ccg:00P"],  # compound: both parts are Sunderland
    "vg15-stockport": ["ccg:01W"],
    "vg15-west-cheshire": ["ccg:02F"],
    "vg15-airedale": ["ccg:02N", "ccg:02W", "ccg:02R", "ccg:01A"],  # alias: the telehealth hub's four CCGs
    "vg15-wakefield": ["ccg:03R"],
    "vg15-gateshead": ["lad:E08000037"],  # 2013 CCG 00F = Gateshead borough, not all of 13T
    "vg15-morecambe-bay": ["ccg:01K", "lad:E07000027", "lad:E07000031"],
    "vg15-mid-nottinghamshire": ["ccg:04E", "ccg:04H"],  # names in brackets, split into two CCGs
    "vg15-erewash": ["ccg:03X"],
    "vg15-vitality": ["cell:05L|E08000025"],  # Vitality practices: their CCG within Birmingham
    "vg15-dudley": ["ccg:05C"],
    "vg15-lakeside": ["ccg:03V"],
    "vg15-principia": ["ccg:04N"],  # brand unknown, bracketed place known
    "vg15-nottingham-city": ["ccg:04K"],
    "vg15-tower-hamlets": ["ccg:08V"],
    "vg15-sutton": ["ccg:08T"],
    "vg15-yeovil": ["lad:E07000189"],  # trust HQ: South Somerset district inside county-wide Somerset CCG
    "vg15-ne-hampshire-farnham": ["ccg:99M"],
    "vg15-isle-of-wight": ["ccg:10L"],
    "vg15-whitstable": ["cell:09E|E07000106"],  # practices in Canterbury district
    "vg15-southern-health": ["lad:E07000085", "lad:E07000088", "lad:E07000091"],
    "vg15-east-north-herts": ["ccg:06K"],
    "ip13-barnsley": ["lad:E08000016"],
    "ip13-cheshire": ["utla:E06000049", "utla:E06000050"],
    "ip13-cornwall-isles-of-scilly": ["ccg:11N"],
    "ip13-greenwich": ["lad:E09000011"],
    "ip13-islington": ["lad:E09000019"],
    "ip13-leeds": ["lad:E08000035"],
    "ip13-kent": ["utla:E10000016"],
    "ip13-north-west-london": ["ccg:07P", "ccg:07W", "ccg:07Y", "ccg:08C", "ccg:08E", "ccg:08G", "ccg:08Y", "ccg:09A"],
    "ip13-north-staffordshire": ["ccg:05G", "ccg:05W", "ccg:05V", "ccg:04Y"],  # site row's areas column
    "ip13-south-devon-torbay": ["ccg:99Q"],
    "ip13-southend": ["ccg:99G"],
    "ip13-south-tyneside": ["ccg:00N"],
    "ip13-waltham-forest-east-london-city": ["ccg:08W", "ccg:08M", "ccg:08V", "ccg:07T"],
    "ip13-worcestershire": ["utla:E10000034"],
}


def test_every_seed_site_resolves_to_the_expected_footprint(atlas, sites):
    frame, footprints = sites
    assert len(frame) == 75 and set(EXPECTED) <= set(frame["site_id"])
    assert (frame["status"] == "matched").all(), frame.loc[frame["status"] != "matched", ["site_id", "note"]]
    wrong = {sid: sorted(footprints[sid] ^ lsoas(atlas, *targets))[:3]
             for sid, targets in EXPECTED.items() if footprints[sid] != lsoas(atlas, *targets)}
    assert not wrong


def test_all_75_sites_get_their_evidence_based_footprint(geocoder, sites):
    """The core check: each site's footprint is its ``expected_footprint`` (typed codes; ``trust:``
    is the cells of the trust's hospitals), or it is kept as a network with no area footprint."""
    frame, footprints = sites
    wrong = {}
    for row in frame.itertuples():
        if row.expected_footprint == "none":
            if row.footprint_level != "no area footprint" or footprints[row.site_id] or not pd.isna(row.population):
                wrong[row.site_id] = row.method
            continue
        want = frozenset().union(*(geocoder.gaz.lsoas(Entry(*t.split(":"), ""))
                                   for t in row.expected_footprint.split(";")))
        if not want or footprints[row.site_id] != want:
            wrong[row.site_id] = (row.method, row.ccg_codes)
    assert not wrong
    assert (frame["expected_footprint"] == "none").sum() == 5


def test_hospital_networks_and_partner_lists_are_read_by_rule(sites):
    methods = sites[0].set_index("site_id")["method"]
    levels = sites[0].set_index("site_id")["footprint_level"]
    assert methods["acc15-salford-wigan"].startswith("hospital network")
    assert "hospital sites" in levels["acc15-salford-wigan"]
    assert methods["uec15-solihull"] == "CCGs named among the partners"
    assert methods["uec15-north-east"] == "exact name" and "government region" in levels["uec15-north-east"]
    assert "area team" in levels["uec15-west-yorkshire"]  # with Craven: the NHS grouping, not the county
    assert "organisation register" in methods["acc15-royal-free"] and "hospital sites" in levels["acc15-royal-free"]


def test_site_counts_follow_the_announcements(sites):
    frame, _ = sites
    vanguards = frame[frame["programme"] == "Vanguard"]
    assert vanguards["care_model"].value_counts().to_dict() == {
        "MCP": 14, "PACS": 9, "Enhanced health in care homes": 6, "Urgent and emergency care": 8,
        "Acute care collaboration": 13}
    assert (frame["programme"] == "Integration pioneer").sum() == 25
    morecambe = frame.set_index("site_id").loc["vg15-morecambe-bay"]
    assert morecambe["name_as_printed"] == "" and morecambe["region_inferred"] == "North"


def test_every_alias_says_where_it_comes_from_and_why():
    with open(ALIASES_CSV, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["source"].strip() and len(row["reasoning"].split()) >= 8, row["alias"]


def test_aliases_are_used_only_where_the_ladder_cannot_resolve(sites):
    frame, _ = sites
    methods = frame.set_index("site_id")["method"]
    assert methods["vg15-wirral"] == "exact name"
    assert methods["vg15-yeovil"].startswith("organisation register")
    assert methods["vg15-sunderland"].startswith("compound name")
    assert methods["vg15-principia"].startswith("place in brackets")
    assert (methods == "curated alias").sum() <= 16  # brands and multi-area names only


def test_region_check_flags_differences(sites):
    frame, _ = sites
    checks = frame.set_index("site_id")["region_check"]
    assert "Midlands and East" in checks["vg15-east-north-herts"] and "South" in checks["vg15-east-north-herts"]
    assert checks["vg15-wirral"] == ""
    overlaps = frame.set_index("site_id")["overlaps_with"]
    assert "Tower Hamlets Integrated Provider Partnership" in overlaps["ip13-waltham-forest-east-london-city"]
    assert overlaps["vg15-isle-of-wight"] == ""


@pytest.mark.parametrize("name", ["Sutton", "Newport", "Richmond", "Newcastle"])
def test_ambiguous_names_come_back_ambiguous_with_candidates(geocoder, name):
    match = geocoder.resolve(name)
    assert match.status == "ambiguous" and len(match.candidates) >= 2 and not match.entries


@pytest.mark.parametrize("name", ["NHS Sutton CCG", "London Borough of Sutton", "Richmond CCG",
                                  "Newcastle Gateshead CCG"])
def test_qualified_names_are_not_ambiguous(geocoder, name):
    assert geocoder.resolve(name).status == "matched"


@pytest.mark.parametrize("name", ["Atlantis", "Narnia Health Partnership", "Springfield and Shelbyville",
                                  "Zzyzx", "Hogwarts School Surgery"])
def test_names_of_nowhere_are_unmatched(geocoder, name):
    match = geocoder.resolve(name)
    assert match.status == "unmatched" and match.entries == []


@pytest.mark.parametrize("name, expected", [
    ("Wakefeild", "ccg:03R"),  # misspelt
    ("calderdal", "ccg:02T"),
    ("Mansfield and Ashfield", "ccg:04E"),  # one CCG, not two places
    ("NHS Newcastle West CCG", None),  # 2013 CCG: part of 13T
    ("Barnsley and Wakefield", None),
])
def test_names_never_seen(atlas, geocoder, name, expected):
    match = geocoder.resolve(name)
    assert match.status == "matched", match
    footprint = geocoder.footprint(match)
    if expected:
        assert footprint == lsoas(atlas, expected)
    elif "Newcastle West" in name:
        assert footprint < lsoas(atlas, "ccg:13T") and "2013" in match.note
        assert footprint <= lsoas(atlas, "lad:E08000021")
    else:
        assert footprint == lsoas(atlas, "lad:E08000016", "lad:E08000036")


def test_explicit_areas_codes_and_coordinates(atlas, geocoder):
    frame = pd.DataFrame({
        "site_name": ["anything", "x", "Somewhere", "Nowhere"],
        "areas": ["12F; E08000015", "lad:E07000189;ccg:99Q", "", "Q99; 12F"],
        "lat": ["", "", "53.4875", ""], "lon": ["", "", "-2.2901", ""],  # Salford
    })
    out, sets = geocoder.geocode_frame(frame)
    assert list(out["status"]) == ["matched", "matched", "matched", "ambiguous"]
    assert sets[0] == lsoas(atlas, "ccg:12F")
    assert sets[1] == lsoas(atlas, "lad:E07000189", "ccg:99Q")
    assert out.loc[2, "method"] == "coordinates" and out.loc[2, "ccg_codes"] == "01G"
    assert "Q99" in out.loc[3, "note"]


def test_rows_in_equal_rows_out_in_order_with_passthrough(geocoder):
    names = ["Leeds", "", None, "Leeds", "=1+2", "<b>Wirral</b>", "Sutton", "Atlantis", "  ", "Kent"] * 3
    frame = pd.DataFrame({"site_name": names, "my_id": range(len(names)), "notes": ["keep me"] * len(names)})
    out, sets = geocoder.geocode_frame(frame)
    assert len(out) == len(frame) == len(sets)
    assert list(out["my_id"]) == list(range(len(names))) and (out["notes"] == "keep me").all()
    pd.testing.assert_series_equal(out["site_name"], frame["site_name"])  # passes through unchanged
    assert out["site_name"].tolist()[4:6] == ["=1+2", "<b>Wirral</b>"]
    assert set(OUTPUT_COLUMNS) <= set(out.columns)
    assert out.loc[1, "status"] == "unmatched" and out.loc[5, "status"] == "matched"
    again, _ = Geocoder(geocoder.atlas).geocode_frame(frame)
    pd.testing.assert_frame_equal(out, again)  # deterministic


def test_practice_sites_count_registered_patients(sites):
    frame, _ = sites
    whitstable = frame.set_index("site_id").loc["vg15-whitstable"]
    assert whitstable["population_basis"].startswith("registered patients")
    assert 20_000 < whitstable["population"] < 100_000


def test_union_population_counts_each_person_once(atlas, sites):
    frame, footprints = sites
    wakefield, west = footprints["vg15-wakefield"], footprints["vg15-west-wakefield"]
    assert wakefield == west  # both all of Wakefield
    assert union_population(atlas, [wakefield, west]) == atlas.population(wakefield)
    th, wel = footprints["vg15-tower-hamlets"], footprints["ip13-waltham-forest-east-london-city"]
    assert th < wel
    assert union_population(atlas, [th, wel]) == atlas.population(wel)
    everything = union_population(atlas, footprints.values())
    assert everything < sum(atlas.population(f) for f in footprints.values())


def test_coverage_tables(atlas, sites):
    frame, footprints = sites
    by_model = coverage_by(atlas, frame, footprints, "care_model")
    assert set(by_model["care_model"]) == {"PACS", "MCP", "Enhanced health in care homes", "Integration pioneer",
                                           "Urgent and emergency care", "Acute care collaboration"}
    assert by_model["sites"].sum() == 75
    acc = by_model.set_index("care_model").loc["Acute care collaboration"]
    assert acc["no_area_sites"] == 5 and by_model["no_area_sites"].sum() == 5
    assert len(no_area_sites(frame, footprints)) == 5
    assert (by_model["share_of_england_pct"] > 0).all() and (by_model["share_of_england_pct"] < 100).all()
    by_region = coverage_by(atlas, frame, footprints, "nhs_regions")
    assert len(by_region) == 4
    assert by_region["population"].sum() == union_population(atlas, footprints.values())
    places = multi_programme_places(atlas, frame, footprints)
    assert {"Tower Hamlets", "Canterbury", "Cheshire West and Chester"} <= set(places["district"])
    pairs = overlapping_sites(atlas, frame, footprints)
    assert ((pairs["site_a"] == "Tower Hamlets Integrated Provider Partnership")
            | (pairs["site_b"] == "Tower Hamlets Integrated Provider Partnership")).any()


def test_geocode_command_keeps_rows_and_defuses_formulas(tmp_path, cache_dir):
    src = tmp_path / "in.csv"
    src.write_text('site_name,ref\n=HYPERLINK("http://evil"),1\nNHS Wakefield CCG,2\n-Leeds,3\n', encoding="cp1252")
    out = tmp_path / "out.csv"
    run = subprocess.run([sys.executable, "-m", "geo", "geocode", str(src), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert result["ref"].tolist() == ["1", "2", "3"]
    assert result["site_name"].tolist() == ["'=HYPERLINK(\"http://evil\")", "NHS Wakefield CCG", "'-Leeds"]
    assert result.loc[1, "ccg_codes"] == "03R"


@pytest.mark.parametrize("content, message", [
    (b"name,area\nLeeds,x\n", "site_name"),
    (b"PK\x03\x04binary", "Excel"),
    (b"", "empty"),
    (b'site_name,x\n"Leeds,1\n"unclosed', "well-formed"),
])
def test_geocode_command_refuses_bad_files_with_exit_2(tmp_path, cache_dir, content, message):
    src = tmp_path / "bad.csv"
    src.write_bytes(content)
    run = subprocess.run([sys.executable, "-m", "geo", "geocode", str(src), "-o", str(tmp_path / "o.csv")],
                         capture_output=True, text=True)
    assert run.returncode == 2 and message in run.stderr
    assert not (tmp_path / "o.csv").exists()


def test_sites_command_writes_all_sites(tmp_path, cache_dir):
    out = tmp_path / "sites.csv"
    subprocess.run([sys.executable, "-m", "geo", "sites", "-o", str(out)], check=True, capture_output=True)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 75 and (frame["status"] == "matched").all()


def test_a_place_named_by_a_trust_is_where_its_hospitals_stand(geocoder):
    """Issue 9: "Morecambe Bay" is no official area, but University Hospitals of Morecambe Bay names it."""
    match = geocoder.resolve("Morecambe Bay")
    assert match.matched and match.method.startswith("place named by a trust")
    row, _ = geocoder.columns(match)
    assert set(row["lad_names"].split(";")) == {"Barrow-in-Furness", "South Lakeland", "Lancaster"}


def test_every_site_drawn_by_hospitals_has_its_hospitals_as_points(atlas, sites):
    from geo.present.hospitals import hospital_sites, site_hospitals

    frame, _ = sites
    level = frame["footprint_level"]
    drawn = frame[level.str.contains("hospital sites") | (level == "no area footprint")]
    shown = set(site_hospitals(hospital_sites(atlas), drawn)["site_id"])
    assert {"vg15-salford", "vg15-yeovil", "acc15-royal-free"} <= set(drawn["site_id"])
    assert set(drawn["site_id"]) == shown, set(drawn["site_id"]) - shown  # first-wave trust sites included
