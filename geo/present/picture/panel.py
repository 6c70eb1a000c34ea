"""The panel beside a picture's map: title, what is shown, legend, the numbered key of sites and the notes, laid
out top to bottom in type that fits (measured, so nothing overflows)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from geo.geography import IMD_FIFTHS
from geo.present.palette import (
    DEPRIVATION_RAMP,
    OUTLINE_COLOURS,
    care_model_colour,
    is_network,
)
from geo.present.picture.canvas import DPI, EDGE_COLOUR, HEIGHT_PX, PAD_PX, REGION_LABEL, WIDTH_PX, Site
from geo.present.wording import CARE_MODEL_HEADING, PROGRAMME_HEADING, key_groups, people

#: The key's type sizes (points), largest first (it takes the largest that fits), and its columns.
KEY_PT = (12.0, 11.0, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
KEY_MAX_COLUMNS = 4
KEY_NAME_CHARS = 24
KEY_CUT_SHARE = 0.2
KEY_GAP_PX = 16
KEY_LINESPACING = 1.3
KEY_MAX_LINESPACING = 1.7


def draw_panel(fig: Figure, renderer, panel: tuple[float, float], sites: list[Site], missing: list[str], title: str,
           filters_words: Sequence[str], attribution: Sequence[str], today: dt.date, total: int | None,
           shown: int, shaded_map=None) -> None:
    """Title, what is shown, legend, the numbered key and the notes, top to bottom in the panel (pixels);
    ``shaded_map`` is the map's axes when the deprivation shading is drawn (its key goes in the panel when there is
    room beside the legend, else in the map's upper left corner)."""
    x, right = panel
    width = right - x
    y = HEIGHT_PX - PAD_PX - 6
    y = _text(fig, renderer, x, y, width, title, 18, weight="bold", colour="#111111", lines=4, gap=10, gid="title")
    count = f"{len(sites)} footprints drawn of {shown} sites shown" + (f" ({total} in the atlas)" if total else "")
    if missing:
        count += f"; with no area footprint, not drawn: {'; '.join(missing)}"
    y = _text(fig, renderer, x, y, width, count, 9.5, colour="#333333", lines=3, gap=4)
    words = "; ".join(filters_words) if filters_words else "none (all sites)"
    y = _text(fig, renderer, x, y, width, f"Filters: {words}", 9.5, colour="#333333", lines=3, gap=12)
    y = _legend(fig, renderer, x, y, width, [s.model for s in sites], shaded_map)
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
          colour: str = "#333333", lines: int = 3, gap: float = 6, gid: str | None = None) -> float:
    """``text`` wrapped to ``width`` pixels (at most ``lines`` lines, the last cut) below ``top``; returns the
    y under it, less ``gap``."""
    wrapped = _wrap(renderer, text, size, width, weight)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [_shorten(renderer, " ".join(wrapped[lines - 1:]), size, width, weight)]
    artist = fig.text(x / WIDTH_PX, top / HEIGHT_PX, "\n".join(wrapped), fontsize=size, fontweight=weight,
                      va="top", color=colour, linespacing=1.25, gid=gid)
    return artist.get_window_extent(renderer).y0 - gap


def _legend(fig: Figure, renderer, x: float, top: float, width: float, models: list[str], shaded_map) -> float:
    """One swatch per care model drawn, written out, in the palette's order (a fill for a place-based site, a
    coloured outline for a network), then the region borders; the deprivation fifths beside it when shown.
    Returns the y under them."""
    handles: list = []
    groups = key_groups(models)
    # the vanguards' care models' heading when there are any; pioneers alone are a programme
    heading = CARE_MODEL_HEADING if any(h == CARE_MODEL_HEADING for h, _ in groups) else PROGRAMME_HEADING
    for _heading, lines in groups:
        for model, line in lines:
            colour = care_model_colour(model)
            if is_network(model):  # its coloured outline over a dark line, as on the map
                handles.append(Patch(facecolor="none", edgecolor=colour, linewidth=2.2, label=f"{line}: outline",
                                     path_effects=[patheffects.Stroke(linewidth=3.6, foreground=EDGE_COLOUR),
                                                   patheffects.Normal()]))
            else:
                handles.append(Patch(facecolor=colour, edgecolor=EDGE_COLOUR, label=line))
    handles.append(Line2D([], [], color=OUTLINE_COLOURS["nhs_region"], linewidth=1.0, linestyle=(0, (5, 3)),
                          label=REGION_LABEL))
    anchor = (x / WIDTH_PX - 0.004, top / HEIGHT_PX)
    for columns in ((2, 1) if len(handles) > 3 else (1,)):  # two columns when they fit: the key gets the room
        legend = fig.legend(handles=handles, title=heading, loc="upper left",
                            bbox_to_anchor=anchor, frameon=False, fontsize=9.5, title_fontsize=10, alignment="left",
                            borderaxespad=0, borderpad=0, handlelength=1.6, labelspacing=0.35, ncols=columns,
                            columnspacing=1.2)
        if columns == 1 or legend.get_window_extent(renderer).width <= width:
            break
        legend.remove()
    box = legend.get_window_extent(renderer)
    bottom = box.y0
    if shaded_map is not None:
        fifths = [Patch(facecolor=DEPRIVATION_RAMP[fifth - 1], edgecolor=EDGE_COLOUR, alpha=0.7, label=label)
                  for fifth, label in IMD_FIFTHS.items()]
        style = {"title": "Deprivation (IMD 2015):\nnational fifths of LSOAs", "fontsize": 9, "title_fontsize": 9.5,
                 "alignment": "left", "labelspacing": 0.3}
        beside = box.x1 + 24
        if beside + 250 < x + width:
            shading = fig.legend(handles=fifths, loc="upper left", bbox_to_anchor=(beside / WIDTH_PX, top / HEIGHT_PX),
                                 frameon=False, borderaxespad=0, borderpad=0, **style)
            bottom = min(bottom, shading.get_window_extent(renderer).y0)
        else:
            shaded_map.legend(handles=fifths, loc="upper left", framealpha=0.92, edgecolor="#999999", **style)
    return bottom


