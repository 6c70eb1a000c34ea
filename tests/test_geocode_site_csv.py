"""Reading users' CSV files: encodings, delimiters and clear refusals."""

from __future__ import annotations

import codecs

import pytest

from geo.geocode.site_csv import SiteFileError, read_site_csv

TEXT = "Site name;lead_organisation;Notes\nBognor Régis;Trust « A »;x\n=SUM(A1);;y\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("cp1252"),
    TEXT.encode("utf-16"),  # with BOM, as Excel's "Unicode text"
    TEXT.encode("utf-16-le"),  # without BOM
])
def test_common_encodings_are_read_exactly(data):
    frame = read_site_csv(data)
    assert list(frame.columns) == ["site_name", "lead_organisation", "Notes"]
    assert frame["site_name"].tolist() == ["Bognor Régis", "=SUM(A1)"]
    assert frame["lead_organisation"].tolist() == ["Trust « A »", ""]


def test_tabs_and_quoted_commas():
    frame = read_site_csv(b'site_name\tareas\n"Leeds, West"\t03C\n')
    assert frame.loc[0, "site_name"] == "Leeds, West" and frame.loc[0, "areas"] == "03C"


@pytest.mark.parametrize("data, fix", [
    (b"a" * 6_000_001, "limit is 5 MB"),
    (b"name,place\nLeeds,x\n", "no 'site_name' column"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Excel"),
    (b"site_name\nLeeds\x00\x01\x02binary\x00junk\xff", "binary"),
    (b"  \n\n", "empty"),
    (b"site_name,b\nx,1,2,3\n", "well-formed"),
])
def test_bad_files_are_refused_with_what_to_fix(data, fix):
    with pytest.raises(SiteFileError, match=fix):
        read_site_csv(data)
