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
import html
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path

from geo.geography import BNG, IMD_FIFTHS, WGS84
from geo.present.filters import PROGRAMMES, Filters, announced_label
from geo.present.palette import (
    COAST_COLOUR,
    DEPRIVATION_RAMP,
    LABEL_COLOUR,
    LAND_COLOUR,
    OTHER_LABEL,
    OUTLINE_COLOURS,
    SEA_COLOUR,
    care_model_colour,
    is_network,
)
from geo.present.wording import CARE_MODEL_HEADING, CARE_MODEL_NAMES, PIONEER, key_groups, people
from geo.present.workbook import xml_text

#: Slide size: 13.33 x 7.5 inches (PowerPoint's 16:9) at 144 dpi is 1920 x 1080 pixels.
SIZE_IN = (13.3334, 7.5)
DPI = 144
WIDTH_PX, HEIGHT_PX = round(SIZE_IN[0] * DPI), round(SIZE_IN[1] * DPI)
#: Space around the map and the panel beside it (pixels).
PAD_PX = 14
#: The map's share of the width: from a tall region's to a wide one's (its height is the canvas's).
MAP_WIDTH = (0.40, 0.64)
#: Margin around what the view is fitted to (a share of its larger side), and the smallest view (metres).
MARGIN, MIN_VIEW_M = 0.04, 60_000.0
#: Place labels: those the live map shows at this zoom when the view is England; one more per halving of the view.
LABEL_ZOOM, MAX_LABEL_ZOOM = 6, 9
#: The view that shows England (the land's bounds), in metres across: label zooms are counted from it.
ENGLAND_WIDTH_M = 580_000.0
#: The whole programme's title, and its parts.
ALL_TITLE = "NHS vanguards and integration pioneers, 2013-2015"
SUBJECTS = {frozenset(): "NHS vanguards and integration pioneers", frozenset({"Vanguard"}): "NHS vanguards",
            frozenset({PIONEER}): "Health and social care integration pioneers"}
YEARS = {"Vanguard": (2015,), PIONEER: (2013, 2015)}
#: Fonts (points): numbers on the map and the key's sizes, largest first (the key takes the largest that fits).
NUMBER_PT = 9.5
KEY_PT = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
KEY_MAX_COLUMNS = 4
KEY_NAME_CHARS = 24
KEY_GAP_PX = 16
KEY_LINESPACING = 1.3
#: Fill edges, the dark line under a network's coloured outline, and the region borders.
EDGE_COLOUR = "#333333"
REGION_LABEL = "NHS England region (2015)"
HATCHES = ("////", "\\\\\\\\", "xx")
_RC = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "text.parse_math": False, "hatch.linewidth": 1.6}


# --- the title ---------------------------------------------------------------------------------------------------


def title(filters: Filters) -> str:
    """The picture's title in words from the filters, care models written out.

    "Multispecialty community provider (MCP) vanguards, 2015"; "NHS vanguards in London, 2015"; the whole
    programme is :data:`ALL_TITLE`. Regions, a population range and a search are said after what is shown, and
    "announced by" replaces the years ("..., as announced by March 2015").
    """
    programmes = frozenset(p for p in filters.programmes if p in PROGRAMMES)
    if programmes == frozenset(PROGRAMMES):
        programmes = frozenset()
    models = [m for m in CARE_MODEL_NAMES if m in filters.care_models]
    models += [m for m in filters.care_models if m not in CARE_MODEL_NAMES and m != PIONEER]
    if models and set(models) != set(CARE_MODEL_NAMES):  # a care model is a vanguard's: pioneers have none
        names = [CARE_MODEL_NAMES.get(m, m) for m in models]
        names = names[:1] + [name[:1].lower() + name[1:] for name in names[1:]]
        subject = f"{_and(names)} vanguards"
        years: tuple[int, ...] = YEARS["Vanguard"]
    else:
        if models:  # every care model: the vanguards
            programmes = frozenset({"Vanguard"})
        subject = SUBJECTS[programmes]
        years = tuple(sorted({y for p in (programmes or PROGRAMMES) for y in YEARS[p]}))
    words = [subject]
    if filters.regions:
        words.append("in " + _and([r if r.split()[0] == "London" else f"the {r}" for r in filters.regions]))
    low, high = filters.population_min, filters.population_max
    if low is not None and high is not None:
        words.append(f"with {low:,} to {high:,} residents")
    elif low is not None:
        words.append(f"with at least {low:,} residents")
    elif high is not None:
        words.append(f"with at most {high:,} residents")
    if filters.search.strip():
        words.append(f"matching \u201c{filters.search.strip()}\u201d")
    if filters.announced_by:
        when = f"as announced by {announced_label(filters.announced_by)}"
    else:
        when = f"{years[0]}-{years[-1]}" if years[0] != years[-1] else str(years[0])
    return f"{' '.join(words)}, {when}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- what every picture draws, made once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Basemap:
    """What every picture draws whatever the filters, in British National Grid (made once per server)."""

    land: tuple[shapely.Geometry, ...]
    labels: tuple[tuple[str, float, float, int], ...]  # name as printed, x, y, the live map's first zoom
    regions: Mapping[str, shapely.Geometry]  # NHS region name -> its area
    region_lines: shapely.Geometry | None = None  # the live map's NHS region outline layer

    def bounds(self) -> tuple[float, float, float, float]:
        """England's land, in metres."""
        return tuple(shapely.total_bounds(list(self.land)))


