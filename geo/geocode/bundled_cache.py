"""The bundled sites, geocoded once per build and code, not once per server start.

Geocoding the bundled lists takes about half a second, which a freshly started server spends
before it can draw anything. The result is a pure function of the built cache (its manifest), the
project's data files (site lists, aliases) and the geo code, so it is kept in the build cache under
a digest of all three; any change to any of them geocodes afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd

from geo.atlas import Atlas
from geo.config import PROJECT_ROOT
from geo.geocode.bundled_sites import bundled_sites

FOLDER = "present"


def _digest(atlas: Atlas) -> str:
    digest = hashlib.sha256((atlas.cache / "manifest.json").read_bytes())
    for root in (PROJECT_ROOT / "data", Path(__file__).resolve().parent.parent):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".csv", ".py", ".json", ".txt") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def cached_bundled_sites(atlas: Atlas, write: bool = True) -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """:func:`geo.geocode.bundled_sites.bundled_sites`, read from the build cache when nothing it depends on changed.

    ``write=False`` (a server) never writes: when the kept result is not current it geocodes in memory.
    ``python -m geo build`` writes it (:func:`geo.present.map_data.prepare`), so a server only reads.
    """
    path = atlas.cache / FOLDER / f"bundled_sites.{_digest(atlas)}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = bundled_sites(atlas)
    if not write:
        return result
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("bundled_sites.*.pickle"):
        old.unlink(missing_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    with partial.open("wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return result
