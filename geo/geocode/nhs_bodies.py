"""NHS bodies since 2015: integrated care boards and their sub-ICB locations (July 2022).

"NHS Kent and Medway Integrated Care Board" is read as the 2015 CCGs of the place it names, as a
CCG merger's name is. "NHS Cheshire and Merseyside ICB - 01V" is a sub-ICB location named by the
code of the CCG it replaced: a code of 2015 is that CCG; a code created later (a merged CCG's, such
as 15F) is one the 2015 register cannot know, so the row is unmatched with that reason.

Where NHS England moved an area between CCGs or ICBs after 2015 (``data/nhs_changes.csv``: south
Cumbria in 2017; Glossop, West Birmingham and Bassetlaw in 2022), a reading that meets the moved
area is ambiguous, with the 2015 reading and the one with the move both offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from geo.config import PROJECT_ROOT
from geo.geocode.codes import candidate, entries_of
from geo.geocode.gazetteer import Gazetteer
from geo.geocode.match import AMBIGUOUS, MATCHED, Match, unmatched
from geo.geocode.reader import Reader
from geo.geocode.steps import compound

NHS_CHANGES_CSV = PROJECT_ROOT / "data" / "nhs_changes.csv"
#: "Integrated Care Board" or "ICB" in a name.
ICB_TEXT = re.compile(r"(?i)\b(?:integrated care boards?|icbs?)\b")
#: "NHS Cheshire and Merseyside ICB - 01V": the ICB's name, then the code of the CCG it replaced.
SUB_ICB = re.compile(r"(?i)\b(?:icb|integrated care board)\s{0,9}[-\u2013\u2014:]\s{0,9}(?P<code>[a-z0-9]{3,5})\s*$")
ICB_NOTE = ("an integrated care board (2022): read as the 2015 CCGs of the place it names, as ICBs took over "
            "the CCGs of their area")


@dataclass(frozen=True)
class Change:
    """An area NHS England moved after 2015: part of a CCG (``scope`` "ccg"), or a whole CCG between
    ICBs ("icb"), with the districts it lies in and where it went."""

    ccg: str
    districts: frozenset[str]
    to: str
    scope: str
    change: str

    def area(self, gaz: Gazetteer) -> frozenset[str]:
        """The LSOAs that moved: the CCG's part within the districts."""
        return frozenset().union(*(gaz.cell(self.ccg, lad) for lad in self.districts))


@cache
def changes() -> tuple[Change, ...]:
    """The moves NHS England made after 2015 (``data/nhs_changes.csv``, each with its source)."""
    rows = pd.read_csv(NHS_CHANGES_CSV, dtype=str, keep_default_na=False)
    return tuple(Change(r.ccg, frozenset(r.districts.split(";")), r.to, r.scope, r.change)
                 for r in rows.itertuples(index=False))


def sub_icb_location(reader: Reader, text: str) -> Match | None:
    """A sub-ICB location by the code of the CCG it replaced ("NHS Cheshire and Merseyside ICB - 01V")."""
    found = SUB_ICB.search(str(text))
    if not found:
        return None
    gaz, code = reader.gaz, found["code"].upper()
    ccg = gaz.entry("ccg", code)
    if ccg is None:
        return unmatched(f"{code} is not the code of a CCG of 2015: a code created after 2015 (a merged CCG's) "
                         "is one the 2015 register cannot know; give the areas it covers (its 2015 CCGs)")
    moved = [c for c in changes() if c.scope == "ccg" and code in (c.ccg, c.to)]
    method = "sub-ICB location (the code of the CCG it replaced)"
    if not moved:
        return Match(MATCHED, method, 100.0, [ccg], [candidate(gaz, [ccg], 100.0)],
                     "a sub-ICB location of 2022, named by the code of the CCG it replaced: that CCG's 2015 area")
    now = gaz.lsoas(ccg)
    for change in moved:
        now = now - change.area(gaz) if change.ccg == code else now | change.area(gaz)
    return Match(AMBIGUOUS, method, 100.0, [],
                 [candidate(gaz, [ccg], 100.0), candidate(gaz, entries_of(gaz, now), 100.0,
                                                          f"{gaz.label(ccg)} after the change")],
                 "the CCG of this code changed its area after 2015: " + "; ".join(c.change for c in moved))


def integrated_care_board(reader: Reader, text: str) -> Match | None:
    """"NHS Kent and Medway Integrated Care Board": the 2015 CCGs of the place it names."""
    if not ICB_TEXT.search(str(text)):
        return None
    place = re.sub(r"(?i)^nhs\b", "", " ".join(ICB_TEXT.sub(" ", str(text)).split())).strip()
    if not place:
        return None
    match = reader.read_known(place + " CCG")
    if match is None or not match.matched:
        match = compound(reader, place, " CCG")
    if match is None or not match.matched:
        return None
    method = f"integrated care board ({match.method})"
    reading = reader.footprints.lsoas(match)
    met = [c for c in changes() if reader.footprints.lad_codes_of(reading) & c.districts]
    if not met:
        return Match(MATCHED, method, match.score, match.entries, match.candidates, ICB_NOTE)
    moved = reading
    for change in met:
        area = change.area(reader.gaz)
        moved = moved - area if area <= reading else moved | area
    alternative = candidate(reader.gaz, entries_of(reader.gaz, moved), match.score,
                            f"{match.candidates[0].label}, with the change of 2017-2022")
    return Match(AMBIGUOUS, method, match.score, [], match.candidates + [alternative],
                 f"{ICB_NOTE}; but NHS England moved an area it meets after 2015: "
                 + "; ".join(c.change for c in met) + ": choose the reading with the move or without")