def _notes(fig: Figure, renderer, x: float, width: float, today: dt.date, attribution: Sequence[str]) -> float:
    """What the footprints are, when and with what the picture was made, and the sources' attribution, at the
    foot of the panel; returns the y of their top."""
    lines = [line for text in attribution for line in _wrap(renderer, text, 6.5, width)]
    sources = fig.text(x / WIDTH_PX, PAD_PX / HEIGHT_PX, "\n".join(lines), fontsize=6.5, va="bottom",
                       color="#444444", linespacing=1.3)
    top = sources.get_window_extent(renderer).y1 + 6
    about = ("Each number on the map is a site in the key. Footprints are sets of 2011 LSOAs on the 2015 CCG and "
             "local authority geography, outlines simplified (about 250 m); residents mid-2015, rounded to the nearest "
             f"100. Made {today.isoformat()} with the NHS integration atlas.")
    note = fig.text(x / WIDTH_PX, top / HEIGHT_PX, "\n".join(_wrap(renderer, about, 8, width)), fontsize=8,
                    va="bottom", color="#444444", linespacing=1.3)
    return note.get_window_extent(renderer).y1


def _key(fig: Figure, renderer, x: float, top: float, width: float, bottom: float, sites: list[Site]) -> None:
    """Number, site and residents of every footprint, in as many columns and as large a type as fit between
    ``top`` and ``bottom`` (pixels); long names are cut with an ellipsis. Each column is three texts of many lines
    (numbers, names, residents), not three per site: a picture's time goes mostly on laying out texts."""
    if not sites:
        return
    top = _text(fig, renderer, x, top, width, "On the map: number, site and residents (mid-2015)", 10,
                weight="bold", colour="#111111", lines=2, gap=8)
    size, columns, first, line = _key_layout(fig, renderer, sites, width, top - bottom)
    rows = math.ceil(len(sites) / columns)
    spacing = KEY_LINESPACING
    if rows > 1:  # lines spread (up to a limit) over the room left, rather than a gap under the key
        spacing = min(KEY_MAX_LINESPACING, KEY_LINESPACING * (top - bottom - first) / ((rows - 1) * line))
        spacing = max(spacing, KEY_LINESPACING)
        first, line = _line_height(fig, renderer, size, spacing)
    number_w = _fits(renderer, "00", size, "bold")
    people_w = max(_fits(renderer, people(s.population), size) for s in sites)
    swatch = size * DPI / 72 * 0.8
    column_w = (width - KEY_GAP_PX * (columns - 1)) / columns
    text = {"fontsize": size, "va": "top", "color": "#111111", "linespacing": spacing}
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


def _key_layout(fig: Figure, renderer, sites: list[Site], width: float,
                height: float) -> tuple[float, int, float, float]:
    """The key's type size, columns, first line's height and line step (pixels). The largest type whose lines fit
    ``height`` in at most :data:`KEY_MAX_COLUMNS` columns and cut at most one name in :data:`KEY_CUT_SHARE` (in as
    few columns as that allows); failing that, the largest from 7 points down that leaves about
    :data:`KEY_NAME_CHARS` characters of every name."""
    fallback = None
    for size in KEY_PT:
        first, line = _line_height(fig, renderer, size)
        rows = max(1, 1 + math.floor((height - first) / line))
        fixed = _fits(renderer, "00 0,000,000", size, "bold") + size * DPI / 72 * 0.8 + 21
        names = [_fits(renderer, s.name, size) for s in sites]
        for columns in range(math.ceil(len(sites) / rows), KEY_MAX_COLUMNS + 1):
            room = (width - KEY_GAP_PX * (columns - 1)) / columns - fixed
            if sum(name > room for name in names) <= max(1, len(sites) * KEY_CUT_SHARE):
                return size, columns, first, line
            if fallback is None and size <= 7 and room >= _fits(renderer, "a" * KEY_NAME_CHARS, size):
                fallback = size, columns, first, line
    return fallback or (KEY_PT[-1], KEY_MAX_COLUMNS, *_line_height(fig, renderer, KEY_PT[-1]))


def _line_height(fig: Figure, renderer, size: float, spacing: float = KEY_LINESPACING) -> tuple[float, float]:
    """The height of one line of text at ``size`` points and the step from line to line in a text of many
    (pixels), as matplotlib lays them out (measured: its step is not the font's line height)."""
    one, two = (fig.text(0, 0, text, fontsize=size, linespacing=spacing) for text in ("lp", "lp\nlp"))
    first, both = (t.get_window_extent(renderer).height for t in (one, two))
    one.remove()
    two.remove()
    return first, both - first


