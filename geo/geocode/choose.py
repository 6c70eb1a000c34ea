"""Choosing among a name's readings: one place, an NHS England grouping of nearly one place, or
ambiguous.

A name can stand for several areas at once (a district, the CCGs mostly in it, a county, an
NHS England area team). Readings that cover the same LSOAs are one reading. Readings that differ
make the name ambiguous, even by a few LSOAs ("Milton Keynes": the CCG, or the council's area?),
with one exception: a name that is an NHS England area team's is that area team.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz, process

from geo.geocode.codes import candidate, candidates, entries_of
from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, Match
from geo.geocode.normalise import normalise, strip_generic
from geo.geocode.reader import Reader
from geo.geocode.wording import same_words

#: Groupings that NHS England drew from whole CCGs: a name that is one of these and also a
#: council grouping of nearly the same place ("West Yorkshire") is read as the NHS one. (Not the
#: 2015 local offices: "Yorkshire and Humber" was also a government region, so it stays ambiguous.)
NHS_GROUPINGS = frozenset({"at13"})
#: Readings made of CCGs: CCGs (2015, 2013) and the CCGs mostly in, or holding, a council area.
CCG_KINDS = frozenset({"ccg", "ccg13", "ccgsof", "ccgsin"})
#: Two readings are "nearly the same place" when they share this share of their LSOAs.
NEARLY_SAME = 0.9
#: A CCG with at least this share of its residents outside a place is shared with its neighbour.
SHARED = 1 / 3
#: A CCG of 2015 whose name is this close (rapidfuzz ratio) to a name is "nearly that name".
NEAR_NAME = 90.0
#: Council areas and groupings whose NHS reading can be split by NHS England's own groupings.
COUNCIL_AREA_KINDS = frozenset({"lad", "utla", "county", "ccgsof", "ccgsin"})


def pick(reader: Reader, entries: list[Entry], method: str, score: float, note: str = "") -> Match | None:
    """One reading is a match; an NHS England area team with the other readings nearly the same
    place is the area team; else ambiguous, with every reading listed."""
    gaz = reader.gaz
    readings = gaz.readings(entries)
    if not readings:
        return None
    if len(readings) == 1:
        return Match(MATCHED, method, score, readings[0], [candidate(gaz, readings[0], score)], note)
    labels = candidates(gaz, readings, score)
    grouping = _nhs_grouping(reader, readings)
    if grouping is not None:
        return Match(MATCHED, method, score, grouping, [candidate(gaz, grouping, score)] + labels,
                     (note + "; " if note else "") + "an NHS England grouping of whole CCGs; the council grouping of "
                     "the same name covers a slightly different area")
    kinds = [{e.kind for e in group} for group in readings]
    if len(readings) == 2 and any(k <= CCG_KINDS for k in kinds) and _nearly_same(reader, *readings):
        return Match(AMBIGUOUS, method, score, [], labels,
                     "a council's area and its CCGs cover slightly different areas: add 'CCG' or 'Council' "
                     "to the name, or give areas")
    return Match(AMBIGUOUS, method, score, [], labels, f"{len(readings)} different places have this name")


def _nearly_same(reader: Reader, a: list[Entry], b: list[Entry]) -> bool:
    mine, other = reader.gaz.lsoas(a[0]), reader.gaz.lsoas(b[0])
    return len(mine & other) >= NEARLY_SAME * len(mine | other)


def _nhs_grouping(reader: Reader, readings: list[list[Entry]]) -> list[Entry] | None:
    """The one reading that is an NHS England area team, if every other reading is nearly the
    same place ("West Yorkshire" with Craven; "Greater Manchester" with Glossop)."""
    nhs = [g for g in readings if any(e.kind in NHS_GROUPINGS for e in g)]
    if len(nhs) != 1 or not all(_nearly_same(reader, nhs[0], g) for g in readings):
        return None
    return nhs[0]


def _council_area(reader: Reader, match: Match) -> frozenset[str] | None:
    """The LSOAs of a match that is a council area or its CCG reading; ``None`` for any other match."""
    if not match.matched or not match.entries or not all(e.kind in COUNCIL_AREA_KINDS for e in match.entries):
        return None
    return frozenset().union(*(reader.gaz.lsoas(e) for e in match.entries))


def split_by_area_teams(reader: Reader, match: Match) -> Match:
    """A council area whose CCGs NHS England put in different 2013 area teams was not one place in
    NHS usage ("Nottinghamshire": Bassetlaw CCG was in South Yorkshire and Bassetlaw), so an NHS
    list's name for it may leave part out: ambiguous, unless "Council" says which is meant."""
    area = _council_area(reader, match)
    if area is None:
        return match
    gaz = reader.gaz
    teams = gaz.area_teams_of(gaz.ccgs_covering(area))
    if len(teams) < 2:
        return match
    name = " + ".join(dict.fromkeys(gaz.label(e) for e in match.entries))
    ccgs = gaz.whole_areas("ccg", gaz.ccgs_covering(area)) or []
    parts = [candidate(gaz, [Entry("ccg", c, "") for c in ccgs if gaz.area_team_of(c) == team], match.score,
                       f"{name}: its CCGs in {team}") for team in sorted(teams)]
    return Match(AMBIGUOUS, match.method, match.score, [], [candidate(gaz, match.entries, match.score)] + parts,
                 "NHS England's area teams (2013) split this area's CCGs between "
                 f"{' and '.join(sorted(teams))}, so NHS lists may mean only one part; "
                 "add 'Council' for the council area, or give areas")


