"""The map as a picture for a slide or a board paper: PNG or SVG, drawn on the server.

Drawn with matplotlib from the same footprints (the map's simplified geometry) and the same
palette as the live map, in British National Grid so the scale bar is true: England's land on a
sea colour, place labels, the footprints by care model, a legend, the title, the filters in words,
the date, a scale bar and the attribution the sources ask for. 16:9, 1920 x 1080 pixels as PNG.
The figure is built without pyplot, so it is safe in a threaded server.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import matplotlib
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from geo.geography import BNG, WGS84
from geo.present.palette import COAST_COLOUR, LABEL_COLOUR, LAND_COLOUR, SEA_COLOUR, care_model_colour
from geo.present.wording import CARE_MODEL_HEADING, key_groups

#: Slide size: 13.33 x 7.5 inches (PowerPoint's 16:9) at 144 dpi is 1920 x 1080 pixels.
SIZE_IN = (13.3334, 7.5)
DPI = 144
#: England in British National Grid (metres), with a margin.
EXTENT = (60_000.0, 0.0, 670_000.0, 670_000.0)
#: Place labels drawn on the picture: those the live map shows at this zoom or below.
LABEL_ZOOM = 6


def _bng(geometries: Iterable[dict]) -> list[shapely.Geometry]:
    shapes = [shapely.from_geojson(json.dumps(g)) for g in geometries]
    return list(gpd.GeoSeries(shapes, crs=WGS84).to_crs(BNG)) if shapes else []


def _scale_bar(ax, length_m: float = 100_000.0) -> None:
    """A black-and-white bar of ``length_m`` in the lower left of the map, in true metres (BNG)."""
    x0, y0 = EXTENT[2] - length_m - 40_000, EXTENT[1] + 22_000
    half = length_m / 2
    for i, colour in enumerate(("#222222", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, 6_000, facecolor=colour, edgecolor="#222222", lw=0.8,
                               zorder=6))
    for x, text in ((x0, "0"), (x0 + half, f"{half / 1000:g}"), (x0 + length_m, f"{length_m / 1000:g} km")):
        ax.text(x, y0 + 11_000, text, ha="center", va="bottom", fontsize=8, color="#222222", zorder=6)


def render(
    frame: pd.DataFrame,
    geometries: Mapping[object, dict],
    land: Sequence[dict],
    labels: Sequence[dict],
    title: str,
    filters_words: Sequence[str],
    attribution: Sequence[str],
    fmt: str = "png",
    key: str = "site_id",
    total: int | None = None,
    today: dt.date | None = None,
) -> bytes:
    """PNG or SVG bytes of the sites in ``frame`` whose ``key`` has a geometry in ``geometries``.

    ``geometries`` and ``land`` are WGS84 GeoJSON geometries (the live map's); ``labels`` are
    :func:`geo.present.labels.place_labels` entries. ``total`` is the unfiltered number of sites.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be png or svg, not {fmt!r}")
    today = today or dt.date.today()
    drawn = frame[frame[key].isin(list(geometries))]
    shapes = _bng(geometries[k] for k in drawn[key])
    models = [m if isinstance(m, str) else "" for m in drawn.get("care_model", pd.Series([""] * len(drawn)))]

    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=SIZE_IN, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        _draw_map(fig.add_axes((0.005, 0.01, 0.575, 0.98)), land, shapes, models, labels)
        x = 0.61
        fig.text(x, 0.95, textwrap.fill(title, 34), fontsize=19, fontweight="bold", va="top", color="#111111")
        count = f"{len(drawn)} footprints drawn of {len(frame)} sites shown"
        if total is not None:
            count += f" ({total} in the atlas)"
        words = "; ".join(filters_words) if filters_words else "none (all sites)"
        fig.text(x, 0.80, count, fontsize=10.5, va="top", color="#333333")
        fig.text(x, 0.765, textwrap.fill(f"Filters: {words}", 62), fontsize=10.5, va="top", color="#333333")
        _legend(fig, x, models)
        _notes(fig, x, today, attribution)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=DPI, facecolor="white", metadata=_metadata(fmt, title))
    return out.getvalue()


def _draw_map(ax, land: Sequence[dict], shapes: list[shapely.Geometry], models: list[str],
              labels: Sequence[dict]) -> None:
    """England's land on the sea, the footprints by care model (small ones on top), labels, a scale bar."""
    ax.set_facecolor(SEA_COLOUR)
    gpd.GeoSeries(_bng(land), crs=BNG).plot(ax=ax, facecolor=LAND_COLOUR, edgecolor=COAST_COLOUR, linewidth=0.6,
                                             zorder=1)
    order = sorted(range(len(shapes)), key=lambda i: -shapes[i].area)  # small footprints on top
    if shapes:
        gpd.GeoSeries([shapes[i] for i in order], crs=BNG).plot(
            ax=ax, facecolor=[care_model_colour(models[i]) for i in order], edgecolor="#333333",
            linewidth=0.5, alpha=0.75, zorder=2)
    _draw_labels(ax, labels)
    ax.set_xlim(EXTENT[0], EXTENT[2])
    ax.set_ylim(EXTENT[1], EXTENT[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
    _scale_bar(ax)


def _draw_labels(ax, labels: Sequence[dict]) -> None:
    """The place names the live map shows at :data:`LABEL_ZOOM`, white-haloed like the map's."""
    shown = [lab for lab in labels if lab["min_zoom"] <= LABEL_ZOOM]
    if not shown:
        return
    points = gpd.GeoSeries(gpd.points_from_xy([lab["lon"] for lab in shown], [lab["lat"] for lab in shown]),
                           crs=WGS84).to_crs(BNG)
    for lab, point in zip(shown, points):
        ax.text(point.x, point.y, _unescape(lab["name"]), ha="center", va="center", fontsize=7.5,
                color=LABEL_COLOUR, fontweight="bold", zorder=5,
                path_effects=[_halo()])


def _legend(fig: Figure, x: float, models: list[str]) -> None:
    """One swatch per care model drawn, written out, in the palette's order; pioneers, then "other", after."""
    handles = [Patch(facecolor=care_model_colour(model), edgecolor="#333333", alpha=0.75, label=line)
               for _heading, lines in key_groups(models) for model, line in lines]
    if handles:
        fig.legend(handles=handles, title=CARE_MODEL_HEADING, loc="upper left", bbox_to_anchor=(x - 0.005, 0.69),
                   frameon=False, fontsize=10.5, title_fontsize=11, alignment="left")


def _notes(fig: Figure, x: float, today: dt.date, attribution: Sequence[str]) -> None:
    """What the footprints are, when and with what the picture was made, and the sources' attribution."""
    fig.text(x, 0.335, "Footprints are sets of 2011 LSOAs on the 2015 CCG and local authority geography;\n"
             f"outlines simplified (about 250 m). Made {today.isoformat()} with the NHS integration atlas.",
             fontsize=8.5, va="top", color="#444444", linespacing=1.4)
    lines = [textwrap.fill(line, 100) for line in attribution]
    fig.text(x, 0.265, "\n".join(lines), fontsize=6.5, va="top", color="#444444", linespacing=1.35)


def _metadata(fmt: str, title: str) -> dict:
    return {"Title": title, "Software": "NHS integration atlas"} if fmt == "png" else {"Title": title}


def _halo():
    from matplotlib import patheffects

    return patheffects.withStroke(linewidth=2.4, foreground="white")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
