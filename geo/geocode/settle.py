"""Settling a geocoded list: a reading chosen for a row that was ambiguous or unmatched makes it matched.

What a row could mean are its candidates (typed codes, label, score) and whatever a search over
every name the geocoder knows finds. A choice writes the reading's codes to the row's ``areas``, so
geocoding the downloaded file again, on the page or with ``python -m geo geocode``, gives the same
footprint; the row says it was chosen (method "chosen", and a note). The page only draws this.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from geo.geocode.batch import BatchResult
from geo.geocode.codes import candidate, candidates
from geo.geocode.footprint import OUTPUT_COLUMNS
from geo.geocode.ladder import Geocoder
from geo.geocode.match import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, Match, blank, parse_candidates
from geo.geocode.normalise import normalise
from geo.geocode.places import town_readings
from geo.geocode.row_steps import explicit_areas

#: The method of a row settled by choosing one of its readings.
CHOSEN = "chosen"
#: Statuses a row can be settled from.
UNSETTLED = (AMBIGUOUS, UNMATCHED)
#: The column a choice is written to.
AREAS = "areas"
#: Search results offered at most.
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Reading:
    """A candidate with what it covers: what it is made of, its LSOAs and residents."""

    candidate: Candidate
    level: str
    lsoas: frozenset[str]
    residents: int
    areas: str


def describe(geocoder: Geocoder, offered: Candidate) -> Reading | None:
    """A candidate's footprint as ``areas`` would give it; ``None`` if its codes no longer read."""
    match = explicit_areas(geocoder, offered.codes)
    if not match.matched:
        return None
    row, lsoas = geocoder.columns(match)
    of_ccgs = all(code.startswith("ccg:") for code in offered.codes.split(";"))
    residents = int(geocoder.atlas.population(lsoas)) if lsoas else 0
    return Reading(offered, row["footprint_level"], lsoas, residents, row["ccg_names" if of_ccgs else "lad_names"])


def unsettled(batch: BatchResult) -> list[int]:
    """Positions (0-based) of the rows still ambiguous or unmatched."""
    return [i for i, status in enumerate(batch.column("status")) if status in UNSETTLED]


def same_name(batch: BatchResult, position: int) -> list[int]:
    """The unsettled rows with the same site name as the row at ``position`` (itself included)."""
    names = batch.frame["site_name"].astype(str).str.strip()
    wanted = names.iloc[position]
    return [i for i in unsettled(batch) if names.iloc[i] == wanted]


def offered(batch: BatchResult, position: int) -> list[Candidate]:
    """The readings the geocoder offered for a row, best first."""
    return parse_candidates(batch.column("candidates").iloc[position])


def search(geocoder: Geocoder, query: str, limit: int = SEARCH_LIMIT) -> list[Candidate]:
    """Readings of every name the geocoder knows (areas, organisations, towns) like ``query``: names
    that contain it first (shortest first), then close spellings; each reading once."""
    key = normalise(query)
    if not key or len(key) > 120:
        return []
    gaz = geocoder.gaz
    names = gaz.all_names
    found = sorted((n for n in names if key in n), key=lambda n: (not n.startswith(key), len(n), n))[:limit]
    if len(found) < limit:
        close = process.extract(key, names, scorer=fuzz.ratio, limit=limit, score_cutoff=70)
        found += [n for n, _score, _i in close if n not in found]
    out: list[Candidate] = []
    for name in found[:limit]:
        score = 100.0 if name == key else 90.0 if name.startswith(key) else 80.0 if key in name else \
            fuzz.ratio(key, name)
        if name in gaz.areas:
            out += candidates(gaz, gaz.readings(gaz.areas[name]), score)
        out += [candidate(gaz, [e], score) for e in gaz.orgs.get(name, [])]
        out += [candidate(gaz, [t], score) for t in town_readings(geocoder, name)]
    unique: dict[str, Candidate] = {}
    for reading in out:
        unique.setdefault(reading.codes, reading)
    return list(unique.values())[:limit]


def choose(geocoder: Geocoder, batch: BatchResult, positions: list[int], chosen: Candidate) -> int:
    """Settle the rows at ``positions`` with the ``chosen`` reading: matched, method "chosen", a note,
    the footprint's columns, and the codes in ``areas``. Returns how many rows were settled.

    Raises ``ValueError`` if the codes do not read (a reading is always offered with codes that do).
    """
    match = explicit_areas(geocoder, chosen.codes)
    if not match.matched:
        raise ValueError(f"{chosen.codes} does not read: {match.note}")
    frame, names = batch.frame, batch.names
    if AREAS not in frame.columns:
        frame.insert(frame.columns.get_loc(names["status"]), AREAS, "")
    for position in positions:
        was = batch.column("status").iloc[position]
        settled = Match(MATCHED, CHOSEN, 100.0, match.entries, [chosen],
                        f"chosen on the page from the readings of this {was} row: {chosen.label}; written to "
                        f"{AREAS} as {chosen.codes}, so the file geocodes the same again")
        row, lsoas = geocoder.columns(settled)
        index = frame.index[position]
        for column in OUTPUT_COLUMNS:
            value = row[column]
            frame.at[index, names[column]] = pd.NA if column == "population" and blank(value) else value
        frame.at[index, AREAS] = chosen.codes
        batch.sets[position] = lsoas
    return len(positions)
