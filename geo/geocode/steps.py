"""The rungs of the geocoding ladder: each reads one kind of name, or passes.

A step takes the ladder (for the gazetteer, and to read the parts of a name with the other
steps) and the text, and returns a :class:`~geo.geocode.match.Match` or ``None`` when the name
is not of its kind. A new kind of name is a new step; :mod:`geo.geocode.ladder` sets the order.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from geo.geocode.choose import county_as_place, pick, split_by_area_teams
from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, UNMATCHED, Match, unmatched
from geo.geocode.normalise import brackets, fold, generic_free, normalise, split_parts, strip_generic, title_and_place

if TYPE_CHECKING:
    from geo.geocode.ladder import Geocoder

#: Fuzzy scores: rapidfuzz ``ratio`` (normalised Levenshtein, 0-100) between normalised keys.
#: ``ratio`` rather than ``WRatio``: partial scorers rate any name containing "health" or
#: "partnership" highly against long trust names. See tests/test_geocoder.py and the note on
#: issue 3 for the measurements behind these thresholds: one or two typing slips in a name
#: score 85-95 ("wakefeild" 89, "calderdal" 95), while different real places sharing words
#: score below 85 ("leeds north" v "leeds west" 76). A single reading at 85+ with a lead of 10
#: over the next is a match; 75+ is ambiguous with candidates; below that, unmatched.
FUZZY_MATCH, FUZZY_LEAD, FUZZY_CANDIDATE = 85.0, 10.0, 75.0
#: Fuzzy matching compares whole keys; a key longer than any known name cannot be a slip of one.
FUZZY_MAX_CHARS = 120
#: A compound name is read as at most this many parts, and a known name spans at most
#: ``PART_WINDOW`` of them ("Barking and Dagenham, Havering and Redbridge" is four parts, two
#: names), so reading a compound is linear in its length, whatever is pasted into a cell.
MAX_PARTS, PART_WINDOW = 40, 8
#: A name (or list of partners) longer than this is not read: ten times the longest in the site lists,
#: and longer than any compound of ``MAX_PARTS`` known names. Reading stays linear in a cell's length
#: below it too (tests/test_hostile.py); this keeps one pasted page from costing more than a name.
MAX_NAME_CHARS = 4_000
CCG_WORDS = (" ccg ", " ccgs ", " clinical commissioning ")
CCG_TEXT = re.compile(r"(?i)\b(clinical commissioning groups?|ccgs?)\b")
COUNCIL_WORDS = (" council ", " borough ", " district ", " county ")
QUALIFIERS = CCG_WORDS + COUNCIL_WORDS + (" nhs ", " trust ", " ft ")


def name_keys(text: str) -> list[str]:
    """A name's matching keys: normalised, and without programme words."""
    key = normalise(text)
    return list(dict.fromkeys([key, strip_generic(key)]))


def area_name(ladder: Geocoder, text: str) -> Match | None:
    """The exact name of a 2015 CCG, 2013 CCG, district or upper-tier authority.

    "CCG" or "Council" in the name says which of two same-named areas is meant; a bare name that
    is also a town far away ("Sutton", "Richmond") is ambiguous.
    """
    gaz = ladder.gaz
    for k in name_keys(text):
        if k not in gaz.areas:
            continue
        folded = f" {fold(text)} "
        entries = gaz.areas[k]
        for words, kinds in ((CCG_WORDS, ("ccg", "ccg13")), (COUNCIL_WORDS, ("lad", "utla"))):
            if any(w in folded for w in words) and any(e.kind in kinds for e in entries):
                entries = [e for e in entries if e.kind in kinds]  # "Erewash CCG" is the CCG
        health_authority = folded.startswith(" nhs ") and not any(w in folded for w in CCG_WORDS)
        if health_authority and any(e.kind == "gor" for e in entries):
            return _strategic_health_authority(ladder, [e for e in entries if e.kind == "gor"])
        entries = _ccg_readings(ladder, entries, folded)
        match = pick(ladder, entries, "exact name", 100.0)
        if match and match.matched and not any(q in folded for q in QUALIFIERS):
            match = _check_towns(ladder, k, match)
        if match and match.matched and health_authority and all(e.kind in GROUPING_KINDS for e in match.entries):
            match = Match(AMBIGUOUS, "exact name", 100.0, [], match.candidates,
                          "'NHS' and a region's name was how the strategic health authorities (2006-2013) were "
                          "named; this one is no government region, and the later groupings of its name differ; "
                          "give areas")
        if match and not any(w in folded for w in COUNCIL_WORDS):
            match = county_as_place(ladder, split_by_area_teams(ladder, match))
        if match:
            if match.entries and all(e.kind == "ccg13" for e in match.entries):
                match.note = "a 2013 CCG name, resolved onto its 2015 LSOAs"
            return match
    return None


