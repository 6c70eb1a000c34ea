"""How the map draws footprints and its key (issue 15): every colour a footprint is drawn in is in the legend."""

from __future__ import annotations

import re

import pytest

from geo.present import atlas_map
from geo.present.folium_map import OUTLINE_LABELS, site_properties
from geo.present.map_key import EDGE_COLOUR, footprint_style, legend_html
from geo.present.palette import CARE_MODEL_COLOURS, NETWORK_CARE_MODELS, OUTLINE_COLOURS

HOSTILE = '<img src=x onerror="alert(1)">'


def colours(text: str) -> set[str]:
    return {c.lower() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", text)}


@pytest.mark.parametrize("model", [*CARE_MODEL_COLOURS, None, "Something else"])
def test_a_footprint_is_an_opaque_fill_or_a_network_line_and_the_key_draws_it_alike(model):
    props = site_properties({"site_id": "s", "display_name": HOSTILE, "care_model": model, "population": 1}, "site_id")
    style = footprint_style(props)
    network = model in NETWORK_CARE_MODELS
    assert props["network"] is network
    if network:  # a coloured line over the fills, no fill of its own
        assert style["fill"] is False and style["color"] == props["colour"]
    else:  # opaque: two sites never blend into a colour of neither
        assert style["fillOpacity"] == 1 and style["fillColor"] == props["colour"] and style["color"] == EDGE_COLOUR
    key = legend_html([model if isinstance(model, str) else "Other or not given"])
    drawn = {c.lower() for c in (style.get("fillColor"), style["color"]) if c} | {EDGE_COLOUR.lower()}  # + casing
    assert drawn <= colours(key), (drawn, key)
    assert ("background:none" in key) is network  # the key shows a network as a line, not a filled square


def test_the_state_keys_the_outlines_shown_and_the_chosen_site():
    state = atlas_map.map_state(["a", "b"], ["MCP", "Urgent and emergency care"],
                                {"nhs_region": "app/static/atlas/o.json", "ccg": "app/static/atlas/c.json"},
                                chosen="b")
    assert state["chosen"] == "b" and atlas_map.map_state(["a"], ["MCP"])["chosen"] is None
    for key in ("nhs_region", "ccg"):
        assert OUTLINE_LABELS[key] in state["legend"] and OUTLINE_COLOURS[key].lower() in colours(state["legend"])
    assert "Outlines" not in atlas_map.map_state(["a"], ["MCP"])["legend"]


def test_the_base_map_bounds_its_zoom_and_sleeps_the_wheel():
    html = atlas_map.base_map({"land": "a", "labels": "b", "sites": "c"}).get_root().render()
    assert 12 <= atlas_map.MAX_ZOOM <= 14 and f'"maxZoom": {atlas_map.MAX_ZOOM}' in html
    assert "scrollWheelZoom.disable()" in html and "setMaxBounds" in html and "dragging.disable()" in html
    assert '"tabindex", "-1"' in html  # footprints are no Tab stops
