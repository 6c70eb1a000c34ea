"""One colour-blind-safe palette for every page: care model colours and sequential ramps.

The care model colours are from Okabe and Ito's palette ("Color Universal Design", 2008),
which stays distinguishable under the common colour-vision deficiencies; the population ramp
is a light-to-mid grey scale, so it never competes with the footprint colours (a blue ramp hid
the blue MCP footprints).
"""

from __future__ import annotations

#: Okabe-Ito colours by care model, in legend order: the five vanguard care models, then pioneers.
#: The same colours serve the Leaflet map, the charts and the matplotlib picture.
CARE_MODEL_COLOURS: dict[str, str] = {
    "PACS": "#E69F00",  # orange
    "MCP": "#0072B2",  # blue
    "Enhanced health in care homes": "#009E73",  # bluish green
    "Urgent and emergency care": "#D55E00",  # vermillion
    "Acute care collaboration": "#F0E442",  # yellow (drawn with a dark edge; also for hospital points)
    "Integration pioneer": "#CC79A7",  # reddish purple
}
#: For a site with no (or an unknown) care model, such as a row of an uploaded list.
OTHER_COLOUR = "#56B4E9"  # sky blue
OTHER_LABEL = "Other or not given"
#: A reading being chosen for a row of an uploaded list (Okabe-Ito black, drawn bold).
HIGHLIGHT_COLOUR = "#000000"
#: A place looked up on the Map page ("What covered this place?"): a bold dark plum line on a white halo, a
#: colour no footprint, outline or shading uses.
PLACE_COLOUR = "#7A0177"
#: Outline colours for the reference layers (dark greys, dashed in the map).
OUTLINE_COLOURS: dict[str, str] = {"ccg": "#555555", "lad": "#8c6d31", "utla": "#8c6d31",
                                   "nhs_local_office": "#222222", "nhs_region": "#000000"}
#: Sequential ramp for the population choropleth (ColorBrewer Greys, 5 classes; light to mid).
POPULATION_RAMP: tuple[str, ...] = ("#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#737373")
#: The national fifths of deprivation (IMD 2015), most deprived darkest: a warm grey ramp, which never competes
#: with the footprint colours and reads apart from the sea and from the neutral population greys.
DEPRIVATION_RAMP: tuple[str, ...] = ("#3f3a36", "#6f6760", "#9e958c", "#cbc3ba", "#efeae4")
#: Land and sea with no basemap tiles: England's land a warm off-white on a pale blue-grey sea.
LAND_COLOUR = "#fbfaf5"
SEA_COLOUR = "#dce6ec"
COAST_COLOUR = "#8a9ba8"
#: Place labels: dark grey text with a white halo.
LABEL_COLOUR = "#333333"


def care_model_colour(care_model: object) -> str:
    """The fill colour of a care model; anything unknown gets the 'other' colour."""
    return CARE_MODEL_COLOURS.get(care_model, OTHER_COLOUR) if isinstance(care_model, str) else OTHER_COLOUR


#: Care models whose sites are networks laid over places (regional urgent and emergency care networks, groups of
#: hospitals): the map and the picture draw them as coloured outlines over the opaque fills of the place-based
#: sites, so that where sites overlap every colour seen is one the legend shows (issue 15).
NETWORK_CARE_MODELS: frozenset[str] = frozenset({"Urgent and emergency care", "Acute care collaboration"})


def is_network(care_model: object) -> bool:
    """Whether a site of this care model is drawn as an outline over the place-based sites' fills."""
    return isinstance(care_model, str) and care_model in NETWORK_CARE_MODELS