def basemap(land: Sequence[dict], labels: Sequence[dict], regions: Mapping[str, dict] | None = None,
            region_lines: Sequence[dict] = ()) -> Basemap:
    """A :class:`Basemap` from the live map's WGS84 GeoJSON geometries: ``land``, place ``labels``
    (:func:`geo.present.labels.place_labels`), each NHS region's area by name, and the regions' outline layer."""
    regions = dict(regions or {})
    points = gpd.GeoSeries(gpd.points_from_xy([lab["lon"] for lab in labels], [lab["lat"] for lab in labels]),
                           crs=WGS84).to_crs(BNG)
    lines = _bng(region_lines)
    return Basemap(
        land=tuple(_bng(land)),
        labels=tuple((html.unescape(lab["name"]), p.x, p.y, int(lab["min_zoom"])) for lab, p in zip(labels, points)),
        regions=dict(zip(regions, _bng(regions.values()))),
        region_lines=shapely.union_all(lines) if lines else None)


def basemap_of(atlas, region_outline: dict | None = None) -> Basemap:
    """The :class:`Basemap` of a built atlas; ``region_outline`` is the live map's ``nhs_region`` outline layer
    (:func:`geo.present.folium_map.outline_geojson`), made here when not given."""
    from geo.present.folium_map import outline_geojson
    from geo.present.labels import place_labels
    from geo.present.map_data import land_geojson

    display = atlas.layer("nhs_region", display=True)
    regions = {name: json.loads(shapely.to_geojson(g)) for name, g in zip(display["name"], display.geometry)}
    outline = region_outline or outline_geojson(atlas, "nhs_region")
    return basemap([f["geometry"] for f in land_geojson(atlas)["features"]], place_labels(atlas), regions,
                   [f["geometry"] for f in outline["features"]])


def _bng(geometries: Iterable[dict]) -> list[shapely.Geometry]:
    shapes = [shapely.from_geojson(json.dumps(g)) for g in geometries]
    return list(gpd.GeoSeries(shapes, crs=WGS84).to_crs(BNG)) if shapes else []


def shading_shapes(shading: dict) -> list[tuple[shapely.Geometry, str]]:
    """A shading's areas (map GeoJSON such as the deprivation fifths) in British National Grid, with their
    fills: about a second for England's LSOAs, so made once and drawn in every picture."""
    features = shading["features"]
    return list(zip(_bng(f["geometry"] for f in features), (f["properties"]["fill"] for f in features)))


# --- the picture -------------------------------------------------------------------------------------------------


