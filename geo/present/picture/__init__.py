"""The map as a picture for a slide or a board paper: PNG or SVG, drawn on the server.

Drawn with matplotlib from the same footprints (the map's simplified geometry) and the same palette as the
live map, in British National Grid so the scale bar is true. The title is built from the filters with the care
models written out (:func:`title`); every footprint carries a number, and a key beside the map gives each
number's site and residents; the view is fitted to what is shown (a region filter shows that region, all sites
show England), with the NHS regions' borders. Overlaps are drawn as on the live map: place-based sites as opaque
fills, smaller above larger (a second site on the very same footprint hatched over the first), and the networks
(:data:`geo.present.palette.NETWORK_CARE_MODELS`) as coloured outlines over them, so every colour in the picture
is one its legend shows. 16:9, 1920 x 1080 pixels as PNG.

The figure is built without pyplot, so it is safe in a threaded server. Text is drawn as typed: never as
mathematics (a "$" in a search is a dollar), and without characters an SVG (XML) cannot hold; in the SVG every
word, the numbers included, is real text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

import matplotlib
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.present.palette import OTHER_LABEL
from geo.present.picture.base import Basemap, basemap, basemap_of, bng, shading_shapes
from geo.present.picture.canvas import DPI, HEIGHT_PX, PAD_PX, RC, SIZE_IN, WIDTH_PX, Site
from geo.present.picture.drawing import draw_map, map_axes, view_of
from geo.present.picture.panel import draw_panel
from geo.present.picture.title import ALL_TITLE, title
from geo.present.wording import key_groups
from geo.present.workbook import xml_text

__all__ = ["ALL_TITLE", "HEIGHT_PX", "WIDTH_PX", "Basemap", "basemap", "basemap_of", "bng", "figure", "render",
           "shading_shapes", "title"]


def render(
    frame: pd.DataFrame,
    geometries: Mapping[object, dict],
    base: Basemap,
    title: str,
    filters_words: Sequence[str],
    attribution: Sequence[str],
    fmt: str = "png",
    **options,
) -> bytes:
    """PNG or SVG bytes of :func:`figure`."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be png or svg, not {fmt!r}")
    with matplotlib.rc_context(RC):
        fig = figure(frame, geometries, base, title, filters_words, attribution, **options)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=DPI, facecolor="white", metadata=_metadata(fmt, xml_text(title)))
    return out.getvalue()


def figure(
    frame: pd.DataFrame,
    geometries: Mapping[object, dict],
    base: Basemap,
    title: str,
    filters_words: Sequence[str],
    attribution: Sequence[str],
    key: str = "site_id",
    total: int | None = None,
    today: dt.date | None = None,
    deprivation: Sequence[tuple[shapely.Geometry, str]] | None = None,
    regions: Sequence[str] = (),
    whole: bool = False,
) -> Figure:
    """The picture of the sites in ``frame`` whose ``key`` has a geometry in ``geometries`` (WGS84 GeoJSON, the
    live map's), numbered, with their key, on ``base``.

    The view shows the NHS ``regions`` named (a region filter), else England when ``whole`` (nothing filtered) or
    nothing is drawn, else the footprints drawn; always with a margin, at the map's aspect. ``total`` is the
    unfiltered number of sites. ``deprivation`` is the map's deprivation shading as :func:`shading_shapes` makes
    it: when given, it is drawn under the footprints with its key.
    """
    today = today or dt.date.today()
    title, filters_words = xml_text(title), [xml_text(w) for w in filters_words]
    attribution = [xml_text(line) for line in attribution]
    sites, missing = _sites(frame, geometries, key)

    with matplotlib.rc_context(RC):
        fig = Figure(figsize=SIZE_IN, dpi=DPI, facecolor="white")
        renderer = FigureCanvasAgg(fig).get_renderer()
        view = view_of(base, [s.shape for s in sites], regions, whole)
        ax, view = map_axes(fig, view)
        draw_map(ax, base, sites, view, deprivation)
        panel = (ax.get_position().x1 * WIDTH_PX + 2 * PAD_PX, WIDTH_PX - PAD_PX)
        draw_panel(fig, renderer, panel, sites, missing, title, filters_words, attribution, today, total, len(frame),
                   ax if deprivation is not None else None)
    return fig


def _sites(frame: pd.DataFrame, geometries: Mapping[object, dict], key: str) -> tuple[list[Site], list[str]]:
    """The sites drawn, numbered in the key's order (care models in the legend's order, then by name), and the
    names of those with no area footprint."""
    drawn = frame[frame[key].isin(list(geometries))]
    models = [m if isinstance(m, str) else "" for m in drawn.get("care_model", pd.Series([""] * len(drawn)))]
    rank = {model: g * 100 + i for g, (_h, lines) in enumerate(key_groups(models))
            for i, (model, _line) in enumerate(lines)}
    names = drawn["display_name"] if "display_name" in drawn else drawn[key].astype(str)
    population = drawn["population"] if "population" in drawn else pd.Series([None] * len(drawn))
    shapes = bng(geometries[k] for k in drawn[key])
    rows = sorted(zip(models, names.astype(str), population, shapes),
                  key=lambda r: (rank.get(r[0], rank.get(OTHER_LABEL, 10_000)), r[1].casefold()))
    # one line each in the key (a name's own line breaks would shift the key's columns apart)
    sites = [Site(i + 1, " ".join(xml_text(name).split()), pop, model, shape)
             for i, (model, name, pop, shape) in enumerate(rows)]
    gone = frame[~frame[key].isin(list(geometries))]
    gone_names = gone["display_name"] if "display_name" in gone else gone[key]
    return sites, [xml_text(str(n)) for n in gone_names]



def _metadata(fmt: str, title: str) -> dict:
    return {"Title": title, "Software": "NHS integration atlas"} if fmt == "png" else {"Title": title}
