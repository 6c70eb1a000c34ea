"""What covers this place: a place read as the geocoder reads it, and every programme site that meets it.

Readers come with places ("which vanguards covered Halifax?"), the atlas is organised by sites. A place
is read exactly as the Geocode page and ``python -m geo geocode`` read a name (a town, district, county,
CCG, council, trust or GP practice), or as typed codes such as ``ccg:02R``, which ``areas`` accepts.
A site *covers* a place when their LSOA sets meet; the residents of the LSOAs in both say how much.

The sites and their footprints are held once (:class:`SiteCover`), so a lookup is the reading (the
geocoder's, memoised) and a pass of set intersections: milliseconds, whatever the place. A clicked point
is answered from the footprints as drawn (:class:`SiteShapes`), so it agrees with what the reader clicked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo.atlas import Atlas
from geo.geocode.codes import CODE_FAMILY, candidate, read_codes
from geo.geocode.ladder import Geocoder
from geo.geocode.match import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Match
from geo.geocode.row_steps import explicit_areas
from geo.geocode.settle import Reading, describe
from geo.geocode.steps import MAX_NAME_CHARS
from geo.present.wording import care_model_name, people

#: The columns of an answer, in order (machine names; :mod:`geo.present.columns` names them for readers).
COVER_COLUMNS = ["site_id", "display_name", "programme", "care_model", "people_in_both", "share_of_place_pct"]
#: The columns of a clicked point's answer: the sites there, each with its whole footprint's residents.
POINT_COLUMNS = ["site_id", "display_name", "programme", "care_model", "population"]
#: Places of each kind the geocoder reads differently (a town, a county, a trust, a practice, a name it does
#: not know): reading them once builds its lazy indexes (towns, neighbouring councils, spellings) up front.
WARM_PLACES = ("Halifax", "Kent", "Leeds Teaching Hospitals", "Whitstable Medical Practice", "Qqxzv Wwyk")
#: Places longer than this are not read (a place is a name or a few codes, not a document).
MAX_PLACE_CHARS = 500


@dataclass(frozen=True)
class PlaceReading:
    """What a place was read as: matched (its codes, label and LSOAs), ambiguous (the readings it could
    be, each with its codes) or unmatched (why)."""

    query: str
    status: str
    method: str = ""
    label: str = ""
    codes: str = ""
    level: str = ""
    lsoas: frozenset[str] = frozenset()
    residents: int = 0
    note: str = ""
    readings: tuple[Reading, ...] = field(default=())

    @property
    def matched(self) -> bool:
        return self.status == MATCHED and bool(self.lsoas)

    def words(self) -> str:
        """The reading in one sentence, for a page or a terminal (plain text: escape before markdown)."""
        if self.matched:
            return (f"\u201c{self.query}\u201d read as {self.label} [{self.codes}]: {self.level}, "
                    f"{people(self.residents)} residents (mid-2015). {_sentence(self.note)}").strip()
        if self.status == AMBIGUOUS and self.readings:
            return (f"\u201c{self.query}\u201d has {len(self.readings)} readings: choose one "
                    f"(or give its codes). {_sentence(self.note)}").strip()
        return f"\u201c{self.query}\u201d is not a place the atlas can read: {self.note or 'no reading'}."


def _sentence(note: str) -> str:
    note = note.strip()
    return f"{note[:1].upper()}{note[1:]}." if note and not note.endswith(".") else note


def looks_like_codes(geocoder: Geocoder, text: str) -> bool:
    """Typed codes (``ccg:02R;lad:E08000033``) or bare codes the gazetteer knows, and nothing else."""
    items = [item.strip() for item in text.split(";") if item.strip()]
    if not items:
        return False
    if any(item.partition(":")[0].strip().lower() in CODE_FAMILY and ":" in item for item in items):
        return True
    found = read_codes(geocoder.gaz, text)
    return bool(found.entries) and not found.unknown and not found.wrong


def read_place(geocoder: Geocoder, text: str) -> PlaceReading:
    """A place read as the geocoder reads a site's name (or its ``areas``, for typed codes)."""
    query = " ".join(str(text).split())
    if not query:
        return PlaceReading(query, UNMATCHED, note="nothing was typed: give a town, district, county, CCG, "
                                                   "council, trust or GP practice, or codes such as ccg:02R")
    if len(query) > MAX_PLACE_CHARS:
        return PlaceReading(query[:60] + "\u2026", UNMATCHED, note=f"a place of more than {MAX_PLACE_CHARS} "
                            "characters is not read: give its name or its codes")
    match = explicit_areas(geocoder, query) if looks_like_codes(geocoder, query) else \
        geocoder.resolve(query[:MAX_NAME_CHARS])
    return reading_of(geocoder, query, match)


def reading_of(geocoder: Geocoder, query: str, match: Match) -> PlaceReading:
    """A geocoder's match as a place reading: a matched one with its footprint; an ambiguous one with every
    reading described (codes, what it is made of, residents)."""
    if match.matched:
        row, lsoas = geocoder.columns(match)
        if not lsoas:
            return PlaceReading(query, UNMATCHED, match.method, note=_sentence(match.note) +
                                " It has no area footprint, so no site can cover it")
        chosen = match.candidates[0] if match.candidates else candidate(geocoder.gaz, match.entries, match.score)
        own = candidate(geocoder.gaz, match.entries, match.score)
        return PlaceReading(query, MATCHED, match.method, chosen.label, own.codes, row["footprint_level"], lsoas,
                            int(geocoder.atlas.population(lsoas)), match.note)
    readings = readings_of(geocoder, match.candidates)
    if match.status == AMBIGUOUS and readings:
        return PlaceReading(query, AMBIGUOUS, match.method, note=match.note, readings=tuple(readings))
    why = match.note or "no rule of the geocoder reads it"
    if readings:
        why += "; close names: " + "; ".join(f"{r.candidate.label} [{r.candidate.codes}]" for r in readings[:3])
    return PlaceReading(query, UNMATCHED, match.method, note=why, readings=tuple(readings))