@dataclass
class _Site:
    number: int
    name: str
    population: object
    model: str
    shape: shapely.Geometry

    @property
    def network(self) -> bool:
        return is_network(self.model)


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
    with matplotlib.rc_context(_RC):
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

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=SIZE_IN, dpi=DPI, facecolor="white")
        renderer = FigureCanvasAgg(fig).get_renderer()
        view = _view(base, [s.shape for s in sites], regions, whole)
        ax, view = _map_axes(fig, view)
        _draw_map(ax, base, sites, view, deprivation)
        panel = (ax.get_position().x1 * WIDTH_PX + 2 * PAD_PX, WIDTH_PX - PAD_PX)
        _panel(fig, renderer, panel, sites, missing, title, filters_words, attribution, today, total, len(frame),
               deprivation is not None)
    return fig


def _sites(frame: pd.DataFrame, geometries: Mapping[object, dict], key: str) -> tuple[list[_Site], list[str]]:
    """The sites drawn, numbered in the key's order (care models in the legend's order, then by name), and the
    names of those with no area footprint."""
    drawn = frame[frame[key].isin(list(geometries))]
    models = [m if isinstance(m, str) else "" for m in drawn.get("care_model", pd.Series([""] * len(drawn)))]
    rank = {model: g * 100 + i for g, (_h, lines) in enumerate(key_groups(models))
            for i, (model, _line) in enumerate(lines)}
    names = drawn["display_name"] if "display_name" in drawn else drawn[key].astype(str)
    population = drawn["population"] if "population" in drawn else pd.Series([None] * len(drawn))
    shapes = _bng(geometries[k] for k in drawn[key])
    rows = sorted(zip(models, names.astype(str), population, shapes),
                  key=lambda r: (rank.get(r[0], rank.get(OTHER_LABEL, 10_000)), r[1].casefold()))
    sites = [_Site(i + 1, xml_text(name), pop, model, shape) for i, (model, name, pop, shape) in enumerate(rows)]
    gone = frame[~frame[key].isin(list(geometries))]
    gone_names = gone["display_name"] if "display_name" in gone else gone[key]
    return sites, [xml_text(str(n)) for n in gone_names]


def _view(base: Basemap, shapes: Sequence[shapely.Geometry], regions: Sequence[str],
          whole: bool) -> tuple[float, float, float, float]:
    """What the map must show (metres): the regions named, else England, else the footprints; with a margin."""
    wanted = {r.casefold() for r in regions} | {r.split()[0].casefold() for r in regions if r.split()}
    chosen = [g for name, g in base.regions.items() if name.casefold() in wanted or name.split()[0].casefold()
              in wanted]
    if chosen:
        x0, y0, x1, y1 = shapely.total_bounds(chosen)
    elif whole or not shapes:
        x0, y0, x1, y1 = base.bounds()
    else:
        x0, y0, x1, y1 = shapely.total_bounds(list(shapes))
    side = max(x1 - x0, y1 - y0, MIN_VIEW_M / (1 + 2 * MARGIN))
    cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, side * MARGIN
    half_w, half_h = max(x1 - x0, MIN_VIEW_M) / 2 + half, max(y1 - y0, MIN_VIEW_M) / 2 + half
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _map_axes(fig: Figure, view: tuple[float, float, float, float]):
    """The map's axes, the canvas's height and as wide as the view's shape asks (within :data:`MAP_WIDTH`), and the
    view widened or heightened about its centre to the axes' shape, so the scale is the same both ways."""
    height_px = HEIGHT_PX - 2 * PAD_PX
    x0, y0, x1, y1 = view
    width_px = min(max(height_px * (x1 - x0) / (y1 - y0), MAP_WIDTH[0] * WIDTH_PX), MAP_WIDTH[1] * WIDTH_PX)
    ax = fig.add_axes((PAD_PX / WIDTH_PX, PAD_PX / HEIGHT_PX, width_px / WIDTH_PX, height_px / HEIGHT_PX))
    metres_per_px = max((x1 - x0) / width_px, (y1 - y0) / height_px)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = width_px * metres_per_px / 2, height_px * metres_per_px / 2
    view = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_gid("map")
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
    return ax, view


