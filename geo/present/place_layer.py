"""The place looked up on the Map page, drawn over the footprints: a bold outline and its legend line.

The outline is a dark plum line on a white halo with no fill, above every footprint's line, so the
footprints under it keep their colours (every colour seen is still one the legend shows) and the place
reads apart from the dashed reference outlines. It takes no clicks: a click inside it reaches the
footprints and the map beneath.
"""

from __future__ import annotations

import html

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.present.folium_map import geometry_bounds
from geo.present.palette import PLACE_COLOUR

PLACE_CLASS = "atlas-place"
LAYER_NAME = "Place looked up"
#: The live map's pane of reference outlines (atlas_map_script), above the footprints and the networks' lines,
#: which would otherwise hide the place's outline where its border is a network's border (Halifax: Calderdale).
LINES_PANE = "atlasLines"


class _FitOnce(MacroElement):
    """Fit the live map to a place when it is first shown; the same place on later runs (a filter change)
    leaves the reader's view alone."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var A = window.atlas;
  if (!A || A.placeShown === {{ this.key|tojson }}) { return; }
  A.placeShown = {{ this.key|tojson }};
  A.map.fitBounds({{ this.bounds|tojson }}, {maxZoom: 11, padding: [20, 20]});
})();
{% endmacro %}
""")

    def __init__(self, key: str, bounds: list[list[float]]):
        super().__init__()
        self._name = "PlaceFit"
        self.key = key
        self.bounds = bounds


def place_layer(geometry: dict | None, label: str, key: str = "") -> folium.FeatureGroup:
    """A feature group for ``st_folium(feature_group_to_add=...)``: the place's outline, or nothing. With a
    ``key`` (the place's codes), the map is fitted to the place the first time that key is shown."""
    group = folium.FeatureGroup(name=LAYER_NAME, control=False)
    if geometry is None:
        return group
    if key:
        group.add_child(_FitOnce(key, geometry_bounds([geometry])))
    feature = {"type": "Feature", "geometry": geometry, "properties": {"name": html.escape(label)}}
    for colour, weight, opacity, class_name in (("#ffffff", 9, 0.9, f"{PLACE_CLASS}-halo"),
                                               (PLACE_COLOUR, 4, 1.0, PLACE_CLASS)):
        folium.GeoJson(feature, interactive=False, className=class_name, pane=LINES_PANE,
                       style_function=lambda _f, c=colour, w=weight, o=opacity: {
                           "color": c, "weight": w, "opacity": o, "fill": False, "fillOpacity": 0}).add_to(group)
    return group


def place_legend(label: str) -> str:
    """The legend's line for the place (escaped): an outlined swatch in the place's colour."""
    return (f"<b>{html.escape(LAYER_NAME)}</b><i style=\"background:#ffffff;border:3px solid {PLACE_COLOUR}\"></i>"
            f"{html.escape(label)}<br>")
