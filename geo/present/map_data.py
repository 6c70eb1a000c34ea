"""The live map's data files: content-hashed JSON under the app's static folder, and their index.

Why: the browser fetches (and caches) these files when a layer is first shown, so a filter change
sends only a small state (:mod:`geo.present.atlas_map`): see :func:`publish`. Every file is written
at build time (:func:`prepare`, run by ``python -m geo build``), with an index in the build cache that
names them under a digest of everything they are made from; a server then only reads, so it can run
from a read-only checkout and cache. Only a file missing since the last build (code or data changed)
is written by a server, and if the folder cannot be written it says so in one line (:class:`MapDataError`).
The files' contents do not depend on ``PYTHONHASHSEED``, so a rebuild of unchanged data writes nothing
new; :func:`prepare` removes files no index entry names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
import shapely

from geo.atlas import Atlas
from geo.config import PROJECT_ROOT
from geo.geocode.bundled_cache import cached_bundled_sites
from geo.geography import LAYERS
from geo.present.folium_map import (
    DEPRIVATION_KEY,
    choropleth_geojson,
    deprivation_geojson,
    footprint_collection,
    footprint_geometries,
    outline_geojson,
)
from geo.present.labels import place_labels

DATA_DIR = PROJECT_ROOT / "static" / "atlas"
URL_PREFIX = "app/static/atlas"
#: Modules whose output the map's data files are, relative to ``geo/``; editing one of them
#: invalidates the index below.
_SOURCES = ("geography.py", "present/folium_map.py", "present/palette.py", "present/map_data.py",
            "present/labels.py")
INDEX_FILE = "present/map_data_index.json"
#: Index entries kept (the newest builds'): a server started before a rebuild still finds its files.
KEEP_ENTRIES = 3
#: Reference layers the map can show, written at build time: name prefix -> the file's content.
LAYER_FILES: dict[str, Callable[[Atlas, str], object]] = {
    "outline": outline_geojson,
    "shade": lambda atlas, key: choropleth_geojson(atlas, key)[0],
}
#: Map data files that are not one per layer, by name.
OTHER_FILES: dict[str, Callable[[Atlas], object]] = {f"shade_{DEPRIVATION_KEY}": deprivation_geojson}
#: A data file's name: what it holds, then the first 16 hex digits of its content's SHA-256.
_DATA_FILE = re.compile(r"[a-z0-9_]+\.[0-9a-f]{16}\.json")


class MapDataError(RuntimeError):
    """A map data file is missing and cannot be written; the message says which folder and what to do."""


def publish(name: str, data: object, directory: Path = DATA_DIR) -> str:
    """Write ``data`` as compact JSON under a content-hashed name (once); return its URL path.

    The name changes whenever the content does, so browsers may cache the files for good.
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    filename = f"{name}.{digest}.json"
    path = directory / filename
    if not path.is_file():
        try:
            directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)
        except OSError as exc:
            raise MapDataError(f"the map's data file {filename} is missing and {directory} cannot be written "
                               f"({exc.strerror or exc}): run `python -m geo build`, which writes them, or make "
                               "that folder writable") from exc
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


def read_index(cache: Path) -> dict[str, dict[str, str]]:
    """The index of map data files in a build cache: data key -> file name -> URL (empty if none)."""
    try:
        index = json.loads((cache / INDEX_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return index if isinstance(index, dict) else {}


def _present(urls: Mapping[str, str], directory: Path) -> bool:
    return all((directory / url.rsplit("/", 1)[-1]).is_file() for url in urls.values())


def cached_base_data(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, Iterable[str]],
                     geometries: Callable[[], Mapping[object, dict]], directory: Path = DATA_DIR) -> dict[str, str]:
    """URLs of the map's data files: those the last build wrote (:func:`prepare`), read from its index.

    A cold server otherwise spends a second or more loading LSOA polygons and simplifying footprints
    before it can draw the first map. When the build's files are not current (code or site lists
    changed since), the land, labels and sites files are made now (``geometries`` is only called
    then) and nothing is written to the index: servers only read it.
    """
    urls = read_index(atlas.cache).get(data_key(atlas, frame, footprints))
    if isinstance(urls, dict) and {"land", "labels", "sites"} <= set(urls) and _present(urls, directory):
        return dict(urls)
    return publish_base_data(atlas, directory) | {"sites": publish_sites(frame, geometries(), "site_id", directory)}


def layer_url(urls: Mapping[str, str], name: str, make: Callable[[], object], directory: Path = DATA_DIR) -> str:
    """The URL of a reference layer's file (``outline_ccg``): the build's if it is there, else made now."""
    url = urls.get(name)
    if url and _present({name: url}, directory):
        return url
    return publish(name, make(), directory)


def prepare(atlas: Atlas, directory: Path = DATA_DIR) -> dict[str, str]:
    """Build time: write every map data file and the bundled sites, index them, and remove old files.

    Returns the URLs by name. A server started afterwards reads these and writes nothing.
    """
    frame, footprints = cached_bundled_sites(atlas)
    key = data_key(atlas, frame, footprints)
    index = read_index(atlas.cache)
    urls = index.get(key) if isinstance(index.get(key), dict) else None
    names = {f"{prefix}_{layer}" for prefix in LAYER_FILES for layer in LAYERS} | set(OTHER_FILES)
    if not (urls and names | {"land", "labels", "sites"} <= set(urls) and _present(urls, directory)):
        urls = cached_base_data(atlas, frame, footprints, lambda: footprint_geometries(atlas, footprints), directory)
        for prefix, make in LAYER_FILES.items():
            for layer in LAYERS:
                urls[f"{prefix}_{layer}"] = publish(f"{prefix}_{layer}", make(atlas, layer), directory)
        for name, make_other in OTHER_FILES.items():
            urls[name] = publish(name, make_other(atlas), directory)
    index.pop(key, None)
    index = dict(list(index.items())[-(KEEP_ENTRIES - 1):] + [(key, urls)])  # the newest last
    index_path = atlas.cache / INDEX_FILE
    index_path.parent.mkdir(parents=True, exist_ok=True)
    partial = index_path.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps(index, indent=1))
    partial.replace(index_path)
    prune(directory, index)
    return dict(urls)


def prune(directory: Path, index: Mapping[str, Mapping[str, str]], part_age_s: float = 3600.0) -> list[str]:
    """Remove the data files no index entry names, and unfinished writes an hour old; return their names.

    Only files named as :func:`publish` names them are touched: anything else in the folder is left.
    """
    named = {url.rsplit("/", 1)[-1] for urls in index.values() if isinstance(urls, dict) for url in urls.values()}
    removed = []
    for path in directory.glob("*") if directory.is_dir() else ():
        stale_part = path.suffix == ".part" and time.time() - path.stat().st_mtime > part_age_s
        if stale_part or (_DATA_FILE.fullmatch(path.name) and path.name not in named):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
