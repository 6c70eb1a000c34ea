"""Read-only access to a built cache: the LSOA table, layers, and areas as sets of LSOAs.

This is the API the geocoder, coverage arithmetic and the app use. A footprint is always a set
of LSOA codes; populations and polygons are derived from that set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import cache as cachefiles
from geo.geography import LAYERS, union_lsoas


class Atlas:
    """The built geography: open with ``Atlas(cache_dir)`` after ``python -m geo build``."""

    def __init__(self, cache: Path):
        self.cache = Path(cache)
        if not (self.cache / cachefiles.MANIFEST).is_file():
            raise FileNotFoundError(f"no built cache in {self.cache}: run `python -m geo build` first")

    @cached_property
    def lsoas(self) -> pd.DataFrame:
        """One row per LSOA with its 2015 geography and population, indexed by LSOA code."""
        return cachefiles.read_lsoa_table(self.cache).set_index("lsoa_code", drop=False)

    @cached_property
    def lsoa_geometry(self) -> gpd.GeoSeries:
        """Cleaned LSOA polygons (British National Grid), indexed by LSOA code."""
        frame = cachefiles.read_lsoa_geometry(self.cache)
        return gpd.GeoSeries(frame.geometry.to_numpy(), index=frame["lsoa_code"], crs=frame.crs)

    @cached_property
    def register(self) -> pd.DataFrame:
        """GP practices and NHS trusts of 2015 (see :mod:`geo.register`)."""
        return pd.read_parquet(self.cache / cachefiles.REGISTER)

    @cached_property
    def hospitals(self) -> pd.DataFrame:
        """NHS Choices hospital sites of NHS trusts, with their LSOA (see :mod:`geo.build.org_register`)."""
        return pd.read_parquet(self.cache / cachefiles.HOSPITALS)

    @cached_property
    def ccg2013(self) -> pd.DataFrame:
        """The 211 CCGs of April 2013 (codes and names)."""
        return pd.read_parquet(self.cache / cachefiles.CCG_2013)

    def layer(self, key: str, display: bool = False) -> gpd.GeoDataFrame:
        """A boundary layer: full resolution in EPSG:27700, or the light WGS84 display version."""
        if key not in LAYERS:
            raise KeyError(f"unknown layer {key!r}; layers are {sorted(LAYERS)}")
        if display:
            return gpd.read_file(self.cache / cachefiles.display_file(key))
        return gpd.read_parquet(self.cache / cachefiles.layer_file(key))

    def display_geojson(self, key: str) -> str:
        """The ready display GeoJSON text of a layer (cached by the build; cheap to serve)."""
        return (self.cache / cachefiles.display_file(key)).read_text()

    def deprivation_fifths(self) -> dict:
        """England's LSOAs dissolved by national IMD 2015 fifth: light WGS84 GeoJSON, most deprived first."""
        return json.loads((self.cache / cachefiles.IMD_FIFTHS).read_text())

    @cached_property
    def _areas(self) -> pd.DataFrame:
        rows = []
        for key, spec in LAYERS.items():
            cols = [spec.code, spec.name] + ([spec.ods] if spec.ods else [])
            areas = self.lsoas[cols].drop_duplicates(spec.code)
            rows.append(pd.DataFrame({
                "layer": key, "code": areas[spec.code].to_numpy(), "name": areas[spec.name].to_numpy(),
                "ods_code": areas[spec.ods].to_numpy() if spec.ods else None,
            }))
        return pd.concat(rows, ignore_index=True)

    def find_area(self, query: str, layer: str | None = None) -> pd.DataFrame:
        """Areas whose ONS code, ODS code or name equals ``query`` (case-insensitive), any layer."""
        q = query.strip().casefold()
        areas = self._areas if layer is None else self._areas[self._areas["layer"] == layer]
        hit = (areas["code"].str.casefold() == q) | (areas["name"].str.casefold() == q)
        hit |= areas["ods_code"].fillna("").str.casefold() == q
        return areas[hit].reset_index(drop=True)

    def lsoas_of(self, layer: str, code: str) -> np.ndarray:
        """LSOA codes of one area, by its ONS code or (CCG, NHS offices) ODS code."""
        spec = LAYERS[layer]
        column = spec.code
        if spec.ods and not (self.lsoas[spec.code] == code).any():
            column = spec.ods
        codes = self.lsoas.index[self.lsoas[column] == code].to_numpy()
        if len(codes) == 0:
            raise KeyError(f"no {layer} area with code {code!r}")
        return codes

    def population(self, lsoa_codes: Iterable[str]) -> int:
        """Residents of a set of LSOAs, each LSOA counted once."""
        residents = self._residents
        return sum(residents[code] for code in set(lsoa_codes))

    @cached_property
    def _residents(self) -> dict[str, int]:
        return dict(zip(self.lsoas.index, self.lsoas["population"].astype(int).tolist()))

    def footprint_polygon(self, lsoa_codes: Iterable[str]) -> shapely.Geometry:
        """The dissolve of a set of LSOAs (British National Grid)."""
        unique = pd.unique(np.asarray(list(lsoa_codes), dtype=object))
        return union_lsoas(self.lsoa_geometry.loc[unique].to_numpy())


def open_atlas(cache: Path | None = None) -> Atlas:
    """Open the atlas in the configured cache directory."""
    from geo.config import cache_dir

    return Atlas(cache or cache_dir())
