"""The live map's data files: content-hashed JSON under the app's static folder, and their index.

Why: the browser fetches (and caches) these files when a layer is first shown, so a filter change
sends only a small state (:mod:`geo.present.atlas_map`): see :func:`publish`. The land, labels and sites files are made
once per build and site list, not once per server: an index in the build cache names the files
already written, under a digest of everything they are made from.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
import shapely

from geo.atlas import Atlas
from geo.config import PROJECT_ROOT
from geo.present.folium_map import footprint_collection
from geo.present.labels import place_labels

DATA_DIR = PROJECT_ROOT / "static" / "atlas"
URL_PREFIX = "app/static/atlas"
#: Modules whose output the map's data files are, relative to ``geo/``; editing one of them
#: invalidates the index below.
_SOURCES = ("geography.py", "present/folium_map.py", "present/palette.py", "present/map_data.py",
            "present/labels.py")
INDEX_FILE = "present/map_data_index.json"


def publish(name: str, data: object, directory: Path = DATA_DIR) -> str:
    """Write ``data`` as compact JSON under a content-hashed name (once); return its URL path.

    The name changes whenever the content does, so browsers may cache the files for good.
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    filename = f"{name}.{digest}.json"
    path = directory / filename
    if not path.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return f"{URL_PREFIX}/{filename}"


def land_geojson(atlas: Atlas) -> dict:
    """England's land as one light layer (the NHS regions' display polygons, no properties)."""
    display = atlas.layer("nhs_region", display=True)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))}
        for g in display.geometry.to_numpy()]}


def publish_base_data(atlas: Atlas, directory: Path = DATA_DIR) -> dict[str, str]:
    """Land and place labels: what every map shows whatever the filters."""
    return {"land": publish("land", land_geojson(atlas), directory),
            "labels": publish("labels", place_labels(atlas), directory)}


def publish_sites(frame: pd.DataFrame, geometries: Mapping[object, dict], key: str = "site_id",
                  directory: Path = DATA_DIR) -> str:
    """Every footprint the map may show, biggest first (filters pick among them in the browser)."""
    return publish("sites", footprint_collection(frame, geometries, key), directory)


def data_key(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, Iterable[str]]) -> str:
    """A digest of everything the map's base data files are made from: the built cache, the sites
    (their footprints and tooltip fields) and the code that draws them."""
    digest = hashlib.sha256((atlas.cache / "manifest.json").read_bytes())
    here = Path(__file__).resolve().parent.parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    fields = [c for c in ("site_id", "display_name", "site_name", "care_model", "nhs_regions", "region_inferred",
                          "population") if c in frame]
    digest.update(frame[fields].astype(str).to_json(orient="values").encode())
    for site_id in sorted(footprints):
        digest.update(f"{site_id}:{','.join(sorted(footprints[site_id]))};".encode())
    return digest.hexdigest()[:24]


def cached_base_data(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, Iterable[str]],
                     geometries: Callable[[], Mapping[object, dict]], directory: Path = DATA_DIR) -> dict[str, str]:
    """URLs of the land, labels and sites files, made once per build and site list, not once per server.

    A cold server otherwise spends a second or more loading LSOA polygons and simplifying footprints
    before it can draw the first map; an index in the build cache remembers the files already written
    (``geometries`` is only called when they must be made again).
    """
    key = data_key(atlas, frame, footprints)
    index_path = atlas.cache / INDEX_FILE
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError):
        index = {}
    urls = index.get(key)
    if urls and all((directory / url.rsplit("/", 1)[-1]).is_file() for url in urls.values()):
        return dict(urls)
    urls = publish_base_data(atlas, directory) | {"sites": publish_sites(frame, geometries(), "site_id", directory)}
    index_path.parent.mkdir(parents=True, exist_ok=True)
    partial = index_path.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps({key: urls}))
    partial.replace(index_path)
    return urls