def _strategic_health_authority(ladder: Geocoder, entries: list[Entry]) -> Match:
    """"NHS North West": the style of the strategic health authorities of 1 July 2006 to 2013; eight
    of the ten had exactly a government region's area (the South East's area was split in two)."""
    labels = [ladder.gaz.label(e) for e in entries]
    return Match(MATCHED, "exact name (strategic health authority)", 100.0, entries, labels,
                 "'NHS' and a government region's name: a strategic health authority (2006-2013), whose area "
                 "was the region's")


COUNCIL_KINDS = ("lad", "utla", "county", "gor")
GROUPING_KINDS = ("county", "gor", "at13", "office")


def _ccg_readings(ladder: Geocoder, entries: list[Entry], folded: str) -> list[Entry]:
    """A council area or grouping with no CCG of its name has an NHS reading too: the CCGs with
    most of their residents in it. "NHS Devon CCG" is that reading (Plymouth and Torbay in); a
    bare "Devon" whose two readings differ is ambiguous; "Devon County Council" is the council."""
    if any(e.kind in ("ccg", "ccg13") for e in entries) or not any(e.kind in COUNCIL_KINDS for e in entries):
        return entries
    gaz = ladder.gaz
    if any(w in folded for w in CCG_WORDS):
        return [gaz.ccg_reading(e, containing=True) if e.kind in COUNCIL_KINDS else e for e in entries]
    if any(w in folded for w in COUNCIL_WORDS):
        return entries
    extra = [gaz.ccg_reading(e) for e in entries if e.kind in COUNCIL_KINDS]
    return entries + [e for e in extra if gaz.lsoas(e) != gaz.lsoas(gaz.codes_entry(e.code))]


def _check_towns(ladder: Geocoder, key: str, match: Match) -> Match:
    """A bare name that is also a town far from the matched area ("Sutton", "Richmond") is ambiguous.

    "Far" is beyond the area's neighbours' neighbours: post towns such as Preston spill into
    districts two away, which is still the same place.
    """
    gaz = ladder.gaz
    area_lads = ladder.footprints.lad_codes_of(gaz.lsoas(match.entries[0]))
    near = set().union(*(gaz.lad_neighbours(lad) for lad in area_lads))
    near |= set().union(*(gaz.lad_neighbours(lad) for lad in near))  # post towns reach two districts
    elsewhere = [t for t in town_readings(ladder, key) if not set(t.code.split(";")) & near]
    if not elsewhere:
        return match
    labels = [" + ".join(gaz.label(e) for e in match.entries[:1])] + [t.label for t in elsewhere]
    return Match(AMBIGUOUS, "exact name", 100.0, [], labels,
                 "the name is an area and also a town elsewhere; add the CCG or council to the name, or give areas")


def alias(ladder: Geocoder, text: str) -> Match | None:
    """A curated alias (``data/aliases.csv``): a name no rule reads, with its source and reasoning."""
    gaz = ladder.gaz
    for k in name_keys(text):
        if k in gaz.aliases:
            entries, reason = gaz.aliases[k]
            return Match(MATCHED, "curated alias", 100.0, entries, [gaz.label(e) for e in entries], f"alias: {reason}")
    return None


