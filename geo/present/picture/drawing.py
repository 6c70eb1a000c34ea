"""The map of a picture: the view fitted to what is shown, land and sea, the footprints as the legend shows them,
the NHS region borders, numbers in the footprints, place names and a true scale bar (British National Grid)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path

from geo.present.palette import (
    COAST_COLOUR,
    LABEL_COLOUR,
    LAND_COLOUR,
    OUTLINE_COLOURS,
    SEA_COLOUR,
    care_model_colour,
)
from geo.present.picture.base import Basemap
from geo.present.picture.canvas import DPI, EDGE_COLOUR, HEIGHT_PX, PAD_PX, WIDTH_PX, Site

#: The map's share of the width: from a tall region's to a wide one's (its height is the canvas's).
MAP_WIDTH = (0.40, 0.64)
#: Margin around what the view is fitted to (a share of its larger side), and the smallest view (metres).
MARGIN, MIN_VIEW_M = 0.04, 40_000.0
#: Place labels: those the live map shows at this zoom when the view is England; one more per halving of the view.
LABEL_ZOOM, MAX_LABEL_ZOOM = 6, 9
#: The view that shows England (the land's bounds), in metres across: label zooms are counted from it.
ENGLAND_WIDTH_M = 580_000.0
#: The numbers' type size (points), and the hatchings of a second and third site on the very same footprint.
NUMBER_PT = 9.5
HATCHES = ("////", "\\\\\\\\", "xx")


def view_of(base: Basemap, shapes: Sequence[shapely.Geometry], regions: Sequence[str],
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


def map_axes(fig: Figure, view: tuple[float, float, float, float]):
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


def draw_map(ax, base: Basemap, sites: list[Site], view: tuple[float, float, float, float],
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
    seen: dict[bytes, list[Site]] = {}
    fills: list[Site] = []
    hatched: dict[str, list[Site]] = {}
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
    _scale_bar(ax, view, metres_per_px)


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


def _draw_numbers(ax, sites: list[Site], view: tuple[float, float, float, float],
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
        rx0, ry0, rx1, ry1 = room.bounds
        near = [disc for disc in placed if _overlap(disc.bounds, (rx0 - radius, ry0 - radius, rx1 + radius,
                                                                  ry1 + radius))]
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
        number = {"ha": "center", "va": "center", "fontsize": NUMBER_PT, "fontweight": "bold", "color": "#111111"}
        # the halo is a second text, stroked only (drawn as a path), so the number itself stays text in an SVG
        ax.text(spot.x, spot.y, str(site.number), zorder=6.95, gid=f"map-halo-{site.number}",
                path_effects=[patheffects.Stroke(linewidth=3.0, foreground="white")], **number)
        ax.text(spot.x, spot.y, str(site.number), zorder=7, gid=f"map-number-{site.number}", **number)
    return placed


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two boxes (x0, y0, x1, y1) meet."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


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


def _scale_bar(ax, view: tuple[float, float, float, float], metres_per_px: float) -> None:
    """A black-and-white bar of a round length up to about 200 pixels (or a third of the view), in the lower
    right, in true metres (BNG); its middle is labelled when there is room."""
    width, height = view[2] - view[0], view[3] - view[1]
    most = min(width / 3, 200 * metres_per_px)
    step = 10 ** math.floor(math.log10(most))
    length = max(m * step for m in (1, 2, 5) if m * step <= most)
    x0, y0, bar = view[2] - length - 0.05 * width, view[1] + 0.03 * height, 0.008 * height
    half = length / 2
    for i, colour in enumerate(("#222222", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, bar, facecolor=colour, edgecolor="#222222", lw=0.8,
                               zorder=8))
    marks = [(x0, "0"), (x0 + half, f"{half / 1000:g}"), (x0 + length, f"{length / 1000:g} km")]
    for x, text in marks if half / metres_per_px >= 55 else marks[::2]:
        ax.text(x, y0 + bar * 1.8, text, ha="center", va="bottom", fontsize=8, color="#222222", zorder=8)


