"""Place labels from our own data, so a map with no basemap still says where it is.

Each 2015 local authority district is labelled with its name at its population-weighted centre
(the mean of its LSOAs' centroids weighted by residents), which sits in the main town rather than
in the middle of the moors; London (the 2015 NHS London region, which is Greater London) gets one
label of its own. Places are ranked by population times the square root of density, so cities
outrank large rural counties. Labels are decluttered per zoom level: higher-ranked places claim
space first, only a few dozen are shown at low zoom, and a label appears from the first zoom at
which it fits, so more names appear as one zooms in.
"""

from __future__ import annotations

import html
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atlas import Atlas
from geo.geography import BNG, WGS84

#: Zoom levels the labels are decluttered for (England fills a wide map at about 6 to 7).
MIN_ZOOM, MAX_ZOOM = 5, 12
#: How many labels at most are shown at each zoom (no limit from zoom 9).
SHOWN = {5: 8, 6: 22, 7: 55, 8: 130}
#: Estimated label box in pixels: width per character, height, and a margin around it.
CHAR_PX, HEIGHT_PX, MARGIN_PX = 6.6, 14.0, 4.0


def district_centres(atlas: Atlas) -> pd.DataFrame:
    """Name, population and population-weighted centre (BNG and WGS84) of every district."""
    lsoas = atlas.lsoas
    geoms = atlas.lsoa_geometry.loc[lsoas.index]
    centroids = geoms.centroid
    frame = pd.DataFrame({"name": lsoas["lad_name"].to_numpy(), "code": lsoas["lad_code"].to_numpy(),
                          "w": lsoas["population"].to_numpy(dtype="float64"), "area": geoms.area.to_numpy() / 1e6,
                          "x": centroids.x.to_numpy(), "y": centroids.y.to_numpy()})
    london = lsoas["nhs_region_name"].str.startswith("London").to_numpy()
    frame = pd.concat([frame, frame[london].assign(name="London", code="london")], ignore_index=True)
    frame["wx"], frame["wy"] = frame["w"] * frame["x"], frame["w"] * frame["y"]
    grouped = frame.groupby(["code", "name"], sort=True)[["w", "wx", "wy", "area"]].sum().reset_index()
    grouped["x"], grouped["y"] = grouped["wx"] / grouped["w"], grouped["wy"] / grouped["w"]
    wgs = gpd.GeoSeries(gpd.points_from_xy(grouped["x"], grouped["y"]), crs=BNG).to_crs(WGS84)
    out = pd.DataFrame({"code": grouped["code"], "name": grouped["name"], "population": grouped["w"].astype("int64"),
                        "x": grouped["x"], "y": grouped["y"], "lat": wgs.y.round(4), "lon": wgs.x.round(4)})
    out["rank_score"] = grouped["w"] * np.sqrt(grouped["w"] / grouped["area"])
    out = out.sort_values("rank_score", ascending=False, kind="stable").reset_index(drop=True)
    return out.drop(columns="rank_score")


def _pixels(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (256-pixel tiles), as Leaflet draws them."""
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    s = np.sin(np.radians(lat))
    y = (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def declutter(centres: pd.DataFrame, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM) -> pd.Series:
    """The first zoom at which each label can be drawn without overlapping a bigger place's label.

    ``centres`` is in priority order (highest first). A label shown at one zoom stays shown when
    zooming in; labels that never fit get ``max_zoom + 1``.
    """
    widths = centres["name"].str.len().to_numpy() * CHAR_PX + 2 * MARGIN_PX
    height = HEIGHT_PX + 2 * MARGIN_PX
    first = np.full(len(centres), max_zoom + 1)
    lat, lon = centres["lat"].to_numpy(), centres["lon"].to_numpy()
    for zoom in range(min_zoom, max_zoom + 1):
        x, y = _pixels(lat, lon, zoom)
        boxes: list[tuple[float, float, float, float]] = []
        cap = SHOWN.get(zoom, len(centres))
        order = [i for i in range(len(centres)) if first[i] <= zoom] + \
                [i for i in range(len(centres)) if first[i] > zoom]
        for i in order:
            if first[i] > zoom and len(boxes) >= cap:
                break
            box = (x[i] - widths[i] / 2, y[i] - height / 2, x[i] + widths[i] / 2, y[i] + height / 2)
            clash = any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)
            if first[i] <= zoom or not clash:
                boxes.append(box)
                first[i] = min(first[i], zoom)
    return pd.Series(first, index=centres.index, name="min_zoom")


def short_name(name: str) -> str:
    """A district's name as a map would print it: "Bristol, City of" is Bristol."""
    return re.sub(r", (City|County) of$", "", str(name))


def place_labels(atlas: Atlas) -> list[dict]:
    """Labels for the map: escaped name, position, population and the zoom from which to show it."""
    centres = district_centres(atlas)
    centres["min_zoom"] = declutter(centres)
    return [{"name": html.escape(short_name(r.name)), "lat": float(r.lat), "lon": float(r.lon),
             "population": int(r.population), "min_zoom": int(r.min_zoom)} for r in centres.itertuples()]
