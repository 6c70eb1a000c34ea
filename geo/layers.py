"""Boundary layers as dissolves of LSOAs, and their light display versions.

The LSOA polygons are first cleaned into an exact coverage (neighbours share identical edges),
so that every layer is a union of whole LSOAs with no slivers, and every display layer can be
simplified as a coverage: shared borders stay shared, with no gaps and no overlaps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: Decimal places kept in display GeoJSON: 1e-5 degrees is about 1 m. Four places (11 m) would be
#: enough for the eye, but rounding that coarse pinches a few narrow coastal features into
#: overlaps with their neighbours (seen in North Somerset, Waveney, Suffolk Coastal).
DISPLAY_DECIMALS = 5


@dataclass(frozen=True)
class LayerSpec:
    """How one boundary layer is keyed in the LSOA table."""

    key: str
    label: str
    code: str
    name: str
    ods: str | None
    tolerance_m: float  # coverage simplification tolerance for the display version


LAYERS: dict[str, LayerSpec] = {
    spec.key: spec
    for spec in (
        LayerSpec("ccg", "Clinical commissioning groups (2015)", "ccg_code", "ccg_name", "ccg_ods", 800),
        LayerSpec("lad", "Local authority districts (2015)", "lad_code", "lad_name", None, 1000),
        LayerSpec("utla", "Upper-tier local authorities (2015)", "utla_code", "utla_name", None, 1300),
        LayerSpec("nhs_local_office", "NHS England local offices (2015)", "nhs_local_office_code",
                  "nhs_local_office_name", "nhs_local_office_ods", 2000),
        LayerSpec("nhs_region", "NHS England regions (2015)", "nhs_region_code", "nhs_region_name",
                  "nhs_region_ods", 2500),
    )
}


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


def union_lsoas(geoms: np.ndarray) -> shapely.Geometry:
    """Dissolve a set of cleaned LSOA geometries into one (multi)polygon."""
    return shapely.coverage_union_all(geoms) if len(geoms) else shapely.Polygon()


def dissolve(table: pd.DataFrame, lsoa_geom: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Dissolve LSOAs into the areas of one layer, with codes, name, population and area."""
    merged = table.merge(lsoa_geom, on="lsoa_code", how="inner", validate="one_to_one")
    geoms = merged["geometry"].to_numpy()
    rows = []
    for code, idx in merged.groupby(spec.code, sort=True).indices.items():
        first = merged.iloc[idx[0]]
        shape = union_lsoas(geoms[idx])
        rows.append({
            "code": code,
            "ods_code": first[spec.ods] if spec.ods else None,
            "name": first[spec.name],
            "population": int(merged["population"].to_numpy()[idx].sum()),
            "lsoas": len(idx),
            "area_km2": round(shape.area / 1e6, 3),
            "geometry": shape,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)


def round_coordinates(geoms: np.ndarray, decimals: int = DISPLAY_DECIMALS) -> np.ndarray:
    """Round every coordinate; identical shared vertices stay identical, so borders stay shared."""
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def display_layer(layer: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify a layer as a coverage in metres, then reproject to WGS84 and round for the screen."""
    simplified = shapely.coverage_simplify(layer.geometry.to_numpy(), tolerance_m)
    out = layer.drop(columns="geometry").copy()
    wgs = gpd.GeoSeries(simplified, crs=BNG).to_crs(WGS84).to_numpy()
    rounded = round_coordinates(wgs)
    broken = ~shapely.is_valid(rounded)
    if broken.any():  # rounding can pinch a narrow neck; repair only those, keeping polygons only
        repaired = shapely.make_valid(rounded[broken])
        rounded[broken] = [_polygonal(g) for g in repaired]
    return gpd.GeoDataFrame(out, geometry=rounded, crs=WGS84)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts)
    return geom


def to_geojson(frame: gpd.GeoDataFrame) -> str:
    """Compact GeoJSON (no whitespace, no ids) of a WGS84 frame; properties from its columns."""
    props = frame.drop(columns="geometry")
    features = []
    for record, geom in zip(props.to_dict("records"), frame.geometry.to_numpy()):
        record = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in record.items()}
        features.append({"type": "Feature", "properties": record,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