def _draw_map(ax, base: Basemap, sites: list[_Site], view: tuple[float, float, float, float],
              deprivation: Sequence[tuple[shapely.Geometry, str]] | None) -> None:
    """Land on the sea, any deprivation shading, the place-based fills (small ones on top; a footprint drawn
    already hatched over it), the region borders, the networks' outlines, place names, numbers, a scale bar."""
    ax.set_facecolor(SEA_COLOUR)
    box = shapely.box(*view)
    _plot(ax, [g for g in base.land if g.intersects(box)], facecolor=LAND_COLOUR, edgecolor=COAST_COLOUR,
          linewidth=0.6, zorder=1)
    if deprivation:
        _plot(ax, [shape for shape, _ in deprivation], facecolor=[fill for _, fill in deprivation],
              edgecolor="none", alpha=0.7, zorder=1.5)
    places = sorted((s for s in sites if not s.network), key=lambda s: -s.shape.area)
    seen: dict[bytes, list[_Site]] = {}
    fills: list[_Site] = []
    hatched: dict[str, list[_Site]] = {}
    for site in places:  # biggest first, so smaller footprints lie on top
        same = seen.setdefault(shapely.to_wkb(shapely.normalize(site.shape)), [])
        if same:  # the very same footprint as one drawn: hatched in this site's colour, so both are seen
            hatched.setdefault(HATCHES[(len(same) - 1) % len(HATCHES)], []).append(site)
        else:
            fills.append(site)
        same.append(site)
    _plot(ax, [s.shape for s in fills], facecolor=[care_model_colour(s.model) for s in fills],
          edgecolor=EDGE_COLOUR, linewidth=0.5, zorder=2)
    for i, (hatch, over) in enumerate(hatched.items()):
        _plot(ax, [s.shape for s in over], edgecolor=[care_model_colour(s.model) for s in over], hatch=hatch,
              zorder=2.1 + i / 10)
    if base.region_lines is not None:
        _plot(ax, [base.region_lines], edgecolor=OUTLINE_COLOURS["nhs_region"], linewidth=1.0,
              linestyle=(0, (5, 3)), zorder=3)
    networks = sorted((s for s in sites if s.network), key=lambda s: -s.shape.area)
    if networks:
        outlines = [s.shape for s in networks]
        _plot(ax, outlines, edgecolor=EDGE_COLOUR, linewidth=3.6, zorder=3.5)
        _plot(ax, outlines, edgecolor=[care_model_colour(s.model) for s in networks], linewidth=2.2, zorder=3.6)
    metres_per_px = (view[2] - view[0]) / (ax.get_position().width * WIDTH_PX)
    placed = _draw_numbers(ax, sites, view, metres_per_px)
    _draw_labels(ax, base, view, metres_per_px, placed)
    _scale_bar(ax, view)


def _plot(ax, shapes: Sequence[shapely.Geometry], facecolor="none", edgecolor="none", linewidth: float = 0.0,
          **style) -> None:
    """Polygons (filled, or their outlines) or lines as one collection, in order: made directly rather than
    through GeoPandas, whose plotting redraws the whole figure on every call."""
    paths = [_path(g) for g in shapes if g is not None and not g.is_empty]
    if paths:
        ax.add_collection(PathCollection(paths, facecolors=facecolor, edgecolors=edgecolor, linewidths=linewidth,
                                         **style), autolim=False)


def _path(geometry: shapely.Geometry) -> Path:
    """A matplotlib path of a (multi)polygon's rings, or of a (multi)line's parts."""
    parts = shapely.get_parts(geometry)
    polygonal = geometry.geom_type in ("Polygon", "MultiPolygon")
    rings = shapely.get_rings(parts) if polygonal else parts
    coords, index = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = Path.MOVETO
    if polygonal:
        codes[np.r_[starts[1:] - 1, len(coords) - 1]] = Path.CLOSEPOLY
    return Path(coords, codes)


