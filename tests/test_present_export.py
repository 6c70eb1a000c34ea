"""Exports: CSV that cannot run as a formula, GeoJSON footprints, and names that say what they hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
import shapely

from geo.present import export
from geo.sources import ATTRIBUTION

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1", "plain",
           "a=b", "", "O'Neil, \"quoted\"\nsecond line"]


def read_back(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Attribution lines and the rows (header first) of an exported CSV."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    notes = [r[0] for r in rows if len(r) == 1 and r[0].startswith("#")]
    return notes, rows[len(notes):]


def test_safe_csv_escapes_every_formula_start_and_keeps_the_rest():
    frame = pd.DataFrame({"name": HOSTILE, "population": range(len(HOSTILE)),
                          "score": [-1.5] + [None] * (len(HOSTILE) - 1)})
    notes, rows = read_back(export.to_safe_csv(frame, ATTRIBUTION))
    assert rows[0] == ["name", "population", "score"]
    body = rows[1:]
    assert len(body) == len(frame)
    for cell, original in zip((r[0] for r in body), HOSTILE, strict=True):
        assert not cell.startswith(export.FORMULA_STARTS)
        assert cell in (original, "'" + original)
    assert body[0][0] == "'" + HOSTILE[0] and body[7][0] == "plain" and body[8][0] == "a=b"
    assert body[10][0] == HOSTILE[10]  # commas, quotes and newlines survive quoting
    assert body[0][2] == "-1.5" and body[1][2] == ""  # numbers stay numbers; missing is empty
    assert [n[2:] for n in notes] == list(ATTRIBUTION)


def test_safe_csv_reads_back_with_pandas(small_atlas):
    frame = pd.DataFrame({"site_id": ["a", "b"], "population": pd.array([small_atlas.population(
        small_atlas.lsoas_of("ccg", "12F")), pd.NA], dtype="Int64"), "codes": ["12F;02F", ""]})
    data = export.to_safe_csv(frame, "line one\n\nline two")  # the command line's --attribution
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=2, keep_default_na=False, dtype=str)
    assert list(back["site_id"]) == ["a", "b"]
    assert back["population"][0] == str(frame["population"][0]) and back["population"][1] == ""
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the (c) signs right


def test_a_page_csv_opens_with_no_options(tmp_path):
    """What the pages download: the header is the first line, read by pandas (and a spreadsheet) as it is."""
    frame = pd.DataFrame({"Site": ["Wirral", "=SUM(A1)", "Café £"], "Population covered": pd.array(
        [320_900, pd.NA, 5], dtype="Int64"), "Announced": [dt.date(2015, 3, 10), None, dt.date(2013, 11, 1)]})
    path = tmp_path / "sites.csv"
    path.write_bytes(export.to_safe_csv(frame))
    back = pd.read_csv(path)
    assert list(back.columns) == list(frame.columns) and len(back) == 3
    assert back["Site"].tolist() == ["Wirral", "'=SUM(A1)", "Café £"]
    assert back["Population covered"].iloc[0] == 320_900 and pd.isna(back["Population covered"].iloc[1])
    assert back["Announced"].iloc[0] == "2015-03-10" and pd.isna(back["Announced"].iloc[1])


def test_geojson_export_one_feature_per_row_with_nothing_lost(small_atlas):
    wirral = frozenset(small_atlas.lsoas_of("ccg", "12F"))
    frame = pd.DataFrame({"site_id": ["w", "none"], "display_name": ["Wirral", "<b>Nowhere</b>"],
                          "population": pd.array([small_atlas.population(wirral), pd.NA], dtype="Int64")})
    text = export.to_geojson_export(frame, {"w": wirral, "none": frozenset()}, small_atlas, ATTRIBUTION)
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and data["attribution"] == list(ATTRIBUTION)
    first, second = data["features"]
    assert first["properties"] == {"site_id": "w", "display_name": "Wirral", "population": int(frame.population[0])}
    assert second["geometry"] is None and second["properties"]["display_name"] == "<b>Nowhere</b>"
    shape = shapely.from_geojson(json.dumps(first["geometry"]))
    assert shape.is_valid
    lon, lat = shape.centroid.x, shape.centroid.y
    assert -3.3 < lon < -2.9 and 53.2 < lat < 53.5  # the Wirral peninsula
    # a list of footprints in row order works too (uploaded lists have no ids)
    by_row = json.loads(export.to_geojson_export(frame, [wirral, frozenset()], small_atlas, ATTRIBUTION))
    assert by_row["features"][0]["geometry"] == first["geometry"]


@pytest.mark.parametrize(("kind", "words", "expected"), [
    ("nhs-integration-sites", [], "nhs-integration-sites_all_2015-03-10.csv"),
    ("Vanguard-sites", ["Vanguard", "PACS", "North of England", "matching 'Wirral / \"x\"'"],
     "vanguard-sites_vanguard_pacs_north-of-england_matching-wirral-x_2015-03-10.csv"),
])
def test_export_names_say_what_the_file_holds(kind, words, expected):
    assert export.export_name(kind, words, "csv", today=dt.date(2015, 3, 10)) == expected
