"""Which districts lie together: neighbours, groups of neighbouring districts, and the unitary
authorities a county surrounds. Read from the display layer of districts, once per gazetteer."""

from __future__ import annotations

from collections import defaultdict

import shapely

from geo.atlas import Atlas


def lad_neighbours(atlas: Atlas) -> dict[str, set[str]]:
    """District code -> the districts within about 2 km (itself included)."""
    layer = atlas.layer("lad", display=True)
    geoms = layer.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    # within ~2 km, not touching: boundaries are clipped to the coast, so districts facing each
    # other across an estuary (South Ribble and West Lancashire) do not touch
    left, right = tree.query(geoms, predicate="dwithin", distance=0.03)
    codes = layer["code"].to_numpy()
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in zip(codes[left], codes[right]):
        out[a].add(b)
    return out


def components(neighbours: dict[str, set[str]], lads: list[str]) -> list[tuple[str, ...]]:
    """``lads`` in groups of neighbouring districts."""
    todo, groups = set(lads), []
    while todo:
        stack, group = [todo.pop()], set()
        while stack:
            lad = stack.pop()
            group.add(lad)
            near = neighbours.get(lad, set()) & todo
            todo -= near
            stack.extend(near)
        groups.append(tuple(sorted(group)))
    return sorted(groups)


def surrounded_unitaries(atlas: Atlas) -> dict[str, list[str]]:
    """County code -> the unitary authorities it surrounds: touching no other area and lying
    within the county's hull (Nottingham in Nottinghamshire; not Cornwall, beside Devon). The
    county as a place takes them in; its council does not."""
    layer = atlas.layer("lad", display=True).set_index("code")
    county_of = dict(atlas.lsoas[["lad_code", "county_code"]].drop_duplicates().itertuples(index=False))
    tree = shapely.STRtree(layer.geometry.to_numpy())
    out: dict[str, list[str]] = defaultdict(list)
    for lad, shape in layer.geometry.items():
        if not lad.startswith("E06"):
            continue
        near = {layer.index[i] for i in tree.query(shape, predicate="dwithin", distance=0.001)} - {lad}
        counties = {county_of.get(n, "") for n in near}
        if len(counties) != 1 or not next(iter(counties)).startswith("E10"):
            continue
        county = counties.pop()
        hull = layer.geometry[[c for c, k in county_of.items() if k == county and c in layer.index]]
        if hull.union_all().convex_hull.contains(shape.centroid):
            out[county].append(lad)
    return dict(out)
