"""The map's key and how it draws footprints: one rule, so that every colour on the map is in the legend.

Where sites overlap, translucent fills blended into colours no legend shows (issue 15). Instead place-based
sites are opaque fills with a thin dark edge, smaller footprints drawn above larger ones, and networks (urgent
and emergency care networks, acute care collaborations: :data:`geo.present.palette.NETWORK_CARE_MODELS`) are a
coloured line between two dark ones over them, with no fill. The legend draws each swatch the same way.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from geo.geography import IMD_FIFTHS
from geo.present.palette import DEPRIVATION_RAMP, POPULATION_RAMP, care_model_colour, is_network
from geo.present.wording import key_groups

#: The deprivation shading: its key among the shadings, and its name on the page and in the legend.
DEPRIVATION_KEY = "imd"
DEPRIVATION_LABEL = "Deprivation (IMD 2015)"

#: How the map draws footprints, so that where sites overlap every colour seen is in the legend: place-based
#: sites as opaque fills with a thin dark border (smaller footprints on top), networks as a coloured line
#: between two dark ones (a casing) over them, with no fill. Hover and a chosen site only change widths.
EDGE_COLOUR = "#333333"
PLACE_STYLE = {"fillOpacity": 1.0, "color": EDGE_COLOUR, "weight": 1}
NETWORK_STYLE = {"fill": False, "weight": 3}
NETWORK_CASING = {"fill": False, "color": EDGE_COLOUR, "weight": 6}


def footprint_style(properties: Mapping[str, object]) -> dict[str, object]:
    """Leaflet path options of one footprint (from :func:`site_properties`): opaque fill or network line."""
    if properties.get("network"):
        return NETWORK_STYLE | {"color": properties["colour"]}
    return PLACE_STYLE | {"fillColor": properties["colour"]}


def legend_swatch_html(colour: str, network: bool = False) -> str:
    """A legend swatch drawn as the map draws that kind of footprint: an opaque square, or a network's
    coloured line between dark edges (no fill)."""
    if network:
        return (f'<i class="atlas-network" style="background:none;border:3px solid {colour};'
                f'box-shadow:0 0 0 1.5px {EDGE_COLOUR},inset 0 0 0 1.5px {EDGE_COLOUR}"></i>')
    return f'<i style="background:{colour};border-color:{EDGE_COLOUR}"></i>'


def legend_html(care_models: Iterable[str], breaks: list[float] | None = None, layer_label: str = "",
                deprivation: bool = False) -> str:
    """The legend: the care models on the map written out, pioneers under their programme, then the
    shading's classes if any. Networks show as the outline the map draws."""
    rows = []
    for heading, lines in key_groups(care_models):
        rows.append(f"<b>{html.escape(heading)}</b>" if heading else "")
        rows += [f"{legend_swatch_html(care_model_colour(model), is_network(model))}{html.escape(line)}<br>"
                 for model, line in lines]
    if breaks:
        rows.append(f"<b>Population, {html.escape(layer_label)}</b>")
        for i, colour in enumerate(POPULATION_RAMP):
            rows.append(f'<i style="background:{colour}"></i>{breaks[i]:,.0f} to {breaks[i + 1]:,.0f}<br>')
    if deprivation:
        rows.append(f"<b>{DEPRIVATION_LABEL}</b>National fifths of England's LSOAs<br>")
        for fifth, label in IMD_FIFTHS.items():
            rows.append(f'<i style="background:{DEPRIVATION_RAMP[fifth - 1]}"></i>{label}<br>')
    return "".join(rows)