def readings_of(geocoder: Geocoder, offered: list[Candidate]) -> list[Reading]:
    """Each distinct candidate with its footprint, in the geocoder's order (best first)."""
    unique: dict[str, Candidate] = {}
    for reading in offered:
        unique.setdefault(reading.codes, reading)
    return [r for r in (describe(geocoder, c) for c in unique.values()) if r is not None]


class SiteCover:
    """The sites and their footprints (LSOA sets) held once, in the site lists' order, so that a lookup
    is a pass of set intersections (about a millisecond for a county, a few for a region)."""

    def __init__(self, atlas: Atlas, sites: pd.DataFrame, footprints: Mapping[str, frozenset[str]]):
        self.atlas = atlas
        self.sites = sites[["site_id", "display_name", "programme", "care_model"]].reset_index(drop=True)
        self.sites["care_model"] = self.sites["care_model"].map(care_model_name)
        self.footprints = [frozenset(footprints.get(s, ())) for s in self.sites["site_id"]]

    def covering(self, lsoas: frozenset[str]) -> pd.DataFrame:
        """Every site whose footprint meets ``lsoas``: residents in both and their share of the place's
        residents (one decimal), largest share first (then most residents, then name)."""
        place = self.atlas.population(lsoas)
        hits = {i: self.atlas.population(f & lsoas) for i, f in enumerate(self.footprints) if not f.isdisjoint(lsoas)}
        out = self.sites.iloc[list(hits)].copy()
        both = np.array(list(hits.values()), dtype=np.int64)
        out["people_in_both"] = pd.array(both, dtype="Int64")
        out["share_of_place_pct"] = np.round(both / place * 100, 1) if place else np.nan
        out = out.sort_values(["share_of_place_pct", "people_in_both", "display_name"],
                              ascending=[False, False, True], kind="stable")
        return out[COVER_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class PlaceAnswer:
    """A place's reading and, when it was read, every site that covers it."""

    reading: PlaceReading
    sites: pd.DataFrame


def covers(geocoder: Geocoder, cover: SiteCover, text: str) -> PlaceAnswer:
    """What covers this place: the one function behind the Map page's lookup and ``python -m geo covers``."""
    reading = read_place(geocoder, text)
    found = cover.covering(reading.lsoas) if reading.matched else pd.DataFrame(columns=COVER_COLUMNS)
    return PlaceAnswer(reading, found)


def warm(geocoder: Geocoder, cover: SiteCover) -> None:
    """Read :data:`WARM_PLACES` once, so a server's first reader does not wait for the geocoder's lazy
    indexes (a second or two) and every lookup takes milliseconds."""
    for place in WARM_PLACES:
        covers(geocoder, cover, place)


class SiteShapes:
    """The footprints as drawn on the map (WGS84 GeoJSON), indexed once, to say which contain a point."""

    def __init__(self, geometries: Mapping[str, dict]):
        self.keys = list(geometries)
        self.shapes = np.array([shape(geometries[k]) for k in self.keys], dtype=object)
        shapely.prepare(self.shapes)
        self.tree = shapely.STRtree(self.shapes)

    def at(self, lat: float, lon: float) -> list[str]:
        """The keys (site ids) of every footprint holding the point, in the order they were given."""
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return [self.keys[i] for i in sorted(hits)]


def sites_at_point(shapes: SiteShapes, sites: pd.DataFrame, lat: float, lon: float) -> pd.DataFrame:
    """Every site whose drawn footprint holds the point, smallest footprint (fewest residents) first: the
    one most particular to the point, as the map draws it on top."""
    ids = shapes.at(lat, lon)
    out = sites[sites["site_id"].isin(ids)].copy()
    out["care_model"] = out["care_model"].map(care_model_name)
    out = out.sort_values(["population", "display_name"], kind="stable")
    return out[POINT_COLUMNS].reset_index(drop=True)


def covers_lines(answer: PlaceAnswer) -> list[str]:
    """The answer for a terminal: the reading, then per site its id, name, care model, residents in both
    (nearest 100) and share; or, for an ambiguous place, each reading with the codes that choose it."""
    reading = answer.reading
    lines = [reading.words()]
    if not reading.matched:
        for option in reading.readings:
            lines.append(f"  {option.candidate.label} [{option.candidate.codes}]: {option.level}, "
                         f"{people(option.residents)} residents")
        if reading.readings:
            lines.append(f"Pass the codes of the one you mean, e.g. python -m geo covers "
                         f"\"{reading.readings[0].candidate.codes}\"")
        return lines
    frame = answer.sites
    if frame.empty:
        lines.append("No programme site covers it.")
        return lines
    lines.append(f"{len(frame)} site{'s' if len(frame) != 1 else ''} cover{'s' if len(frame) == 1 else ''} it "
                 "(residents in both: mid-2015, nearest 100; share: of the place's residents):")
    rows = [(str(r.site_id), str(r.display_name), r.care_model or f"({r.programme}: no care model)",
             people(r.people_in_both), f"{r.share_of_place_pct:.1f}%") for r in frame.itertuples()]
    header = ("site_id", "site", "care model", "residents in both", "share")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.rjust(w) if i >= 3 else cell.ljust(w)
                                      for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    return lines
