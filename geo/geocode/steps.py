"""The rungs of the geocoding ladder that read a name: each reads one kind of name, or passes.

A step takes a :class:`~geo.geocode.reader.Reader` (the gazetteer, and the other steps to read
the parts of a name) and the text, and returns a :class:`~geo.geocode.match.Match` or ``None``
when the name is not of its kind. A new kind of name is a new step, in a module of its kind
(:mod:`~geo.geocode.councils`, :mod:`~geo.geocode.nhs_bodies`, :mod:`~geo.geocode.places`);
:mod:`geo.geocode.ladder` sets the order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz, process

from geo.geocode.choose import ccgs_of_a_place, county_as_place, pick, split_by_area_teams
from geo.geocode.codes import candidate
from geo.geocode.councils import COUNCIL_ENTRY_KINDS, with_change_note
from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, UNMATCHED, Match, unmatched
from geo.geocode.normalise import brackets, fold, generic_free, normalise, split_parts, strip_generic, title_and_place
from geo.geocode.places import town_readings
from geo.geocode.reader import Reader
from geo.geocode.wording import CCG_TEXT, CCG_WORDS, COUNCIL_WORDS, DISTINCT_WORDS, QUALIFIERS, name_keys, same_words

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


def area_name(reader: Reader, text: str) -> Match | None:
    """The exact name of a 2015 CCG, 2013 CCG, district or upper-tier authority.

    "CCG" or "Council" in the name says which of two same-named areas is meant; a bare name that
    is also a town far away ("Sutton", "Richmond") is ambiguous.
    """
    gaz = reader.gaz
    for k in name_keys(text):
        if k not in gaz.areas:
            continue
        folded = f" {fold(text)} "
        entries = gaz.areas[k]
        for words, kinds in ((CCG_WORDS, ("ccg", "ccg13")), (COUNCIL_WORDS, COUNCIL_ENTRY_KINDS)):
            if any(w in folded for w in words) and any(e.kind in kinds for e in entries):
                entries = [e for e in entries if e.kind in kinds]  # "Erewash CCG" is the CCG
        health_authority = folded.startswith(" nhs ") and not any(w in folded for w in CCG_WORDS)
        if health_authority and any(e.kind == "gor" for e in entries):
            return _strategic_health_authority(reader, [e for e in entries if e.kind == "gor"])
        entries = _ccg_readings(reader, entries, folded)
        match = ccgs_of_a_place(reader, pick(reader, entries, "exact name", 100.0))
        if match and match.matched and not any(q in folded for q in QUALIFIERS):
            match = _check_towns(reader, k, match)
        if match and match.matched and health_authority and all(e.kind in GROUPING_KINDS for e in match.entries):
            match = Match(AMBIGUOUS, "exact name", 100.0, [], match.candidates,
                          "'NHS' and a region's name was how the strategic health authorities (2006-2013) were "
                          "named; this one is no government region, and the later groupings of its name differ; "
                          "give areas")
        if match and not any(w in folded for w in COUNCIL_WORDS):
            match = county_as_place(reader, split_by_area_teams(reader, match))
        if match:
            if match.entries and all(e.kind == "ccg13" for e in match.entries):
                match.note = "a 2013 CCG name, resolved onto its 2015 LSOAs"
            return with_change_note(match)
    return None


def _strategic_health_authority(reader: Reader, entries: list[Entry]) -> Match:
    """"NHS North West": the style of the strategic health authorities of 1 July 2006 to 2013; eight
    of the ten had exactly a government region's area (the South East's area was split in two)."""
    return Match(MATCHED, "exact name (strategic health authority)", 100.0, entries,
                 [candidate(reader.gaz, entries, 100.0)],
                 "'NHS' and a government region's name: a strategic health authority (2006-2013), whose area "
                 "was the region's")


COUNCIL_KINDS = ("lad", "utla", "county", "gor")
GROUPING_KINDS = ("county", "gor", "at13", "office")


def _ccg_readings(reader: Reader, entries: list[Entry], folded: str) -> list[Entry]:
    """A council area or grouping with no CCG of its name has an NHS reading too: the CCGs with
    most of their residents in it. "NHS Devon CCG" is that reading (Plymouth and Torbay in); a
    bare "Devon" whose two readings differ is ambiguous; "Devon County Council" is the council."""
    places = COUNCIL_KINDS + ("council", "formercounty")  # councils formed since, or abolished before, too
    if any(e.kind in ("ccg", "ccg13") for e in entries) or not any(e.kind in places for e in entries):
        return entries
    gaz = reader.gaz
    if any(w in folded for w in CCG_WORDS):
        return [gaz.ccg_reading(e, containing=True) if e.kind in places else e for e in entries]
    if any(w in folded for w in COUNCIL_WORDS):
        return entries
    extra = [gaz.ccg_reading(e) for e in entries if e.kind in COUNCIL_KINDS]
    return entries + [e for e in extra if gaz.lsoas(e) != gaz.lsoas(gaz.codes_entry(e.code))]


def _check_towns(reader: Reader, key: str, match: Match) -> Match:
    """A bare name that is also a town far from the matched area ("Sutton", "Richmond") is ambiguous.

    "Far" is beyond the area's neighbours' neighbours: post towns such as Preston spill into
    districts two away, which is still the same place.
    """
    gaz = reader.gaz
    area_lads = reader.footprints.lad_codes_of(gaz.lsoas(match.entries[0]))
    near = set().union(*(gaz.lad_neighbours(lad) for lad in area_lads))
    near |= set().union(*(gaz.lad_neighbours(lad) for lad in near))  # post towns reach two districts
    elsewhere = [t for t in town_readings(reader, key) if not set(t.code.split(";")) & near]
    if not elsewhere:
        return match
    labels = [candidate(gaz, match.entries, 100.0)] + [candidate(gaz, [t], 90.0) for t in elsewhere]
    return Match(AMBIGUOUS, "exact name", 100.0, [], labels,
                 "the name is an area and also a town elsewhere; add the CCG or council to the name, or give areas")


def alias(reader: Reader, text: str) -> Match | None:
    """A curated alias (``data/aliases.csv``): a name no rule reads, with its source and reasoning."""
    gaz = reader.gaz
    for k in name_keys(text):
        if k in gaz.aliases:
            entries, reason = gaz.aliases[k]
            return Match(MATCHED, "curated alias", 100.0, entries, [candidate(gaz, entries, 100.0)], f"alias: {reason}")
    return None


def organisation(reader: Reader, text: str) -> Match | None:
    """A GP practice or NHS trust in the 2015 register: its CCG within its district."""
    gaz = reader.gaz
    for k in name_keys(text):
        if k in gaz.orgs:
            entries = gaz.orgs[k]
            trust = entries[0].kind == "trust"
            method = "organisation register (" + ("trust" if trust else "GP practice") + ")"
            if trust and not ORG_NAME_WORDS.search(fold(text)):
                return Match(AMBIGUOUS, method, 100.0, [], [candidate(gaz, [e], 100.0) for e in entries],
                             "the name of an NHS trust without 'NHS Trust' or 'FT': it may be the trust or a "
                             "place or partnership named like it ('North East London'); add 'NHS Trust' for the trust")
            return pick(reader, entries, method, 100.0, _org_note(trust))
    return None


#: Words that say a name is an organisation (a trust, a hospital), not a place named like one.
ORG_NAME_WORDS = re.compile(r"\b(trust|ft|foundation|hospitals?|infirmary|nhsft)\b")


def _org_note(trust: bool) -> str:
    if trust:
        return ("a trust: the footprint is the CCG within the district of each of its hospitals (NHS Choices), "
                "or of its headquarters where NHS Choices lists none; its catchment may be wider")
    return "GP practices: the footprint is their CCG within their district; population is their registered list"


def bracketed(reader: Reader, text: str) -> Match | None:
    """"Principia (Rushcliffe)": the outer name if it is known, else the place in brackets."""
    outer, inner = brackets(text)
    if not inner:
        return None
    found = reader.read_name(outer) if outer else None
    if found and found.matched and _only_directions(inner):  # "Cumbria (North, East and West)": a part of it
        return Match(AMBIGUOUS, found.method, found.score, [], found.candidates,
                     f"the brackets name only part of {outer} ({', '.join(inner)}), and no official area is that "
                     "part: give areas")
    if found and found.status != UNMATCHED:
        return found
    for part in inner:
        match = reader.read_name(part)
        if match and match.matched:
            note = f"'{outer}' is not a known area or organisation; the footprint is the place in brackets. "
            return replace(match, method=f"place in brackets ({match.method})", score=min(match.score, 95.0),
                           note=(note + match.note).strip())
    return None


def _only_directions(inner: list[str]) -> bool:
    words = [w for part in inner for w in fold(part).split() if w != "and"]
    return bool(words) and all(w in DISTINCT_WORDS for w in words)


def compound(reader: Reader, text: str, suffix: str = "") -> Match | None:
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
    found = _split(reader, parts, suffix)
    if found is None and suffix != " Council":
        # each part a council area whose CCGs differ from it: the councils and the CCGs of the
        # whole list may still be one place ("Cornwall and Isles of Scilly" = Kernow CCG;
        # "NHS Kent and Medway CCG", though Kent alone could be read with Medway or without)
        councils = _split(reader, parts, " Council")
        if councils:
            joined = _joined(reader, councils)
            area = reader.footprints.lsoas(joined)
            if reader.gaz.ccgs_covering(area) == area and split_by_area_teams(reader, joined).matched:
                found = councils
    if not found:
        return None
    return _nested(reader, found, text) or _joined(reader, found)


def _nested(reader: Reader, found: list[Match], text: str) -> Match | None:
    """"Richmond, London": a place, then a grouping around it (a county, region or area team), as
    an address writes it; the place, not the two together."""
    if len(found) != 2 or "," not in text:
        return None
    place, around = (reader.footprints.lsoas(m) for m in found)
    kinds = {e.code.partition(":")[0] if e.kind.startswith("ccgs") else e.kind for e in found[1].entries}
    if not (place < around and kinds <= set(GROUPING_KINDS)):
        return None
    return replace(found[0], note=(found[0].note + "; " if found[0].note else "")
                   + "the area after the comma contains it, so it says where, not what else")


def _split(reader: Reader, parts: list[str], suffix: str) -> list[Match] | None:
    """The fewest known names that make up ``parts`` (two or more), or ``None``."""
    n = len(parts)
    best: list[list[Match] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - PART_WINDOW), end):
            if best[start] is None:
                continue
            match = reader.read_known(" and ".join(parts[start:end]) + suffix)
            if match and match.matched and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                best[end] = best[start] + [match]
    return best[n] if best[n] and len(best[n]) >= 2 else None


def _joined(reader: Reader, found: list[Match]) -> Match:
    entries = [e for m in found for e in m.entries]
    notes = "; ".join(m.note for m in found if m.note)
    return Match(MATCHED, "compound name (" + " + ".join(m.method for m in found) + ")", 100.0,
                 entries, [candidate(reader.gaz, entries, 100.0)], notes)


def titled(reader: Reader, text: str) -> Match | None:
    """A programme's title naming its place: the place after "in", read as any name is."""
    found = title_and_place(text)
    if not found:
        return None
    match = reader.read_name(found[1])
    if match is None or not match.matched:
        return None
    return replace(match, method=f"place named in a title ({match.method})",
                   note=("the title names its place after 'in'; " + match.note).strip("; "))


