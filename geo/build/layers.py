"""Boundary layers as dissolves of LSOAs, and their light display versions.

The LSOA polygons are first cleaned into an exact coverage (neighbours share identical edges),
so that every layer is a union of whole LSOAs with no slivers, and every display layer can be
simplified as a coverage: shared borders stay shared, with no gaps and no overlaps.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.geography import (
    BNG,
    IMD_DECIMALS,
    IMD_TOLERANCE_M,
    WGS84,
    LayerSpec,
    round_coordinates,
    to_wgs84,
    union_lsoas,
)


def clean_lsoa_geometry(polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project LSOA polygons to British National Grid, repair them, and snap them into a coverage.

    As stored, ~0.3% are invalid and neighbours do not share vertices; ``coverage_clean`` on a
    1 m grid makes every shared edge identical, so unions of LSOAs leave no slivers.
    """
    projected = polygons.to_crs(BNG)
    geoms = shapely.make_valid(projected.geometry.values)
    geoms = shapely.set_precision(geoms, 1.0)
    geoms = shapely.coverage_clean(geoms)
    return gpd.GeoDataFrame({"lsoa_code": projected["LSOA11CD"].to_numpy()}, geometry=geoms, crs=BNG)


def _groups(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame, column: str):
    """(value, its rows of the table, the union of its LSOAs) for each value of ``column``, in order."""
    merged = table.merge(lsoa_geom, on="lsoa_code", how="inner", validate="one_to_one")
    geoms = merged["geometry"].to_numpy()
    for value, idx in merged.groupby(column, sort=True).indices.items():
        yield value, merged.iloc[idx], union_lsoas(geoms[idx])


def dissolve(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Dissolve LSOAs into the areas of one layer, with codes, name, population and area."""
    rows = []
    for code, members, shape in _groups(table, lsoa_geom, spec.code):
        first = members.iloc[0]
        rows.append({
            "code": code,
            "ods_code": first[spec.ods] if spec.ods else None,
            "name": first[spec.name],
            "population": int(members["population"].sum()),
            "lsoas": len(members),
            "area_km2": round(shape.area / 1e6, 3),
            "geometry": shape,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)


def deprivation_fifths(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame,
                       tolerance_m: float = IMD_TOLERANCE_M) -> gpd.GeoDataFrame:
    """England's LSOAs dissolved by national IMD 2015 fifth, simplified together and rounded for the map (WGS84).

    Five features, most deprived first, each with its residents and LSOA count: the map's deprivation
    shading, a few megabytes where 32,844 LSOA polygons would be tens. Ready to serve: the map reads it as
    it is (:func:`geo.present.folium_map.deprivation_geojson`). Rounding can leave a ring touching itself,
    which a fill draws the same; repairing five shapes of some 2,000 parts each would cost more than the
    rest of this step, so unlike the boundary layers they are not repaired.
    """
    rows = [{"fifth": int(fifth), "population": int(members["population"].sum()), "lsoas": len(members),
             "geometry": shape} for fifth, members, shape in _groups(table, lsoa_geom, "imd_fifth")]
    fifths = gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)
    simplified = gpd.GeoSeries(shapely.coverage_simplify(fifths.geometry.to_numpy(), tolerance_m), crs=BNG)
    light = round_coordinates(simplified.to_crs(WGS84).to_numpy(), IMD_DECIMALS)
    return gpd.GeoDataFrame(fifths.drop(columns="geometry"), geometry=light, crs=WGS84)


def display_layer(layer: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify a layer as a coverage in metres, then reproject to WGS84 and round for the screen."""
    simplified = shapely.coverage_simplify(layer.geometry.to_numpy(), tolerance_m)
    out = layer.drop(columns="geometry").copy()
    return gpd.GeoDataFrame(out, geometry=to_wgs84(simplified), crs=WGS84)
