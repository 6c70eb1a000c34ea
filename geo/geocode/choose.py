"""Choosing among a name's readings: one place, the NHS reading of nearly one place, or ambiguous.

A name can stand for several areas at once (a district, the CCGs mostly in it, a county, an
NHS England area team). Readings that cover the same LSOAs are one reading. Of readings that
differ, NHS programmes drew their footprints from whole CCGs, so a whole-CCG reading wins when
every other reading is nearly the same place; otherwise the name is ambiguous, never guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, Match

if TYPE_CHECKING:
    from geo.geocode.ladder import Geocoder

#: Kinds of entry made of whole CCGs: 2015 and 2013 CCGs, the CCGs mostly in (or holding) a council area,
#: and NHS England's 2013 area teams. (Not the 2015 local offices: "Yorkshire and Humber" was also
#: a government region and a strategic health authority, so that name stays ambiguous.)
WHOLE_CCG_KINDS = frozenset({"ccg", "ccg13", "ccgsof", "ccgsin", "at13"})
#: Two readings are "nearly the same place" when they share this share of their LSOAs.
NEARLY_SAME = 0.9
#: Council areas and groupings whose NHS reading can be split by NHS England's own groupings.
COUNCIL_AREA_KINDS = frozenset({"lad", "utla", "county", "ccgsof", "ccgsin"})


def pick(ladder: Geocoder, entries: list[Entry], method: str, score: float, note: str = "") -> Match | None:
    """One reading is a match; a whole-CCG reading with the others nearly the same place is the
    whole-CCG reading, with a note of the difference; else ambiguous with every reading listed."""
    gaz = ladder.gaz
    readings = gaz.readings(entries)
    if not readings:
        return None
    if len(readings) == 1:
        labels = list(dict.fromkeys(gaz.label(e) for e in entries))
        return Match(MATCHED, method, score, readings[0], labels, note)
    labels = [" + ".join(gaz.label(e) for e in group) for group in readings]
    nhs = _whole_ccg_reading(ladder, readings)
    if nhs is not None:
        mine = gaz.lsoas(nhs[0])
        others = frozenset().union(*(gaz.lsoas(g[0]) for g in readings if g is not nhs))
        differ = len(mine ^ others)
        said = (f"read as whole CCGs, as NHS footprints are drawn; the council area or grouping of this name "
                f"differs by {differ:,} LSOA{'s' if differ != 1 else ''}: add 'Council' to the name for it")
        return Match(MATCHED, method, score, nhs, labels, (note + "; " if note else "") + said)
    return Match(AMBIGUOUS, method, score, [], labels, f"{len(readings)} different places have this name")


def _whole_ccg_reading(ladder: Geocoder, readings: list[list[Entry]]) -> list[Entry] | None:
    """The one reading made of whole CCGs, if every other reading shares at least
    ``NEARLY_SAME`` of its LSOAs with it ("Milton Keynes": the CCG, with four LSOAs of
    Aylesbury Vale; "West Yorkshire": the area team, with Craven)."""
    whole = [g for g in readings if all(e.kind in WHOLE_CCG_KINDS for e in g)]
    if len(whole) != 1:
        return None
    mine = ladder.gaz.lsoas(whole[0][0])
    for group in readings:
        other = ladder.gaz.lsoas(group[0])
        if len(mine & other) < NEARLY_SAME * len(mine | other):
            return None
    return whole[0]


def split_by_area_teams(ladder: Geocoder, match: Match) -> Match:
    """A council area whose CCGs NHS England put in different 2013 area teams was not one place in
    NHS usage ("Nottinghamshire": Bassetlaw CCG was in South Yorkshire and Bassetlaw), so an NHS
    list's name for it may leave part out: ambiguous, unless "Council" says which is meant."""
    if not match.matched or not match.entries or not all(e.kind in COUNCIL_AREA_KINDS for e in match.entries):
        return match
    gaz = ladder.gaz
    area = frozenset().union(*(gaz.lsoas(e) for e in match.entries))
    teams = gaz.area_teams_of(gaz.ccgs_covering(area))
    if len(teams) < 2:
        return match
    name = " + ".join(dict.fromkeys(gaz.label(e) for e in match.entries))
    parts = [f"{name}: the part in {team}" for team in sorted(teams)]
    return Match(AMBIGUOUS, match.method, match.score, [], [name] + parts,
                 "NHS England's area teams (2013) split this area's CCGs between "
                 f"{' and '.join(sorted(teams))}, so NHS lists may mean only one part; "
                 "add 'Council' for the council area, or give areas")


def county_as_place(ladder: Geocoder, match: Match) -> Match:
    """A county that surrounds unitary authorities names two places: its council's area, and the
    county as people speak of it, the towns it surrounds included ("Hampshire" with Southampton
    and Portsmouth). Ambiguous where the two differ, unless "Council" says which, or the towns are
    named too."""
    if not match.matched or not match.entries or not all(e.kind in COUNCIL_AREA_KINDS for e in match.entries):
        return match
    gaz = ladder.gaz
    codes = {e.code.partition(":")[2] if e.kind.startswith("ccgs") else e.code for e in match.entries}
    inside = sorted({lad for code in codes for lad in gaz.surrounded_unitaries.get(code, [])})
    area = frozenset().union(*(gaz.lsoas(e) for e in match.entries))
    if all(gaz.lsoas(Entry("lad", lad, "")) <= area for lad in inside):
        return match  # "NHS Devon CCG": its CCGs hold Plymouth and Torbay already
    name = " + ".join(dict.fromkeys(gaz.label(gaz.codes_entry(e.code) if e.kind.startswith("ccgs") else e)
                                    for e in match.entries))
    towns = ", ".join(gaz.label(Entry("lad", lad, "")) for lad in inside)
    return Match(AMBIGUOUS, match.method, match.score, [], [name, f"{name} with {towns}"],
                 f"the county as a place takes in {towns}, which it surrounds; its council's area does not: "
                 "add 'Council' for the council area, or name them too")