def fuzzy(reader: Reader, text: str) -> Match:
    """Last: a close spelling of one known name, with a clear lead over the next."""
    gaz = reader.gaz
    key = strip_generic(normalise(text))
    if not key:
        return unmatched("the name is empty")
    if len(key) > FUZZY_MAX_CHARS:
        return unmatched(f"no rule reads this name, and at over {FUZZY_MAX_CHARS} characters it is too long "
                         "to compare by spelling")
    found = process.extract(key, reader.fuzzy_keys, scorer=fuzz.ratio, limit=6, score_cutoff=60)
    if not found:
        return unmatched("no known area, alias, organisation or town is like this name")
    readings: list[tuple[float, str, list[Entry]]] = []
    for name, score, _ in found:
        entries = gaz.areas.get(name) or (gaz.aliases[name][0] if name in gaz.aliases else gaz.orgs.get(name, []))
        if entries and not any(gaz.lsoas(e) == gaz.lsoas(r[2][0]) for r in readings for e in entries):
            readings.append((score, name, entries))
    labels = [candidate(gaz, r[2][:1], r[0]) for r in readings]
    top = readings[0][0]
    lead = top - (readings[1][0] if len(readings) > 1 else 0.0)
    if top >= FUZZY_MATCH and lead >= FUZZY_LEAD and same_words(key, readings[0][1]):
        match = pick(reader, readings[0][2], "fuzzy name", round(top, 1),
                     f"spelling differs from '{readings[0][1]}'; check it")
        if match:
            return match
    if top >= FUZZY_CANDIDATE:
        return Match(AMBIGUOUS, "fuzzy name", round(top, 1), [], labels,
                     "close to more than one known name, or not close enough to one; pick a candidate")
    return unmatched(f"nothing close enough (best fuzzy score below {FUZZY_CANDIDATE:.0f})", labels)
