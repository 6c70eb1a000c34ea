"""The picture for a board paper (issue 15): a title from the filters, numbered footprints with their key, the view
fitted to the filters, the NHS regions, and only the legend's colours."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from matplotlib.colors import to_hex, to_rgba_array

from geo.geocode.bundled_cache import cached_bundled_sites
from geo.present import filters as flt
from geo.present import folium_map as mapping
from geo.present import picture
from geo.present.palette import COAST_COLOUR, DEPRIVATION_RAMP, LAND_COLOUR, SEA_COLOUR, care_model_colour
from geo.present.wording import people
from geo.sources import ATTRIBUTION

SVG = "{http://www.w3.org/2000/svg}"
ALL = "NHS vanguards and integration pioneers, 2013-2015"


@pytest.mark.parametrize(("filters", "expected"), [
    (flt.Filters(), ALL),
    (flt.Filters(programmes=("Vanguard", "Integration pioneer")), ALL),
    (flt.Filters(care_models=("MCP",)), "Multispecialty community provider (MCP) vanguards, 2015"),
    (flt.filters_from_values(care_models=["Multispecialty community provider (MCP)"]),
     "Multispecialty community provider (MCP) vanguards, 2015"),
    (flt.Filters(programmes=("Vanguard",), care_models=("MCP",)),
     "Multispecialty community provider (MCP) vanguards, 2015"),
    (flt.Filters(care_models=("MCP", "PACS")),
     "Primary and acute care system (PACS) and multispecialty community provider (MCP) vanguards, 2015"),
    (flt.Filters(care_models=("PACS", "MCP", "Enhanced health in care homes")),
     "Primary and acute care system (PACS), multispecialty community provider (MCP) and enhanced health in care "
     "homes (EHCH) vanguards, 2015"),
    (flt.Filters(care_models=tuple(flt.CARE_MODELS)), "NHS vanguards, 2015"),
    (flt.Filters(programmes=("Vanguard",)), "NHS vanguards, 2015"),
    (flt.Filters(programmes=("Integration pioneer",)), "Health and social care integration pioneers, 2013-2015"),
    (flt.Filters(regions=("London",)), "NHS vanguards and integration pioneers in London, 2013-2015"),
    (flt.Filters(programmes=("Vanguard",), regions=("North of England", "London")),
     "NHS vanguards in the North of England and London, 2015"),
    (flt.Filters(care_models=("Urgent and emergency care",), regions=("Midlands and East of England",)),
     "Urgent and emergency care (UEC) vanguards in the Midlands and East of England, 2015"),
    (flt.Filters(announced_by="2015-03"), "NHS vanguards and integration pioneers, as announced by March 2015"),
    (flt.Filters(programmes=("Integration pioneer",), announced_by="2013-11"),
     "Health and social care integration pioneers, as announced by November 2013"),
    (flt.Filters(search="Sunderland"),
     "NHS vanguards and integration pioneers matching \u201cSunderland\u201d, 2013-2015"),
    (flt.Filters(population_min=100_000, population_max=500_000),
     "NHS vanguards and integration pioneers with 100,000 to 500,000 residents, 2013-2015"),
    (flt.Filters(population_min=100_000), "NHS vanguards and integration pioneers with at least 100,000 residents, "
     "2013-2015"),
    (flt.Filters(programmes=("Vanguard",), population_max=500_000),
     "NHS vanguards with at most 500,000 residents, 2015"),
    (flt.Filters(care_models=("MCP",), regions=("North of England",), population_min=200_000, search="Calderdale",
                 announced_by="2015-03"),
     "Multispecialty community provider (MCP) vanguards in the North of England with at least 200,000 residents "
     "matching \u201cCalderdale\u201d, as announced by March 2015"),
])
def test_the_title_says_every_filter_in_words_with_care_models_written_out(filters, expected):
    assert picture.title(filters) == expected


# --- with the built cache ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites(atlas):
    return cached_bundled_sites(atlas, write=False)


@pytest.fixture(scope="module")
def geometries(atlas, sites):
    return mapping.footprint_geometries(atlas, sites[1])


@pytest.fixture(scope="module")
def base(atlas):
    return picture.basemap_of(atlas)


def drawn(frame, filters):
    return flt.apply_filters(frame, filters)


def texts(root: ET.Element, prefix: str) -> dict[str, list[str]]:
    """The lines of text in each SVG group whose id starts with ``prefix``, by id."""
    return {g.get("id"): [t.text or "" for t in g.iter(f"{SVG}text")] for g in root.iter(f"{SVG}g")
            if (g.get("id") or "").startswith(prefix)}


def test_the_mcp_picture_is_titled_in_full_and_numbers_its_14_footprints_on_the_map_and_in_the_key(
        sites, geometries, base):
    frame, _footprints = sites
    filters = flt.filters_from_values(care_models=["MCP"])
    shown = drawn(frame, filters)
    assert len(shown) == 14 and shown["site_id"].isin(list(geometries)).all()
    svg = picture.render(shown, geometries, base, picture.title(filters), filters.describe(written_out=True),
                         ATTRIBUTION, fmt="svg", total=len(frame), regions=filters.regions, whole=False)
    root = ET.fromstring(svg)
    assert " ".join(texts(root, "title")["title"]) == "Multispecialty community provider (MCP) vanguards, 2015"
    on_map = texts(root, "map-number-")
    assert on_map == {f"map-number-{n}": [str(n)] for n in range(1, 15)}  # real text, one per footprint
    key_numbers = [line for _id, lines in sorted(texts(root, "key-numbers-").items()) for line in lines]
    assert key_numbers == [str(n) for n in range(1, 15)]
    names = [line for _id, lines in sorted(texts(root, "key-names-").items()) for line in lines]
    assert sorted(shown["display_name"], key=str.casefold) == [
        next(n for n in shown["display_name"] if n.startswith(line.rstrip("\u2026"))) for line in names]
    residents = [line for _id, lines in sorted(texts(root, "key-residents-").items()) for line in lines]
    by_name = dict(zip(shown["display_name"], shown["population"]))
    assert residents == [people(by_name[n]) for n in sorted(shown["display_name"], key=str.casefold)]
    # the map's numbers sit on the map, each in or beside its own footprint
    fig = picture.figure(shown, geometries, base, picture.title(filters), [], ATTRIBUTION)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    numbers = {t.get_gid(): t.get_position() for t in ax.texts if (t.get_gid() or "").startswith("map-number-")}
    assert len(numbers) == 14 and all(x0 < x < x1 and y0 < y < y1 for x, y in numbers.values())


@pytest.mark.parametrize("region", ["North of England", "Midlands and East of England", "London", "South of England"])
def test_a_region_filter_fits_the_picture_to_that_region_at_a_true_scale(sites, geometries, base, region):
    frame, _footprints = sites
    filters = flt.Filters(regions=(region,))
    fig = picture.figure(drawn(frame, filters), geometries, base, picture.title(filters), [], ATTRIBUTION,
                         regions=filters.regions)
    ax = next(a for a in fig.axes if a.get_gid() == "map")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx0, by0, bx1, by1 = base.regions[region].bounds
    margin = 0.3 * max(bx1 - bx0, by1 - by0)
    assert bx0 - margin <= x0 <= bx0 and bx1 <= x1 <= bx1 + margin  # the whole region, and little more
    assert by0 - margin <= y0 <= by0 and by1 <= y1 <= by1 + margin
    box = ax.get_position()
    metres_per_px = ((x1 - x0) / (box.width * picture.WIDTH_PX), (y1 - y0) / (box.height * picture.HEIGHT_PX))
    assert metres_per_px[0] == pytest.approx(metres_per_px[1], rel=0.01)  # the same scale both ways


def test_a_search_fits_the_picture_to_its_footprints(sites, geometries, base):
    frame, _footprints = sites
    filters = flt.Filters(search="Whitstable")
    shown = drawn(frame, filters)
    assert list(shown["site_id"]) == ["vg15-whitstable"]
    fig = picture.figure(shown, geometries, base, picture.title(filters), [], ATTRIBUTION)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert max(x1 - x0, y1 - y0) < 100_000  # a town and its surroundings, not England (about 600 km)
    sx0, sy0, sx1, sy1 = picture.bng([geometries["vg15-whitstable"]])[0].bounds
    assert x0 < sx0 and sx1 < x1 and y0 < sy0 and sy1 < y1


def test_the_whole_programme_keeps_its_title_attribution_scale_bar_and_date(sites, geometries, base):
    frame, _footprints = sites
    svg = picture.render(frame, geometries, base, picture.title(flt.Filters()), [], ATTRIBUTION, fmt="svg",
                         total=len(frame), today=dt.date(2026, 1, 2), whole=True)
    root = ET.fromstring(svg)
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert " ".join(texts(root, "title")["title"]) == ALL
    assert "Martin Chorley" in text and "Open Government Licence" in text and "Made 2026-01-02" in text
    assert re.search(r"\b\d+ km\b", text)  # the scale bar's label
    on_map = texts(root, "map-number-")
    drawn_count = frame["site_id"].isin(list(geometries)).sum()
    assert drawn_count > 60 and len(on_map) == drawn_count
    fig = picture.figure(frame, geometries, base, ALL, [], ATTRIBUTION, whole=True)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    ex0, ey0, ex1, ey1 = base.bounds()
    assert x0 <= ex0 and ex1 <= x1 and y0 <= ey0 and ey1 <= y1  # all of England
    bar = [p for p in ax.patches if to_hex(p.get_facecolor()) in ("#222222", "#ffffff")]
    assert len(bar) == 2 and bar[0].get_width() + bar[1].get_width() in (10_000, 20_000, 50_000, 100_000, 200_000)


def test_every_colour_in_the_picture_is_in_its_legend(atlas, sites, geometries, base):
    """Fills are legend colours, land, sea, shading or paper; outlines are legend colours or neutral lines."""
    frame, _footprints = sites
    shading = picture.shading_shapes(mapping.deprivation_geojson(atlas))
    fig = picture.figure(frame, geometries, base, ALL, [], ATTRIBUTION, whole=True, deprivation=shading)
    legend_colours = set()
    for legend in fig.legends:
        for handle in legend.legend_handles:
            for get in ("get_facecolor", "get_edgecolor", "get_color"):
                if hasattr(handle, get):
                    legend_colours.update(_colours(getattr(handle, get)()))
    models = set(frame["care_model"])
    assert {care_model_colour(m).lower() for m in models} <= legend_colours  # every care model drawn has its swatch
    paper = {to_hex(c) for c in ("white", LAND_COLOUR, SEA_COLOUR, "#222222", *DEPRIVATION_RAMP)}
    lines = {to_hex(c) for c in ("#333333", COAST_COLOUR, "#000000", "#999999", "#222222")}
    fills, edges = set(), set()
    unframed = {id(legend.legendPatch) for legend in fig.legends if not legend.get_frame_on()}  # not drawn
    for artist in fig.findobj(lambda a: hasattr(a, "get_facecolor") and hasattr(a, "get_edgecolor")
                              and a.get_visible() and id(a) not in unframed):
        for colour in _colours(artist.get_facecolor()):
            fills.add(colour)
        for colour in _colours(artist.get_edgecolor()):
            edges.add(colour)
    assert fills <= legend_colours | paper, fills - legend_colours - paper
    assert edges <= legend_colours | lines | paper, edges - legend_colours - lines - paper
    assert {care_model_colour(m).lower() for m in models} <= fills | edges  # and every legend colour is drawn


def _colours(value) -> list[str]:
    """The visible colours of a colour or an array of them, as hex."""
    return [to_hex(c[:3]) for c in to_rgba_array(value) if c[3] > 0]


def test_pioneers_alone_are_keyed_as_a_programme_not_a_care_model(sites, geometries, base):
    frame, _footprints = sites
    filters = flt.Filters(programmes=("Integration pioneer",))
    svg = picture.render(drawn(frame, filters), geometries, base, picture.title(filters), [], ATTRIBUTION, fmt="svg")
    root = ET.fromstring(svg)
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert " ".join(texts(root, "title")["title"]) == "Health and social care integration pioneers, 2013-2015"
    assert "Programme" in text and "Integration pioneers (no care model)" in text and "Care model" not in text
