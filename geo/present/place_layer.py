"""The place looked up on the Map page, drawn over the footprints: a bold outline and its legend line.

The outline is a dark plum line on a white halo with no fill, so the footprints under it keep their
colours (every colour seen is still one the legend shows) and the place reads apart from the dashed
reference outlines. It takes no clicks: a click inside it reaches the footprints and the map beneath.
"""

from __future__ import annotations

import html

import folium

from geo.present.palette import PLACE_COLOUR

PLACE_CLASS = "atlas-place"
LAYER_NAME = "Place looked up"


def place_layer(geometry: dict | None, label: str) -> folium.FeatureGroup:
    """A feature group for ``st_folium(feature_group_to_add=...)``: the place's outline, or nothing."""
    group = folium.FeatureGroup(name=LAYER_NAME, control=False)
    if geometry is None:
        return group
    feature = {"type": "Feature", "geometry": geometry, "properties": {"name": html.escape(label)}}
    for colour, weight, opacity, class_name in (("#ffffff", 9, 0.9, f"{PLACE_CLASS}-halo"),
                                               (PLACE_COLOUR, 4, 1.0, PLACE_CLASS)):
        folium.GeoJson(feature, interactive=False, className=class_name,
                       style_function=lambda _f, c=colour, w=weight, o=opacity: {
                           "color": c, "weight": w, "opacity": o, "fill": False, "fillOpacity": 0}).add_to(group)
    return group


def place_legend(label: str) -> str:
    """The legend's line for the place (escaped): an outlined swatch in the place's colour."""
    return (f"<b>{html.escape(LAYER_NAME)}</b><i style=\"background:#ffffff;border:3px solid {PLACE_COLOUR}\"></i>"
            f"{html.escape(label)}<br>")