def organisation(ladder: Geocoder, text: str) -> Match | None:
    """A GP practice or NHS trust in the 2015 register: its CCG within its district."""
    gaz = ladder.gaz
    for k in name_keys(text):
        if k in gaz.orgs:
            entries = gaz.orgs[k]
            trust = entries[0].kind == "trust"
            method = "organisation register (" + ("trust" if trust else "GP practice") + ")"
            if trust and not ORG_NAME_WORDS.search(fold(text)):
                return Match(AMBIGUOUS, method, 100.0, [], [gaz.label(e) for e in entries],
                             "the name of an NHS trust without 'NHS Trust' or 'FT': it may be the trust or a "
                             "place or partnership named like it ('North East London'); add 'NHS Trust' for the trust")
            return pick(ladder, entries, method, 100.0, _org_note(trust))
    return None


#: Words that say a name is an organisation (a trust, a hospital), not a place named like one.
ORG_NAME_WORDS = re.compile(r"\b(trust|ft|foundation|hospitals?|infirmary|nhsft)\b")


def _org_note(trust: bool) -> str:
    if trust:
        return ("a trust: the footprint is the CCG within the district of each of its hospitals (NHS Choices), "
                "or of its headquarters where NHS Choices lists none; its catchment may be wider")
    return "GP practices: the footprint is their CCG within their district; population is their registered list"


def bracketed(ladder: Geocoder, text: str) -> Match | None:
    """"Principia (Rushcliffe)": the outer name if it is known, else the place in brackets."""
    outer, inner = brackets(text)
    if not inner:
        return None
    found = ladder.read_name(outer) if outer else None
    if found and found.matched and _only_directions(inner):  # "Cumbria (North, East and West)": a part of it
        return Match(AMBIGUOUS, found.method, found.score, [], found.candidates,
                     f"the brackets name only part of {outer} ({', '.join(inner)}), and no official area is that "
                     "part: give areas")
    if found and found.status != UNMATCHED:
        return found
    for part in inner:
        match = ladder.read_name(part)
        if match and match.matched:
            note = f"'{outer}' is not a known area or organisation; the footprint is the place in brackets. "
            return replace(match, method=f"place in brackets ({match.method})", score=min(match.score, 95.0),
                           note=(note + match.note).strip())
    return None


def _only_directions(inner: list[str]) -> bool:
    words = [w for part in inner for w in fold(part).split() if w != "and"]
    return bool(words) and all(w in DISTINCT_WORDS for w in words)


def compound(ladder: Geocoder, text: str, suffix: str = "") -> Match | None:
    """Split only where every part is itself known: "Mansfield and Ashfield" stays one CCG.

    Fewest parts wins (longest known names first). Each known name spans at most
    ``PART_WINDOW`` parts, and a name of more than ``MAX_PARTS`` parts is not read, so the work
    is linear in the name's length. ``suffix`` is a qualifier that applies to every part
    ("South Nottingham and Erewash CCGs": each part is read as a CCG).
    """
    if not suffix and any(w in f" {fold(text)} " for w in CCG_WORDS):
        text, suffix = " ".join(CCG_TEXT.sub(" ", text).split()), " CCG"  # "NHS Derby and Derbyshire CCG"
    parts = split_parts(generic_free(text))
    if len(parts) < 2:
        return None
    if len(parts) > MAX_PARTS:
        return unmatched(f"the name has {len(parts):,} parts; at most {MAX_PARTS} are read: "
                         "list the areas in the areas column instead")
    found = _split(ladder, parts, suffix)
    if found is None and suffix != " Council":
        # each part a council area whose CCGs differ from it: the councils and the CCGs of the
        # whole list may still be one place ("Cornwall and Isles of Scilly" = Kernow CCG;
        # "NHS Kent and Medway CCG", though Kent alone could be read with Medway or without)
        councils = _split(ladder, parts, " Council")
        if councils:
            joined = _joined(ladder, councils)
            area = ladder.footprints.lsoas(joined)
            if ladder.gaz.ccgs_covering(area) == area and split_by_area_teams(ladder, joined).matched:
                found = councils
    if not found:
        return None
    return _nested(ladder, found, text) or _joined(ladder, found)


