"""What every picture draws whatever the filters, in British National Grid: made once per server."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geo.geography import BNG, WGS84


@dataclass(frozen=True)
class Basemap:
    """What every picture draws whatever the filters, in British National Grid (made once per server)."""

    land: tuple[shapely.Geometry, ...]
    labels: tuple[tuple[str, float, float, int], ...]  # name as printed, x, y, the live map's first zoom
    regions: Mapping[str, shapely.Geometry]  # NHS region name -> its area
    region_lines: shapely.Geometry | None = None  # the live map's NHS region outline layer

    def bounds(self) -> tuple[float, float, float, float]:
        """England's land, in metres."""
        return tuple(shapely.total_bounds(list(self.land)))


def basemap(land: Sequence[dict], labels: Sequence[dict], regions: Mapping[str, dict] | None = None,
            region_lines: Sequence[dict] = ()) -> Basemap:
    """A :class:`Basemap` from the live map's WGS84 GeoJSON geometries: ``land``, place ``labels``
    (:func:`geo.present.labels.place_labels`), each NHS region's area by name, and the regions' outline layer."""
    regions = dict(regions or {})
    points = gpd.GeoSeries(gpd.points_from_xy([lab["lon"] for lab in labels], [lab["lat"] for lab in labels]),
                           crs=WGS84).to_crs(BNG)
    lines = bng(region_lines)
    return Basemap(
        land=tuple(bng(land)),
        labels=tuple((html.unescape(lab["name"]), p.x, p.y, int(lab["min_zoom"])) for lab, p in zip(labels, points)),
        regions=dict(zip(regions, bng(regions.values()))),
        region_lines=shapely.union_all(lines) if lines else None)


def basemap_of(atlas, region_outline: dict | None = None) -> Basemap:
    """The :class:`Basemap` of a built atlas; ``region_outline`` is the live map's ``nhs_region`` outline layer
    (:func:`geo.present.folium_map.outline_geojson`), made here when not given."""
    from geo.present.folium_map import outline_geojson
    from geo.present.labels import place_labels
    from geo.present.map_data import land_geojson

    display = atlas.layer("nhs_region", display=True)
    regions = {name: json.loads(shapely.to_geojson(g)) for name, g in zip(display["name"], display.geometry)}
    outline = region_outline or outline_geojson(atlas, "nhs_region")
    return basemap([f["geometry"] for f in land_geojson(atlas)["features"]], place_labels(atlas), regions,
                   [f["geometry"] for f in outline["features"]])


def bng(geometries: Iterable[dict]) -> list[shapely.Geometry]:
    shapes = [shapely.from_geojson(json.dumps(g)) for g in geometries]
    return list(gpd.GeoSeries(shapes, crs=WGS84).to_crs(BNG)) if shapes else []


def shading_shapes(shading: dict) -> list[tuple[shapely.Geometry, str]]:
    """A shading's areas (map GeoJSON such as the deprivation fifths) in British National Grid, with their
    fills: about a second for England's LSOAs, so made once and drawn in every picture."""
    features = shading["features"]
    return list(zip(bng(f["geometry"] for f in features), (f["properties"]["fill"] for f in features)))


