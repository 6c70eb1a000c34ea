"""Turn messy site names into footprints (sets of LSOAs) on the 2015 geography, honestly.

The ladder, surest first (each rung is a step in :mod:`geo.geocode.steps`): explicit codes or
names in ``areas``; the exact name of a CCG, 2013 CCG, district or upper-tier authority; a
curated alias (``data/aliases.csv``, each with its source); an organisation in the 2015
register; a name in brackets; a compound name split into parts that are each known; the same
for ``lead_organisation``; coordinates or a register postcode; a town from practice
addresses; fuzzy matching last. Every row gets a status (matched / ambiguous / unmatched),
the method, a score and the candidates considered. Nothing is dropped and nothing is guessed:
two different readings make a row ambiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geo.atlas import Atlas
from geo.geocode import councils, nhs_bodies, places, row_steps, steps
from geo.geocode.choose import nearly_a_ccg, shared_ccgs
from geo.geocode.footprint import OUTPUT_COLUMNS, Footprints
from geo.geocode.gazetteer import Gazetteer
from geo.geocode.match import Match, blank, unmatched
from geo.geocode.normalise import normalise
from geo.geocode.reader import Reader

Step = Callable[[Reader, str], "Match | None"]
#: Steps that read a name as it stands, without guessing; compounds are split into these.
KNOWN: tuple[Step, ...] = (councils.official_name, steps.area_name, steps.alias, steps.organisation)
#: Every step that reads a name (the site's, or its lead organisation's), in order.
NAME: tuple[Step, ...] = ((places.other_body, nhs_bodies.sub_icb_location, nhs_bodies.integrated_care_board)
                          + KNOWN + (steps.bracketed, steps.compound, steps.titled))
#: Name lookups kept per geocoder; plenty for a list, bounded for a server.
MEMO_SIZE = 65536


class Geocoder:
    """Resolve site names against a built :class:`~geo.atlas.Atlas`; deterministic."""

    def __init__(self, atlas: Atlas, gazetteer: Gazetteer | None = None):
        self.atlas = atlas
        self.gaz = gazetteer or Gazetteer(atlas)
        self.footprints = Footprints(atlas, self.gaz)
        self.resolve = lru_cache(maxsize=MEMO_SIZE)(self._resolve)
        self.read_known = lru_cache(maxsize=MEMO_SIZE)(self._read_known)

    def forget(self) -> None:
        """Drop the memos of names and footprints read so far (a server calls this after each
        uploaded list, so one user's names are not kept in memory for the next)."""
        self.resolve.cache_clear()
        self.read_known.cache_clear()
        self.footprints.summary.cache_clear()

    @cached_property
    def fuzzy_keys(self) -> list[str]:
        """Names fuzzy matching may land on: areas, aliases and trusts (not the 7,800 practices)."""
        trusts = {k for k, v in self.gaz.orgs.items() if any(e.kind == "trust" for e in v)}
        return sorted(set(self.gaz.areas) | set(self.gaz.aliases) | trusts)

    @cached_property
    def lsoa_index(self) -> tuple[gpd.GeoSeries, shapely.STRtree]:
        """LSOA polygons and a spatial index over them, for coordinates."""
        geoms = self.atlas.lsoa_geometry
        return geoms, shapely.STRtree(geoms.to_numpy())

    def _read_known(self, text: str) -> Match | None:
        return _first(self, KNOWN, text)

    def read_name(self, text: str) -> Match | None:
        """Every step that reads a name without guessing; ``None`` when none does."""
        return shared_ccgs(self, nearly_a_ccg(self, text, _first(self, NAME, text)))

    def _resolve(self, site_name: str, lead: str = "", areas: str = "", postcode: str = "",
                 lat: str = "", lon: str = "") -> Match:
        if areas:
            return row_steps.explicit_areas(self, areas)
        for column, text in (("site_name", site_name), ("lead_organisation", lead)):
            if len(text) > steps.MAX_NAME_CHARS:
                return unmatched(f"{column} has {len(text):,} characters; a name of more than {steps.MAX_NAME_CHARS:,} "
                                 "is not read: shorten it, or list the areas in the areas column")
        found = row_steps.hospital_network(self, site_name, lead) if site_name and lead else None
        if found is None and site_name and lead and row_steps.NETWORK_WORDS.search(normalise(site_name)):
            found = row_steps.partner_ccgs(self, lead)
        named = self.read_name(site_name) if found is None and site_name else None
        if named is not None and named.matched:
            return named
        if found is None and lead:  # the partners may say what the name cannot
            found = row_steps.partner_ccgs(self, lead)
        if found is None and lead:
            found = row_steps.lead_reading(self, site_name, lead, self.read_name(lead))
        if found is not None and found.matched:
            return found
        found = named or found
        if found is None and (postcode or (lat and lon)):
            found = row_steps.location(self, postcode, lat, lon)
        if found is None and site_name:
            found = places.town(self, site_name)
        return found or steps.fuzzy(self, site_name or lead)

    # -- what a match covers ------------------------------------------------------------------
    def footprint(self, match: Match) -> frozenset[str]:
        """The LSOAs a match covers."""
        return self.footprints.lsoas(match)

    def columns(self, match: Match) -> tuple[dict, frozenset[str]]:
        """The output columns of one match and its LSOA set."""
        return self.footprints.columns(match)

    def lad_codes_of(self, lsoas: frozenset[str]) -> set[str]:
        return self.footprints.lad_codes_of(lsoas)

    # -- whole tables -------------------------------------------------------------------------
    def geocode_frame(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[frozenset[str]]]:
        """Every input row in order with the output columns added, and each row's LSOA set."""
        if "site_name" not in frame.columns:
            raise KeyError("the table needs a site_name column")
        inputs = [[("" if blank(v) else str(v).strip()) for v in frame[c].tolist()] if c in frame.columns
                  else [""] * len(frame) for c in ("site_name", "lead_organisation", "areas", "postcode", "lat", "lon")]
        memo: dict[tuple, tuple[dict, frozenset[str]]] = {}
        rows, sets = [], []
        for args in zip(*inputs):
            if args not in memo:
                memo[args] = self.columns(self.resolve(*args))
            row, lsoas = memo[args]
            rows.append(row)
            sets.append(lsoas)
        added = pd.DataFrame(rows, index=frame.index, columns=OUTPUT_COLUMNS)
        added["population"] = added["population"].astype("Int64")
        kept = frame.drop(columns=[c for c in OUTPUT_COLUMNS if c in frame.columns])
        return pd.concat([kept, added], axis=1), sets


def _first(reader: Reader, rungs: tuple[Step, ...], text: str) -> Match | None:
    for step in rungs:
        found = step(reader, text)
        if found is not None:
            return found
    return None


__all__ = ["Geocoder", "Match", "OUTPUT_COLUMNS"]
