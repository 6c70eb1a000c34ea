"""The picture's canvas: its size, fonts and shared styles, and the record of a site drawn (used by every part)."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from geo.present.palette import is_network

#: Slide size: 13.33 x 7.5 inches (PowerPoint's 16:9) at 144 dpi is 1920 x 1080 pixels.
SIZE_IN = (13.3334, 7.5)
DPI = 144
WIDTH_PX, HEIGHT_PX = round(SIZE_IN[0] * DPI), round(SIZE_IN[1] * DPI)
#: Space around the map and the panel beside it (pixels).
PAD_PX = 14
#: Fill edges and the dark line under a network's coloured outline; the region borders' line in the legend.
EDGE_COLOUR = "#333333"
REGION_LABEL = "NHS England region (2015)"
#: Text is drawn as typed (never as mathematics) and stays text in an SVG.
RC = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "text.parse_math": False, "hatch.linewidth": 1.6}


@dataclass
class Site:
    """A site drawn: its number on the map and in the key, name, residents, care model and footprint (BNG)."""

    number: int
    name: str
    population: object
    model: str
    shape: shapely.Geometry

    @property
    def network(self) -> bool:
        return is_network(self.model)
