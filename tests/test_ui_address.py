"""The page address (ui/address.py): what a link means, what a view writes, and one owner of the address.

The browser's side (page moves, Back and Forward, history entries) is in test_browser_links.py.
"""

from __future__ import annotations

import ast
import html
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.present import filters as flt
from geo.present.wording import CARE_MODEL_NAMES
from ui import address

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
REGIONS = ("North of England", "Midlands and East of England", "London", "South of England")
BOUNDS = (0, 2800)
OUTLINES, SHADING, SITE = address.PAGE_PARAMS["map"][:3]  # the Map's outlines, shading and site (then its place)


def test_the_maps_outlines_read_and_write_short_ids():
    assert OUTLINES.read([]) == ["nhs_region"] and OUTLINES.write(["nhs_region"]) == []  # the default: absent
    assert OUTLINES.read(["ccg", "lad", "ccg"]) == ["ccg", "lad"] and OUTLINES.write(["ccg", "lad"]) == ["ccg", "lad"]
    assert OUTLINES.write([]) == [""] and OUTLINES.read([""]) == []  # none is a choice, and stays one
    assert OUTLINES.read(["ccg", "NHS region"]) == ["ccg"]  # a label or anything else is not a value
    assert OUTLINES.read(["nonsense"]) == ["nhs_region"]  # nothing usable: the default
    assert SHADING.read(["imd"]) == "imd" and SHADING.write("imd") == ["imd"]
    assert SHADING.read(["lad", "ccg"]) == "ccg" and SHADING.read(["nope"]) == "" and SHADING.write("") == []


def test_a_link_means_the_filters_it_names():
    link = {"programme": ["Vanguard"], "region": ["Midlands and East of England"], "by": ["July 2015"]}
    values = address.read_filters(link, REGIONS, BOUNDS)
    assert values == {"programme": ["Vanguard"], "model": [], "region": ["Midlands and East of England"],
                      "pop": BOUNDS, "q": "", "by": "July 2015"}
    assert address.write_filters(values, BOUNDS) == link  # and writes back as it came, defaults left out


def test_short_names_older_links_and_bad_values_are_read_as_the_filters_read_them():
    values = address.read_filters({"model": ["MCP", "Integration pioneer"], "programme": ["Nope"],
                                   "pop": ["100", "500"], "by": ["2015-03"], "q": ["Leeds"]}, REGIONS, BOUNDS)
    assert values["model"] == [CARE_MODEL_NAMES["MCP"]] and values["programme"] == ["Integration pioneer"]
    assert values["pop"] == (100, 500) and values["by"] == flt.ANNOUNCED_LABELS[-1] and values["q"] == "Leeds"
    assert address.write_filters(values, BOUNDS) == {
        "programme": ["Integration pioneer"], "model": [CARE_MODEL_NAMES["MCP"]], "pop": ["100", "500"],
        "q": ["Leeds"]}


def _bound_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Call)
            and any(k.arg == "bind" for k in node.keywords)]


def test_no_widget_is_bound_to_the_address_by_streamlit():
    """ui/address.py owns the address. A widget bound by Streamlit belongs to one page: Streamlit drops its
    parameter on a move to another page, and it cannot be written in the same message as the rest. A page's
    own choice goes in ui.address.PAGE_PARAMS instead (its name in the URL and its widget's key)."""
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]
    assert [call for path in files for call in _bound_calls(path)] == []


@pytest.fixture
def map_page(cache_dir):
    def start(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page("pages/map.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return start


def test_the_map_opens_with_the_outlines_and_shading_of_its_link(map_page):
    at = map_page(outlines=["ccg", "lad"], shading="imd", programme="Vanguard")
    assert at.multiselect(key="map_outlines").value == ["ccg", "lad"]
    assert at.selectbox(key="map_choropleth").value == "imd"
    assert not at.warning  # the Map's own parameters are not unknown filters
    assert at.multiselect(key="programme").value == ["Vanguard"]


def test_every_shading_and_outline_of_the_map_can_be_linked(map_page):
    at = map_page()
    assert len(at.selectbox(key="map_choropleth").options) == len(SHADING.choices())
    assert len(at.multiselect(key="map_outlines").options) == len(OUTLINES.choices())
    outlines = list(OUTLINES.choices())
    for n, choice in enumerate(SHADING.choices()):  # a new address (a link, Back, Forward) sets the widgets
        outline = outlines[n % len(outlines)]
        at.query_params["shading"] = choice
        at.query_params["outlines"] = outline
        at.run()
        assert not at.exception
        assert at.selectbox(key="map_choropleth").value == choice
        assert at.multiselect(key="map_outlines").value == [outline]


def test_a_change_is_written_to_the_address_and_a_rerun_keeps_it(map_page):
    at = map_page(programme="Vanguard")
    at.selectbox(key="map_choropleth").set_value("lad").run()
    at.multiselect(key="programme").set_value(["Integration pioneer"]).run()
    assert dict(at.query_params) == {"programme": "Integration pioneer", "shading": "lad"}
    at.run()
    assert at.selectbox(key="map_choropleth").value == "lad" and at.multiselect(key="programme").value == [
        "Integration pioneer"]


def test_a_links_unknown_map_choice_gets_a_notice(map_page):
    assert OUTLINES.notice(["ccg", "lad"]) is None and OUTLINES.notice([""]) is None
    assert SHADING.notice(["imd"]) is None
    at = map_page(shading="rainfall", outlines=["ccg", "<b>wards</b>"])
    notices = html.unescape(" ".join(w.value for w in at.warning))  # shown as text: punctuation as &#NN;
    assert "shading=" in notices and "rainfall" in notices and "not one of ccg, lad" in notices
    assert "wards" in notices and "'ccg'" not in notices
    assert at.selectbox(key="map_choropleth").value == "" and at.multiselect(key="map_outlines").value == ["ccg"]


def test_a_change_made_while_the_last_address_was_on_its_way_is_kept_and_back_still_works(map_page):
    at = map_page()
    at.multiselect(key="programme").set_value(["Vanguard"]).run()
    assert dict(at.query_params) == {"programme": "Vanguard"}
    at.query_params.clear()  # the browser had not yet received that address when the next change came
    at.text_input(key="q").set_value("Leeds").run()
    assert at.multiselect(key="programme").value == ["Vanguard"] and at.text_input(key="q").value == "Leeds"
    assert dict(at.query_params) == {"programme": "Vanguard", "q": "Leeds"}
    at.query_params.clear()
    at.query_params["programme"] = "Vanguard"  # Back: the address before the search, no widget changed
    at.run()
    assert at.multiselect(key="programme").value == ["Vanguard"] and at.text_input(key="q").value == ""


def test_the_maps_site_is_in_its_address_as_an_id_and_absent_when_none_is_chosen():
    assert SITE.name == "site" and SITE.read([]) == "" and SITE.write("") == []
    assert SITE.read(["vg15-calderdale"]) == "vg15-calderdale" and SITE.write("vg15-calderdale") == ["vg15-calderdale"]