def _draw_numbers(ax, sites: list[_Site], view: tuple[float, float, float, float],
                  metres_per_px: float) -> list[shapely.Geometry]:
    """Each site's number inside its footprint, white-haloed, at the point furthest from its edges and from the
    numbers placed before it (smallest footprints first: they have least room). Where its footprint has no room
    left (a crowded city at England's scale), the number goes to the nearest free spot around it, with a leader
    line. Returns the numbers' discs."""
    em = NUMBER_PT * DPI / 72 * metres_per_px  # the numbers' type size, in metres
    inner = shapely.box(view[0] + em, view[1] + em, view[2] - em, view[3] - em)
    placed: list[shapely.Geometry] = []
    for site in sorted(sites, key=lambda s: s.shape.area):
        room = shapely.make_valid(site.shape).intersection(inner)
        if room.is_empty:
            continue
        radius = em * (0.6 if site.number < 10 else 0.85)
        near = [disc for disc in placed if disc.distance(room) < 2 * radius]
        # where this number's centre may go: in its footprint, its disc clear of the numbers placed
        free = room.difference(shapely.union_all(near).buffer(radius, 4)) if near else room
        spot = _centre(free, radius) if not free.is_empty else None
        anchor = None
        if spot is None:
            anchor = _centre(room, radius)
            spot = _free_spot(anchor, radius, placed, inner) or anchor
        placed.append(spot.buffer(radius))
        if anchor is not None and anchor.distance(spot) > radius:
            toward = shapely.LineString([spot, anchor])
            start = toward.interpolate(radius * 0.9)
            ax.plot([start.x, anchor.x], [start.y, anchor.y], color="#222222", linewidth=0.8, zorder=6.9,
                    solid_capstyle="round")
        ax.text(spot.x, spot.y, str(site.number), ha="center", va="center", fontsize=NUMBER_PT, fontweight="bold",
                color="#111111", zorder=7, gid=f"map-number-{site.number}",
                path_effects=[patheffects.withStroke(linewidth=3.0, foreground="white")])
    return placed