def _nested(ladder: Geocoder, found: list[Match], text: str) -> Match | None:
    """"Richmond, London": a place, then a grouping around it (a county, region or area team), as
    an address writes it; the place, not the two together."""
    if len(found) != 2 or "," not in text:
        return None
    place, around = (ladder.footprints.lsoas(m) for m in found)
    kinds = {e.code.partition(":")[0] if e.kind.startswith("ccgs") else e.kind for e in found[1].entries}
    if not (place < around and kinds <= set(GROUPING_KINDS)):
        return None
    return replace(found[0], note=(found[0].note + "; " if found[0].note else "")
                   + "the area after the comma contains it, so it says where, not what else")


def _split(ladder: Geocoder, parts: list[str], suffix: str) -> list[Match] | None:
    """The fewest known names that make up ``parts`` (two or more), or ``None``."""
    n = len(parts)
    best: list[list[Match] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - PART_WINDOW), end):
            if best[start] is None:
                continue
            match = ladder.read_known(" and ".join(parts[start:end]) + suffix)
            if match and match.matched and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                best[end] = best[start] + [match]
    return best[n] if best[n] and len(best[n]) >= 2 else None


def _joined(ladder: Geocoder, found: list[Match]) -> Match:
    entries = [e for m in found for e in m.entries]
    notes = "; ".join(m.note for m in found if m.note)
    return Match(MATCHED, "compound name (" + " + ".join(m.method for m in found) + ")", 100.0,
                 entries, [ladder.gaz.label(e) for e in entries], notes)


def titled(ladder: Geocoder, text: str) -> Match | None:
    """A programme's title naming its place: the place after "in", read as any name is."""
    found = title_and_place(text)
    if not found:
        return None
    match = ladder.read_name(found[1])
    if match is None or not match.matched:
        return None
    return replace(match, method=f"place named in a title ({match.method})",
                   note=("the title names its place after 'in'; " + match.note).strip("; "))


def town_readings(ladder: Geocoder, key: str) -> list[Entry]:
    """Each group of neighbouring districts with an organisation addressed at this place name."""
    return [Entry("town", ";".join(group), f"{key.title()} (town in {', '.join(ladder.footprints.lad_names(group))})")
            for group in ladder.gaz.towns.get(key, [])]


def town(ladder: Geocoder, text: str) -> Match | None:
    """A town from organisation addresses, or the first word(s) of several area names."""
    gaz = ladder.gaz
    if any(w in f" {fold(text)} " for w in CCG_WORDS):
        return None  # a CCG is not a town
    place, comma, area = str(text).rpartition(",")
    found = _town_in_area(ladder, place, area) if comma and place.strip() and area.strip() else None
    if found is not None:
        return found
    key = strip_generic(normalise(text))
    readings = town_readings(ladder, key)
    prefixed = [e for name in gaz.prefixes.get(key, []) for e in gaz.areas[name]]
    if prefixed:
        readings = [e for e in readings if not any(gaz.lsoas(e) & gaz.lsoas(p) for p in prefixed)]
        readings += [g[0] for g in gaz.readings(prefixed)]
    if not readings:
        return _named_by_trust(ladder, key)
    if len(readings) == 1:
        return Match(MATCHED, "town (GP practice, trust and hospital addresses)", 90.0, readings, [readings[0].label],
                     "a town, not an area: the footprint is the district(s) it lies in")
    return Match(AMBIGUOUS, "town or start of area names", 90.0, [], [gaz.label(r) for r in readings],
                 "several places have this name; give the CCG or council")


