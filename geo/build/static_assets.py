"""Leaflet and jQuery served by the app itself, so maps draw with no internet at all.

folium points at public CDNs by default; the PyPI packages ``xstatic-leaflet`` and
``xstatic-jquery`` carry the same files, which we copy into ``static/vendor`` where Streamlit
serves them at ``/app/static/vendor/`` (``server.enableStaticServing``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet

from geo.config import STATIC_DIR


def install_static(dest: Path = STATIC_DIR) -> Path:
    """Copy the Leaflet and jQuery files into ``dest`` (idempotent); return ``dest``."""
    leaflet = dest / "leaflet"
    (leaflet / "images").mkdir(parents=True, exist_ok=True)
    (dest / "jquery").mkdir(parents=True, exist_ok=True)
    src = Path(xleaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(src / name, leaflet / name)
    for image in (src / "images").iterdir():
        shutil.copyfile(image, leaflet / "images" / image.name)
    shutil.copyfile(Path(xjquery.BASE_DIR) / "jquery.min.js", dest / "jquery" / "jquery.min.js")
    return dest