def county_as_place(reader: Reader, match: Match) -> Match:
    """A county that surrounds unitary authorities names two places: its council's area, and the
    county as people speak of it, the towns it surrounds included ("Hampshire" with Southampton
    and Portsmouth). Ambiguous where the two differ, unless "Council" says which, or the towns are
    named too."""
    area = _council_area(reader, match)
    if area is None:
        return match
    gaz = reader.gaz
    codes = {e.code.partition(":")[2] if e.kind.startswith("ccgs") else e.code for e in match.entries}
    inside = sorted({lad for code in codes for lad in gaz.surrounded_unitaries.get(code, [])})
    if all(gaz.lsoas(Entry("lad", lad, "")) <= area for lad in inside):
        return match  # "NHS Devon CCG": its CCGs hold Plymouth and Torbay already
    name = " + ".join(dict.fromkeys(gaz.label(gaz.codes_entry(e.code) if e.kind.startswith("ccgs") else e)
                                    for e in match.entries))
    towns = ", ".join(gaz.label(Entry("lad", lad, "")) for lad in inside)
    with_towns = match.entries + [Entry("lad", lad, "") for lad in inside]
    return Match(AMBIGUOUS, match.method, match.score, [],
                 [candidate(gaz, match.entries, match.score, name),
                  candidate(gaz, with_towns, match.score, f"{name} with {towns}")],
                 f"the county as a place takes in {towns}, which it surrounds; its council's area does not: "
                 "add 'Council' for the council area, or name them too")


def ccgs_of_a_place(reader: Reader, match: Match | None) -> Match | None:
    """A name that says CCG but is no CCG of 2015 reads as the CCGs of the place it names, as CCGs
    merged after 2015 are named ("NHS Leeds CCG"), and says so: never silently."""
    if match is None or not match.matched or not all(e.kind == "ccgsin" for e in match.entries):
        return match
    match.note = "; ".join(filter(None, [match.note, f"no CCG of 2015 has this name: read as the CCGs with most of "
                                         f"their residents in {_place(match)}, as merged CCGs are named"]))
    return match


def _place(match: Match) -> str:
    """The place a reading of CCGs is of, as its first entry names it."""
    return match.entries[0].label.removeprefix("CCGs of ")


def nearly_a_ccg(reader: Reader, text: str, match: Match | None) -> Match | None:
    """A whole name read as a place's CCGs that is nearly the name of one CCG of 2015 ("Bradford District
    CCG": NHS Bradford Districts CCG, one of Bradford's three) is ambiguous between the two."""
    if match is None or not match.matched or not all(e.kind == "ccgsin" for e in match.entries):
        return match
    gaz, key = reader.gaz, strip_generic(normalise(text))
    near = process.extractOne(key, gaz.ccg_names, scorer=fuzz.ratio, score_cutoff=NEAR_NAME)
    if not near or not same_words(key, near[0]):
        return match
    ccg = gaz.readings([e for e in gaz.areas[near[0]] if e.kind in ("ccg", "ccg13")])[0]
    count = len(gaz.whole_areas("ccg", reader.footprints.lsoas(match)) or [])
    return Match(AMBIGUOUS, match.method, match.score, [],
                 [candidate(gaz, ccg, match.score)] + [replace(c, score=near[1]) for c in match.candidates],
                 f"no CCG of 2015 has this name: it is nearly the name of {gaz.label(ccg[0])}, one CCG, and it "
                 f"names {_place(match)}, whose CCGs are {count}: choose one, or give areas")


def shared_ccgs(reader: Reader, match: Match | None) -> Match | None:
    """A whole name read as places' CCGs, one of which has a third or more of its residents outside
    the places named (and the towns they surround), is ambiguous: NHS lists put such a CCG with
    either neighbour ("Suffolk": Great Yarmouth and Waveney CCG, 46% in Norfolk)."""
    if match is None or not match.matched or not any(e.kind == "ccgsin" for e in match.entries):
        return match
    gaz = reader.gaz
    named: set[str] = set()
    for entry in match.entries:
        place = gaz.codes_entry(entry.code) if entry.kind == "ccgsin" else entry
        named |= gaz.lsoas(place)
        for town in gaz.surrounded_unitaries.get(place.code, []):
            named |= gaz.lsoas(Entry("lad", town, ""))
    reading = reader.footprints.lsoas(match)
    shared = [c for c in gaz.whole_areas("ccg", reading) or [] if gaz.ccg_share(c, frozenset(named)) <= 1 - SHARED]
    if not shared:
        return match
    rest = reading - frozenset().union(*(gaz.lsoas(Entry("ccg", c, "")) for c in shared))
    labels = ", ".join(gaz.label(Entry("ccg", c, "")) for c in shared)
    without = [candidate(gaz, entries_of(gaz, rest), match.score, f"{match.candidates[0].label} without {labels}")
               for _ in [rest] if rest]
    return Match(AMBIGUOUS, match.method, match.score, [], match.candidates + without,
                 f"{labels} has a third or more of its residents outside the places named, and NHS lists put it "
                 "with either neighbour: choose the reading with it or without")