def _town_in_area(ladder: Geocoder, place: str, area: str) -> Match | None:
    """"Bicester, Oxfordshire": a town, and after the comma an area it lies in, which says which
    town of that name is meant ("Richmond, North Yorkshire", not Richmond upon Thames)."""
    gaz = ladder.gaz
    region = frozenset().union(*(gaz.lsoas(e) for k in name_keys(area) for e in gaz.areas.get(k, [])))
    if not region:
        return None
    readings = [t for t in town_readings(ladder, strip_generic(normalise(place))) if gaz.lsoas(t) & region]
    if not readings:
        return None
    if len(readings) > 1:
        return Match(AMBIGUOUS, "town in a named area", 90.0, [], [t.label for t in readings],
                     "more than one town of this name lies in that area; give the CCG or council")
    return Match(MATCHED, "town in a named area (GP practice, trust and hospital addresses)", 90.0, readings,
                 [readings[0].label], "a town, not an area: the footprint is the district(s) it lies in; the area "
                 "after the comma says which town of the name is meant")


def _named_by_trust(ladder: Geocoder, key: str) -> Match | None:
    """A place that is no official area but names a trust's hospitals ("Morecambe Bay": University
    Hospitals of Morecambe Bay): the cells where that trust's hospitals stand."""
    found = ladder.gaz.places_named_by_trusts.get(key, [])
    if len(found) != 1:
        return None
    label = ladder.gaz.label(found[0])
    return Match(MATCHED, "place named by a trust (its hospital sites)", 90.0, found, [label],
                 f"not an official area: the footprint is where the hospitals of {label}, named after it, stand")


def fuzzy(ladder: Geocoder, text: str) -> Match:
    """Last: a close spelling of one known name, with a clear lead over the next."""
    gaz = ladder.gaz
    key = strip_generic(normalise(text))
    if not key:
        return unmatched("the name is empty")
    if len(key) > FUZZY_MAX_CHARS:
        return unmatched(f"no rule reads this name, and at over {FUZZY_MAX_CHARS} characters it is too long "
                         "to compare by spelling")
    found = process.extract(key, ladder.fuzzy_keys, scorer=fuzz.ratio, limit=6, score_cutoff=60)
    if not found:
        return unmatched("no known area, alias, organisation or town is like this name")
    readings: list[tuple[float, str, list[Entry]]] = []
    for name, score, _ in found:
        entries = gaz.areas.get(name) or (gaz.aliases[name][0] if name in gaz.aliases else gaz.orgs.get(name, []))
        if entries and not any(gaz.lsoas(e) == gaz.lsoas(r[2][0]) for r in readings for e in entries):
            readings.append((score, name, entries))
    labels = [f"{gaz.label(r[2][0])} ({r[0]:.0f})" for r in readings]
    top = readings[0][0]
    lead = top - (readings[1][0] if len(readings) > 1 else 0.0)
    if top >= FUZZY_MATCH and lead >= FUZZY_LEAD and same_words(key, readings[0][1]):
        match = pick(ladder, readings[0][2], "fuzzy name", round(top, 1),
                     f"spelling differs from '{readings[0][1]}'; check it")
        if match:
            return match
    if top >= FUZZY_CANDIDATE:
        return Match(AMBIGUOUS, "fuzzy name", round(top, 1), [], labels,
                     "close to more than one known name, or not close enough to one; pick a candidate")
    return unmatched(f"nothing close enough (best fuzzy score below {FUZZY_CANDIDATE:.0f})", labels)


#: Words that tell places apart; a spelling slip never changes one of them into another.
DISTINCT_WORDS = frozenset({"north", "south", "east", "west", "central", "mid", "inner", "outer", "upper", "lower",
                            "great", "greater", "new", "old", "city", "county", "coast"})


def same_words(query: str, name: str) -> bool:
    """A slip of spelling, not another name: the same number of words, the distinctive words equal,
    and any other changed word close and starting with the same letter ("wakefeild")."""
    a, b = query.split(), name.split()
    if len(a) != len(b):  # a slip at a space: compare the letters, and the distinctive words
        return (fuzz.ratio("".join(a), "".join(b)) >= 90
                and {w for w in a if w in DISTINCT_WORDS} == {w for w in b if w in DISTINCT_WORDS})
    for x, y in zip(a, b):
        if x == y:
            continue
        if (x in DISTINCT_WORDS and y in DISTINCT_WORDS) or x[0] != y[0] or fuzz.ratio(x, y) < 70:
            return False  # "east" for "west" is another place; "wst" for "west" is a slip
    return True
