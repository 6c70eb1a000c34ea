"""Population arithmetic over footprints: every person counted once, however many sites cover them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from geo.atlas import Atlas

#: The column of :func:`multi_programme_places` that counts people in more than one programme.
PEOPLE_IN_BOTH = "population_in_more_than_one_programme"


def union_population(atlas: Atlas, lsoa_sets: Iterable[Iterable[str]]) -> int:
    """Residents of the union of the footprints (an LSOA in two sites counts once)."""
    union: set[str] = set()
    for lsoas in lsoa_sets:
        union.update(lsoas)
    return atlas.population(union) if union else 0


def england_population(atlas: Atlas) -> int:
    return int(atlas.lsoas["population"].sum())


def coverage_by(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, frozenset[str]],
                column: str) -> pd.DataFrame:
    """Per value of ``column`` (care model, region...): sites, people covered (union) and share of England.

    A site whose footprint spans two NHS regions counts in both when ``column`` is
    ``nhs_regions``, with only its LSOAs in that region counted there. National and specialist
    networks have no area footprint: they are counted in ``no_area_sites`` and add no people.
    """
    england = england_population(atlas)
    rows = []
    if column == "nhs_regions":
        region_of = atlas.lsoas["nhs_region_name"]
        values = sorted({r for v in frame[column] for r in str(v).split(";") if r})
        for value in values:
            ids = [i for i, v in zip(frame["site_id"], frame[column]) if value in str(v).split(";")]
            lsoas = {x for i in ids for x in footprints.get(i, ()) if region_of[x] == value}
            rows.append((value, len(ids), atlas.population(lsoas) if lsoas else 0))
    else:
        for value, group in frame.groupby(column, sort=True):
            rows.append((value, len(group), union_population(atlas, (footprints.get(i, ()) for i in group["site_id"]))))
    out = pd.DataFrame(rows, columns=[column, "sites", "population"])
    if column != "nhs_regions":
        no_area = frame.loc[[not footprints.get(i) for i in frame["site_id"]], column].value_counts()
        out["no_area_sites"] = out[column].map(no_area).fillna(0).astype(int)
    out["share_of_england_pct"] = (out["population"] / england * 100).round(1)
    return out


def overlapping_sites(atlas: Atlas, frame: pd.DataFrame, footprints: Mapping[str, frozenset[str]]) -> pd.DataFrame:
    """Pairs of sites whose footprints share LSOAs, with the people living in the overlap."""
    names = dict(zip(frame["site_id"], frame["display_name"]))
    programmes = dict(zip(frame["site_id"], frame["programme"]))
    ids = [i for i in frame["site_id"] if footprints.get(i)]
    rows = []
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            shared = footprints[a] & footprints[b]
            if shared:
                rows.append({"site_a": names[a], "programme_a": programmes[a], "site_b": names[b],
                             "programme_b": programmes[b], "shared_lsoas": len(shared),
                             "population_in_overlap": atlas.population(shared)})
    columns = ["site_a", "programme_a", "site_b", "programme_b", "shared_lsoas", "population_in_overlap"]
    return pd.DataFrame(rows, columns=columns)


def multi_programme_places(atlas: Atlas, frame: pd.DataFrame,
                           footprints: Mapping[str, frozenset[str]]) -> pd.DataFrame:
    """Districts where footprints of more than one programme overlap: which sites, and who lives there."""
    by_programme: dict[str, set[str]] = {}
    for site_id, programme in zip(frame["site_id"], frame["programme"]):
        by_programme.setdefault(programme, set()).update(footprints.get(site_id, ()))
    counts: dict[str, int] = {}
    for lsoas in by_programme.values():
        for lsoa in lsoas:
            counts[lsoa] = counts.get(lsoa, 0) + 1
    shared = sorted(x for x, c in counts.items() if c > 1)
    columns = ["district", "programmes", "site_names", PEOPLE_IN_BOTH]
    if not shared:
        return pd.DataFrame(columns=columns)
    table = atlas.lsoas.loc[shared]
    rows = []
    for lad, group in table.groupby("lad_name", sort=True):
        lsoas = set(group.index)
        sites = [(p, n) for i, n, p in zip(frame["site_id"], frame["display_name"], frame["programme"])
                 if footprints.get(i, frozenset()) & lsoas]
        rows.append({"district": lad, "programmes": "; ".join(sorted({p for p, _ in sites})),
                     "site_names": "; ".join(n for _, n in sites),
                     PEOPLE_IN_BOTH: int(group["population"].sum())})
    return pd.DataFrame(rows, columns=columns)


def no_area_sites(frame: pd.DataFrame, footprints: Mapping[str, frozenset[str]]) -> list[str]:
    """Display names of the sites with no area footprint (national networks), left out of totals."""
    return [n for i, n in zip(frame["site_id"], frame["display_name"]) if not footprints.get(i)]