def _centre(area: shapely.Geometry, radius: float) -> shapely.Point:
    """The point of ``area`` furthest from its edges (to within a fraction of a number's size)."""
    polygons = [g for g in getattr(area, "geoms", [area]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        return area.representative_point()
    return shapely.get_point(shapely.maximum_inscribed_circle(shapely.union_all(polygons), tolerance=radius / 3), 0)


def _free_spot(anchor: shapely.Point, radius: float, placed: list[shapely.Geometry],
               inside: shapely.Geometry) -> shapely.Point | None:
    """The nearest spot around ``anchor`` (on rings of 12, further and further out) where a number of ``radius``
    overlaps no number placed, within the view; None if there is none close by."""
    for ring in range(1, 7):
        distance = radius * (0.6 + 1.6 * ring)
        for step in range(12):
            angle = math.pi / 2 - step * math.pi / 6 + (ring % 2) * math.pi / 12
            spot = shapely.Point(anchor.x + distance * math.cos(angle), anchor.y + distance * math.sin(angle))
            disc = spot.buffer(radius * 1.05)
            if inside.contains(spot) and not any(disc.intersects(d) for d in placed):
                return spot
    return None


def _draw_labels(ax, base: Basemap, view: tuple[float, float, float, float], metres_per_px: float,
                 numbers: list[shapely.Geometry]) -> None:
    """The place names the live map shows at the view's zoom, white-haloed like the map's; never over a number."""
    zoom = LABEL_ZOOM + max(0, math.floor(math.log2(ENGLAND_WIDTH_M / max(view[2] - view[0], 1.0))))
    zoom = min(zoom, MAX_LABEL_ZOOM)
    taken = shapely.union_all(numbers) if numbers else None
    for name, x, y, first in base.labels:
        if first > zoom or not (view[0] < x < view[2] and view[1] < y < view[3]):
            continue
        half_w, half_h = len(name) * 3.4 * metres_per_px, 6 * metres_per_px
        if taken is not None and taken.intersects(shapely.box(x - half_w, y - half_h, x + half_w, y + half_h)):
            continue
        ax.text(x, y, name, ha="center", va="center", fontsize=7, color=LABEL_COLOUR, fontstyle="italic", zorder=5,
                path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")])


def _scale_bar(ax, view: tuple[float, float, float, float]) -> None:
    """A black-and-white bar about a fifth of the view wide, in the lower right, in true metres (BNG)."""
    width, height = view[2] - view[0], view[3] - view[1]
    step = 10 ** math.floor(math.log10(width / 5))
    length = max(m * step for m in (1, 2, 5) if m * step <= width / 5)
    x0, y0, bar = view[2] - length - 0.05 * width, view[1] + 0.03 * height, 0.008 * height
    half = length / 2
    for i, colour in enumerate(("#222222", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, bar, facecolor=colour, edgecolor="#222222", lw=0.8,
                               zorder=8))
    for x, text in ((x0, "0"), (x0 + half, f"{half / 1000:g}"), (x0 + length, f"{length / 1000:g} km")):
        ax.text(x, y0 + bar * 1.8, text, ha="center", va="bottom", fontsize=8, color="#222222", zorder=8,
                path_effects=[patheffects.withStroke(linewidth=2.0, foreground="white")])


# --- the panel beside the map: title, legend, key, notes -----------------------------------------------------------


def _panel(fig: Figure, renderer, panel: tuple[float, float], sites: list[_Site], missing: list[str], title: str,
           filters_words: Sequence[str], attribution: Sequence[str], today: dt.date, total: int | None,
           shown: int, deprivation: bool) -> None:
    """Title, what is shown, legend, the numbered key and the notes, top to bottom in the panel (pixels)."""
    x, right = panel
    width = right - x
    y = HEIGHT_PX - PAD_PX - 6
    y = _text(fig, renderer, x, y, width, title, 18, weight="bold", colour="#111111", lines=4, gap=10)
    count = f"{len(sites)} footprints drawn of {shown} sites shown" + (f" ({total} in the atlas)" if total else "")
    if missing:
        count += f"; with no area footprint, not drawn: {'; '.join(missing)}"
    y = _text(fig, renderer, x, y, width, count, 9.5, colour="#333333", lines=3, gap=4)
    words = "; ".join(filters_words) if filters_words else "none (all sites)"
    y = _text(fig, renderer, x, y, width, f"Filters: {words}", 9.5, colour="#333333", lines=3, gap=12)
    y = _legend(fig, renderer, x, y, width, [s.model for s in sites], deprivation)
    bottom = _notes(fig, renderer, x, width, today, attribution)
    _key(fig, renderer, x, y - 10, width, bottom + 12, sites)


_WIDTHS: dict[tuple[str, float, str], float] = {}


def _fits(renderer, text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in pixels at ``size`` points: the sum of its characters' widths, each measured once
    (laying out whole strings took most of a picture's time; DejaVu Sans's kerning is slight)."""
    total = 0.0
    for char in text:
        width = _WIDTHS.get((char, size, weight))
        if width is None:
            prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
            # a character between two bars, less the bars: the space (and side bearings) it takes in a line
            bars = renderer.get_text_width_height_descent("||", prop, ismath=False)[0]
            width = renderer.get_text_width_height_descent(f"|{char}|", prop, ismath=False)[0] - bars
            if len(_WIDTHS) < 50_000:
                _WIDTHS[(char, size, weight)] = width
        total += width
    return total


def _wrap(renderer, text: str, size: float, width: float, weight: str = "normal") -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _fits(renderer, f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _shorten(renderer, text: str, size: float, width: float, weight: str = "normal") -> str:
    """``text``, cut with an ellipsis to ``width`` pixels."""
    if _fits(renderer, text, size, weight) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if _fits(renderer, text[:mid].rstrip() + "\u2026", size, weight) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "\u2026"


def _text(fig: Figure, renderer, x: float, top: float, width: float, text: str, size: float, weight: str = "normal",
          colour: str = "#333333", lines: int = 3, gap: float = 6) -> float:
    """``text`` wrapped to ``width`` pixels (at most ``lines`` lines, the last cut) below ``top``; returns the
    y under it, less ``gap``."""
    wrapped = _wrap(renderer, text, size, width, weight)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [_shorten(renderer, " ".join(wrapped[lines - 1:]), size, width, weight)]
    artist = fig.text(x / WIDTH_PX, top / HEIGHT_PX, "\n".join(wrapped), fontsize=size, fontweight=weight,
                      va="top", color=colour, linespacing=1.25)
    return artist.get_window_extent(renderer).y0 - gap


def _legend(fig: Figure, renderer, x: float, top: float, width: float, models: list[str],
            deprivation: bool) -> float:
    """One swatch per care model drawn, written out, in the palette's order (a fill for a place-based site, a
    coloured outline for a network), then the region borders; the deprivation fifths beside it when shown.
    Returns the y under them."""
    handles: list = []
    for _heading, lines in key_groups(models):
        for model, line in lines:
            colour = care_model_colour(model)
            if is_network(model):  # its coloured outline over a dark line, as on the map
                handles.append((Patch(facecolor="none", edgecolor=EDGE_COLOUR, linewidth=3.6, label=f"{line}: outline"),
                                Patch(facecolor="none", edgecolor=colour, linewidth=2.2)))
            else:
                handles.append(Patch(facecolor=colour, edgecolor=EDGE_COLOUR, label=line))
    handles.append(Line2D([], [], color=OUTLINE_COLOURS["nhs_region"], linewidth=1.0, linestyle=(0, (5, 3)),
                          label=REGION_LABEL))
    labels = [h[0].get_label() if isinstance(h, tuple) else h.get_label() for h in handles]
    anchor = (x / WIDTH_PX - 0.004, top / HEIGHT_PX)
    for columns in ((2, 1) if len(handles) > 3 else (1,)):  # two columns when they fit: the key gets the room
        legend = fig.legend(handles=handles, labels=labels, title=CARE_MODEL_HEADING, loc="upper left",
                            bbox_to_anchor=anchor, frameon=False, fontsize=9.5, title_fontsize=10, alignment="left",
                            borderaxespad=0, borderpad=0, handlelength=1.6, labelspacing=0.35, ncols=columns,
                            columnspacing=1.2)
        if columns == 1 or legend.get_window_extent(renderer).width <= width:
            break
        legend.remove()
    box = legend.get_window_extent(renderer)
    bottom = box.y0
    if deprivation:
        fifths = [Patch(facecolor=DEPRIVATION_RAMP[fifth - 1], edgecolor=EDGE_COLOUR, alpha=0.7, label=label)
                  for fifth, label in IMD_FIFTHS.items()]
        beside = box.x1 + 24
        at = (beside / WIDTH_PX, top / HEIGHT_PX) if beside + 230 < x + width else (anchor[0], (bottom - 8) / HEIGHT_PX)
        shading = fig.legend(handles=fifths, title="Deprivation (IMD 2015):\nnational fifths of LSOAs",
                             loc="upper left", bbox_to_anchor=at, frameon=False, fontsize=9, title_fontsize=9.5,
                             alignment="left", borderaxespad=0, borderpad=0, labelspacing=0.3)
        bottom = min(bottom, shading.get_window_extent(renderer).y0)
    return bottom


def _notes(fig: Figure, renderer, x: float, width: float, today: dt.date, attribution: Sequence[str]) -> float:
    """What the footprints are, when and with what the picture was made, and the sources' attribution, at the
    foot of the panel; returns the y of their top."""
    lines = [line for text in attribution for line in _wrap(renderer, text, 6.5, width)]
    sources = fig.text(x / WIDTH_PX, PAD_PX / HEIGHT_PX, "\n".join(lines), fontsize=6.5, va="bottom",
                       color="#444444", linespacing=1.3)
    top = sources.get_window_extent(renderer).y1 + 6
    about = ("Numbers are the key's. Footprints are sets of 2011 LSOAs on the 2015 CCG and local authority "
             "geography, outlines simplified (about 250 m); residents mid-2015, rounded to the nearest 100. "
             f"Made {today.isoformat()} with the NHS integration atlas.")
    note = fig.text(x / WIDTH_PX, top / HEIGHT_PX, "\n".join(_wrap(renderer, about, 8, width)), fontsize=8,
                    va="bottom", color="#444444", linespacing=1.3)
    return note.get_window_extent(renderer).y1


def _key(fig: Figure, renderer, x: float, top: float, width: float, bottom: float, sites: list[_Site]) -> None:
    """Number, site and residents of every footprint, in as many columns and as large a type as fit between
    ``top`` and ``bottom`` (pixels); long names are cut with an ellipsis. Each column is three texts of many lines
    (numbers, names, residents), not three per site: a picture's time goes mostly on laying out texts."""
    if not sites:
        return
    heading = fig.text(x / WIDTH_PX, top / HEIGHT_PX, "On the map: number, site and residents (mid-2015)",
                       fontsize=10, fontweight="bold", va="top", color="#111111")
    top = heading.get_window_extent(renderer).y0 - 8
    size, columns, first, line = _key_layout(fig, renderer, len(sites), width, top - bottom)
    rows = math.ceil(len(sites) / columns)
    number_w = _fits(renderer, "00", size, "bold")
    people_w = max(_fits(renderer, people(s.population), size) for s in sites)
    swatch = size * DPI / 72 * 0.8
    column_w = (width - KEY_GAP_PX * (columns - 1)) / columns
    text = {"fontsize": size, "va": "top", "color": "#111111", "linespacing": KEY_LINESPACING}
    for col in range(columns):
        chunk = sites[col * rows:(col + 1) * rows]
        if not chunk:
            break
        left = x + col * (column_w + KEY_GAP_PX)
        name_x = left + swatch + 8 + number_w + 5
        room = column_w - (name_x - left) - people_w - 8
        for row, site in enumerate(chunk):
            y = top - first / 2 - row * line
            colour = care_model_colour(site.model)
            fig.add_artist(Rectangle((left / WIDTH_PX, (y - swatch / 2) / HEIGHT_PX), swatch / WIDTH_PX,
                                     swatch / HEIGHT_PX, transform=fig.transFigure,
                                     facecolor="none" if site.network else colour,
                                     edgecolor=colour if site.network else EDGE_COLOUR,
                                     linewidth=1.6 if site.network else 0.6))
        fig.text((name_x - 5) / WIDTH_PX, top / HEIGHT_PX, "\n".join(str(s.number) for s in chunk), ha="right",
                 ma="right", fontweight="bold", gid=f"key-numbers-{col + 1}", **text)
        fig.text(name_x / WIDTH_PX, top / HEIGHT_PX,
                 "\n".join(_shorten(renderer, s.name, size, room) for s in chunk), gid=f"key-names-{col + 1}", **text)
        fig.text((left + column_w) / WIDTH_PX, top / HEIGHT_PX, "\n".join(people(s.population) for s in chunk),
                 ha="right", ma="right", gid=f"key-residents-{col + 1}", **(text | {"color": "#333333"}))


def _key_layout(fig: Figure, renderer, count: int, width: float,
                height: float) -> tuple[float, int, float, float]:
    """The key's type size, columns, first line's height and line step (pixels): the largest type whose lines
    fit ``height`` in at most :data:`KEY_MAX_COLUMNS` columns, each with room for a number, residents and about
    :data:`KEY_NAME_CHARS` characters of a name; as few columns as that allows."""
    for size in KEY_PT:
        first, line = _line_height(fig, renderer, size)
        rows = max(1, 1 + math.floor((height - first) / line))
        columns = math.ceil(count / rows)
        wanted = _fits(renderer, "00 0,000,000", size) + size * DPI / 72 + 24 + _fits(renderer, "a" * KEY_NAME_CHARS,
                                                                                      size)
        if columns <= KEY_MAX_COLUMNS and (width - KEY_GAP_PX * (columns - 1)) / columns >= wanted:
            return size, columns, first, line
    return KEY_PT[-1], KEY_MAX_COLUMNS, *_line_height(fig, renderer, KEY_PT[-1])


def _line_height(fig: Figure, renderer, size: float) -> tuple[float, float]:
    """The height of one line of text at ``size`` points and the step from line to line in a text of many
    (pixels), as matplotlib lays them out (measured: its step is not the font's line height)."""
    one, two = (fig.text(0, 0, text, fontsize=size, linespacing=KEY_LINESPACING) for text in ("lp", "lp\nlp"))
    first, both = (t.get_window_extent(renderer).height for t in (one, two))
    one.remove()
    two.remove()
    return first, both - first


def _metadata(fmt: str, title: str) -> dict:
    return {"Title": title, "Software": "NHS integration atlas"} if fmt == "png" else {"Title": title}
