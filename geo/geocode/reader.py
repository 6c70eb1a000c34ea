"""What a rung of the ladder reads: the gazetteer, footprints, and the other rungs for a name's parts.

The steps take a :class:`Reader`, not the ladder itself, so the modules form a line (gazetteer,
steps, ladder) and not a circle: :class:`geo.geocode.ladder.Geocoder` is one Reader.
"""

from __future__ import annotations

from typing import Protocol

import geopandas as gpd
import shapely

from geo.geocode.footprint import Footprints
from geo.geocode.gazetteer import Gazetteer
from geo.geocode.match import Match


class Reader(Protocol):
    """The narrow part of the geocoder a step reads."""

    gaz: Gazetteer
    footprints: Footprints

    @property
    def fuzzy_keys(self) -> list[str]:
        """Names fuzzy matching may land on."""

    @property
    def lsoa_index(self) -> tuple[gpd.GeoSeries, shapely.STRtree]:
        """LSOA polygons and a spatial index over them, for coordinates."""

    def read_known(self, text: str) -> Match | None:
        """The steps that read a name as it stands, without guessing."""

    def read_name(self, text: str) -> Match | None:
        """Every step that reads a name without guessing."""
