"""The 2015 geography's vocabulary: the layers, their labels, projections and LSOA unions.

Both the build and the read side use this module, so it holds no I/O: just the list of
boundary layers (how each is keyed in the LSOA table and what to call it), the two coordinate
systems, the union of whole LSOAs, and the one way geometry is made light for a browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: Decimal places kept in display GeoJSON: 1e-5 degrees is about 1 m. Four places (11 m) would be
#: enough for the eye, but rounding that coarse pinches a few narrow coastal features into
#: overlaps with their neighbours (seen in North Somerset, Waveney, Suffolk Coastal).
DISPLAY_DECIMALS = 5


@dataclass(frozen=True)
class LayerSpec:
    """How one boundary layer is keyed in the LSOA table, and what people call it."""

    key: str
    label: str  # the layer as a whole, e.g. "Clinical commissioning groups (2015)"
    short: str  # one area's kind, as pickers and footprint levels say it, e.g. "CCG"
    code: str
    name: str
    ods: str | None
    tolerance_m: float  # coverage simplification tolerance for the display version


LAYERS: dict[str, LayerSpec] = {
    spec.key: spec
    for spec in (
        LayerSpec("ccg", "Clinical commissioning groups (2015)", "CCG", "ccg_code", "ccg_name", "ccg_ods", 800),
        LayerSpec("lad", "Local authority districts (2015)", "district", "lad_code", "lad_name", None, 1000),
        LayerSpec("utla", "Upper-tier local authorities (2015)", "upper-tier authority", "utla_code", "utla_name",
                  None, 1300),
        LayerSpec("nhs_local_office", "NHS England local offices (2015)", "NHS England local office",
                  "nhs_local_office_code", "nhs_local_office_name", "nhs_local_office_ods", 2000),
        LayerSpec("nhs_region", "NHS England regions (2015)", "NHS England region", "nhs_region_code",
                  "nhs_region_name", "nhs_region_ods", 2500),
    )
}

#: The age bands of the LSOA table (mid-2015 residents), in order, with their labels.
AGE_BANDS: dict[str, str] = {"age_0_15": "0-15", "age_16_59": "16-59", "age_60_plus": "60 and over"}

#: National fifths of deprivation, most deprived first: IMD 2015 deciles 1-2 are fifth 1, 3-4 fifth 2, and so
#: on. They are fifths of England's LSOAs ranked by the index, not of people.
IMD_FIFTHS: dict[int, str] = {1: "Most deprived fifth", 2: "Second most deprived fifth", 3: "Middle fifth",
                              4: "Second least deprived fifth", 5: "Least deprived fifth"}
#: England's LSOAs ranked by the IMD 2015 (rank 1 is the most deprived): a rank's national percentile is
#: ``(rank - 0.5) / IMD_RANKED_LSOAS * 100``.
IMD_RANKED_LSOAS = 32_844
#: Coverage simplification of the fifths' map layer (metres) and its decimal places (1e-4 degrees, about 10 m,
#: as the map's other layers): about 4 MB of GeoJSON for all of England (1.3 MB gzipped as served).
IMD_TOLERANCE_M = 200.0
IMD_DECIMALS = 4


def imd_fifth(decile: np.ndarray) -> np.ndarray:
    """The national fifth (1 most deprived, 5 least) of IMD 2015 deciles (1 to 10)."""
    return (np.asarray(decile, dtype="int64") + 1) // 2


def union_lsoas(geoms: np.ndarray) -> shapely.Geometry:
    """Dissolve a set of cleaned LSOA geometries (an exact coverage) into one (multi)polygon."""
    return shapely.coverage_union_all(geoms) if len(geoms) else shapely.Polygon()


def round_coordinates(geoms: np.ndarray, decimals: int = DISPLAY_DECIMALS) -> np.ndarray:
    """Round every coordinate; identical shared vertices stay identical, so borders stay shared."""
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def to_wgs84(geoms: Iterable[shapely.Geometry], decimals: int = DISPLAY_DECIMALS) -> np.ndarray:
    """British National Grid geometry to rounded WGS84 for a browser or a GeoJSON file.

    Rounding can pinch a narrow neck into an invalid shape; only those are repaired, keeping
    their polygons (``make_valid`` can leave slivers as lines or points).
    """
    wgs = gpd.GeoSeries(list(geoms), crs=BNG).to_crs(WGS84).to_numpy()
    rounded = round_coordinates(wgs, decimals)
    broken = ~shapely.is_valid(rounded)
    if broken.any():
        rounded[broken] = [polygonal(g) for g in shapely.make_valid(rounded[broken])]
    return rounded


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry, dropping any lines or points a repair left behind."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def geometry_json(geom: shapely.Geometry) -> dict:
    """A shapely geometry as a GeoJSON geometry object."""
    return json.loads(shapely.to_geojson(geom))


def to_geojson(frame: gpd.GeoDataFrame) -> str:
    """Compact GeoJSON (no whitespace, no ids) of a WGS84 frame; properties from its columns."""
    props = frame.drop(columns="geometry")
    features = []
    for record, geom in zip(props.to_dict("records"), frame.geometry.to_numpy()):
        record = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in record.items()}
        features.append({"type": "Feature", "properties": record, "geometry": geometry_json(geom)})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
