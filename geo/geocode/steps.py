"""The rungs of the geocoding ladder: each reads one kind of name, or passes.

A step takes the ladder (for the gazetteer, and to read the parts of a name with the other
steps) and the text, and returns a :class:`~geo.geocode.match.Match` or ``None`` when the name
is not of its kind. A new kind of name is a new step; :mod:`geo.geocode.ladder` sets the order.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd
import shapely
from rapidfuzz import fuzz, process

from geo.geocode.gazetteer import NHS_GROUPINGS, TARGET_KINDS, Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, NO_AREA_METHOD, UNMATCHED, Match, blank, unmatched
from geo.geocode.normalise import brackets, fold, normalise, split_parts, strip_generic

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
CCG_WORDS = (" ccg ", " ccgs ", " clinical commissioning ")
COUNCIL_WORDS = (" council ", " borough ", " district ", " county ")
QUALIFIERS = CCG_WORDS + COUNCIL_WORDS + (" nhs ", " trust ", " ft ")


def pick(ladder: Geocoder, entries: list[Entry], method: str, score: float, note: str = "") -> Match | None:
    """One reading is a match; a CCG and a council of one place are the council; else ambiguous."""
    gaz = ladder.gaz
    readings = gaz.readings(entries)
    if not readings:
        return None
    if len(readings) == 1:
        labels = list(dict.fromkeys(gaz.label(e) for e in entries))
        return Match(MATCHED, method, score, readings[0], labels, note)
    labels = [" + ".join(gaz.label(e) for e in group) for group in readings]
    council = _same_place(ladder, readings) or _nhs_grouping(ladder, readings)
    if council is not None:
        return Match(MATCHED, method, score, council, labels,
                     (note + "; " if note else "") + "the council area of this name; the CCG of the same name "
                     "covers a slightly different area: add 'CCG' to the name to use it")
    return Match(AMBIGUOUS, method, score, [], labels, f"{len(readings)} different places have this name")


def _same_place(ladder: Geocoder, readings: list[list[Entry]]) -> list[Entry] | None:
    """A CCG and a council of one name covering nearly the same LSOAs (>= 90% shared) are one
    place: the bare name is read as the council area, and the note says so."""
    if len(readings) != 2:
        return None
    kinds = [{e.kind for e in group} for group in readings]
    if not ({"ccg", "ccg13"} >= kinds[0] and {"lad", "utla"} >= kinds[1]):
        if {"ccg", "ccg13"} >= kinds[1] and {"lad", "utla"} >= kinds[0]:
            readings = readings[::-1]
        else:
            return None
    a, b = (ladder.gaz.lsoas(group[0]) for group in readings)
    return readings[1] if len(a & b) >= 0.9 * len(a | b) else None


def _nhs_grouping(ladder: Geocoder, readings: list[list[Entry]]) -> list[Entry] | None:
    """A name that is an NHS England grouping (2013 area team, 2015 local office) and a council
    grouping of nearly the same place (>= 90% of LSOAs shared with every other reading) is the
    NHS grouping: it is made of whole CCGs ("West Yorkshire" with Craven; "Greater Manchester"
    with Glossop), which is how NHS programmes drew their footprints."""
    nhs = [g for g in readings if any(e.kind in NHS_GROUPINGS for e in g)]
    if len(nhs) != 1:
        return None
    mine = ladder.gaz.lsoas(nhs[0][0])
    for group in readings:
        other = ladder.gaz.lsoas(group[0])
        if len(mine & other) < 0.9 * len(mine | other):
            return None
    return nhs[0]


def _keys(text: str) -> list[str]:
    key = normalise(text)
    return list(dict.fromkeys([key, strip_generic(key)]))


def area_name(ladder: Geocoder, text: str) -> Match | None:
    """The exact name of a 2015 CCG, 2013 CCG, district or upper-tier authority.

    "CCG" or "Council" in the name says which of two same-named areas is meant; a bare name that
    is also a town far away ("Sutton", "Richmond") is ambiguous.
    """
    gaz = ladder.gaz
    for k in _keys(text):
        if k not in gaz.areas:
            continue
        folded = f" {fold(text)} "
        entries = gaz.areas[k]
        for words, kinds in ((CCG_WORDS, ("ccg", "ccg13")), (COUNCIL_WORDS, ("lad", "utla"))):
            if any(w in folded for w in words) and any(e.kind in kinds for e in entries):
                entries = [e for e in entries if e.kind in kinds]  # "Erewash CCG" is the CCG
        match = pick(ladder, entries, "exact name", 100.0)
        if match and match.matched and not any(q in folded for q in QUALIFIERS):
            match = _check_towns(ladder, k, match)
        if match:
            if match.entries and all(e.kind == "ccg13" for e in match.entries):
                match.note = "a 2013 CCG name, resolved onto its 2015 LSOAs"
            return match
    return None


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
    for k in _keys(text):
        if k in gaz.aliases:
            entries, reason = gaz.aliases[k]
            return Match(MATCHED, "curated alias", 100.0, entries, [gaz.label(e) for e in entries], f"alias: {reason}")
    return None


def organisation(ladder: Geocoder, text: str) -> Match | None:
    """A GP practice or NHS trust in the 2015 register: its CCG within its district."""
    gaz = ladder.gaz
    for k in _keys(text):
        if k in gaz.orgs:
            entries = gaz.orgs[k]
            trust = entries[0].kind == "trust"
            method = "organisation register (" + ("trust" if trust else "GP practice") + ")"
            return pick(ladder, entries, method, 100.0, _org_note(trust))
    return None


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
    if found and found.status != UNMATCHED:
        return found
    for part in inner:
        match = ladder.read_name(part)
        if match and match.matched:
            note = f"'{outer}' is not a known area or organisation; the footprint is the place in brackets. "
            return replace(match, method=f"place in brackets ({match.method})", score=min(match.score, 95.0),
                           note=(note + match.note).strip())
    return None


def compound(ladder: Geocoder, text: str, suffix: str = "") -> Match | None:
    """Split only where every part is itself known: "Mansfield and Ashfield" stays one CCG.

    Fewest parts wins (longest known names first). Each known name spans at most
    ``PART_WINDOW`` parts, and a name of more than ``MAX_PARTS`` parts is not read, so the work
    is linear in the name's length. ``suffix`` is a qualifier that applies to every part
    ("South Nottingham and Erewash CCGs": each part is read as a CCG).
    """
    parts = split_parts(text)
    if len(parts) < 2:
        return None
    if len(parts) > MAX_PARTS:
        return unmatched(f"the name has {len(parts):,} parts; at most {MAX_PARTS} are read: "
                         "list the areas in the areas column instead")
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
    if not best[n] or len(best[n]) < 2:
        return None
    entries = [e for m in best[n] for e in m.entries]
    notes = "; ".join(m.note for m in best[n] if m.note)
    return Match(MATCHED, "compound name (" + " + ".join(m.method for m in best[n]) + ")", 100.0,
                 entries, [ladder.gaz.label(e) for e in entries], notes)


def town_readings(ladder: Geocoder, key: str) -> list[Entry]:
    """Each group of neighbouring districts with an organisation addressed at this place name."""
    return [Entry("town", ";".join(group), f"{key.title()} (town in {', '.join(ladder.footprints.lad_names(group))})")
            for group in ladder.gaz.towns.get(key, [])]


def town(ladder: Geocoder, text: str) -> Match | None:
    """A town from organisation addresses, or the first word(s) of several area names."""
    gaz = ladder.gaz
    key = strip_generic(normalise(text))
    readings = town_readings(ladder, key)
    prefixed = [e for name in gaz.prefixes.get(key, []) for e in gaz.areas[name]]
    if prefixed:
        readings = [e for e in readings if not any(gaz.lsoas(e) & gaz.lsoas(p) for p in prefixed)]
        readings += [g[0] for g in gaz.readings(prefixed)]
    if not readings:
        return None
    if len(readings) == 1:
        return Match(MATCHED, "town (GP practice and trust addresses)", 90.0, readings, [readings[0].label],
                     "a town, not an area: the footprint is the district(s) it lies in")
    return Match(AMBIGUOUS, "town or start of area names", 90.0, [], [gaz.label(r) for r in readings],
                 "several places have this name; give the CCG or council")


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
    if top >= FUZZY_MATCH and lead >= FUZZY_LEAD:
        match = pick(ladder, readings[0][2], "fuzzy name", round(top, 1),
                     f"spelling differs from '{readings[0][1]}'; check it")
        if match:
            return match
    if top >= FUZZY_CANDIDATE:
        return Match(AMBIGUOUS, "fuzzy name", round(top, 1), [], labels,
                     "close to more than one known name, or not close enough to one; pick a candidate")
    return unmatched(f"nothing close enough (best fuzzy score below {FUZZY_CANDIDATE:.0f})", labels)


def explicit_areas(ladder: Geocoder, areas: str) -> Match:
    """The ``areas`` column: typed codes (``lad:E08000015``), bare codes or known names, ';'-separated;
    ``none`` marks a national or specialist network with no area footprint."""
    gaz = ladder.gaz
    if str(areas).strip().lower() == "none":
        return no_area(ladder)
    entries, unknown = [], []
    for item in (a.strip() for a in str(areas).split(";")):
        if not item:
            continue
        kind, _, code = item.partition(":")
        entry = gaz.codes.get(code.upper() if kind in TARGET_KINDS else item.upper())
        if entry is None:
            match = ladder.read_known(item)
            if match and match.matched:
                entries += match.entries
                continue
            unknown.append(item)
        else:
            entries.append(entry)
    if unknown:
        return Match(AMBIGUOUS if entries else UNMATCHED, "explicit areas", 0.0, [], unknown,
                     f"unknown codes or names in areas: {'; '.join(unknown)}")
    return Match(MATCHED, "explicit areas", 100.0, entries, [gaz.label(e) for e in entries])


def location(ladder: Geocoder, postcode: str, lat: str, lon: str) -> Match | None:
    """Coordinates, or a postcode in the organisation register: the CCG within the district there."""
    if not blank(lat) and not blank(lon):
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            return None
        if -90 <= lat_f <= 90 and -180 <= lon_f <= 180:
            point = gpd.GeoSeries(gpd.points_from_xy([lon_f], [lat_f]), crs="EPSG:4326").to_crs(27700)[0]
            return _point(ladder, point.x, point.y)
    if not blank(postcode):
        reg = ladder.atlas.register
        hit = reg[(reg["postcode"].str.replace(" ", "") == str(postcode).replace(" ", "").upper()) & reg["x"].notna()]
        if len(hit):
            match = _point(ladder, float(hit.iloc[0]["x"]), float(hit.iloc[0]["y"]))
            return replace(match, method="postcode (organisation register)") if match else None
    return None


def _point(ladder: Geocoder, x: float, y: float) -> Match | None:
    geoms, tree = ladder.lsoa_index
    hits = tree.query(shapely.Point(x, y), predicate="within")
    if len(hits) == 0:
        return None
    row = ladder.atlas.lsoas.loc[geoms.index[hits[0]]]
    entry = Entry("point", f"{row['ccg_ods']}|{row['lad_code']}", f"{row['ccg_name']} in {row['lad_name']}")
    return Match(MATCHED, "coordinates", 90.0, [entry], [entry.label],
                 "located by coordinates: the footprint is the CCG within the district holding the point")


#: Words that make a name a hospital network (a chain, group, alliance...) rather than a place.
NETWORK_WORDS = re.compile(r"\b(chain|group|alliance|collaboration|collaborative|consortium|network|partnership)\b")
#: A partner that is an NHS trust by its name, whether or not the register holds it.
TRUST_NAME = re.compile(r"\b(nhs trust|nhs ft|foundation trust|nhs foundation trust)\b")
NO_AREA_NOTE = ("a national or specialist network: it has no area footprint of its own, so no population is "
                "claimed; its member trusts' hospitals are shown as points")


def partners(lead: str) -> list[str]:
    """The ';'-separated partner organisations of a site."""
    return [p.strip() for p in str(lead).split(";") if p.strip()]


def hospital_network(ladder: Geocoder, name: str, lead: str) -> Match | None:
    """A chain, group, alliance or network of trusts: the cells where its member trusts' hospitals stand.

    Applies when the name says it is a network and every partner is an NHS trust; a partner
    trust missing from the 2015 register is named in the note and adds nothing.
    """
    if not lead or not NETWORK_WORDS.search(normalise(name)):
        return None
    gaz = ladder.gaz
    entries, missing = [], []
    for partner in partners(lead):
        if any(w in f" {fold(partner)} " for w in CCG_WORDS + COUNCIL_WORDS):
            return None
        found = [e for k in _keys(partner) for e in gaz.orgs.get(k, []) if e.kind == "trust"]
        if found:
            entries.append(found[0])
        elif TRUST_NAME.search(fold(partner)):
            missing.append(partner)
        else:
            return None
    if not entries:
        return None
    note = "a network of trusts: the footprint is the CCG within the district of each member trust's hospitals"
    if missing:
        note += f"; not in the 2015 trust register, so not mapped: {'; '.join(missing)}"
    return Match(MATCHED, "hospital network (member trusts' hospital sites)", 100.0, entries,
                 [gaz.label(e) for e in entries], note)


def partner_ccgs(ladder: Geocoder, lead: str) -> Match | None:
    """The CCGs a group's partners name ("Barking and Dagenham CCG; Havering CCG; ..."), when every
    partner that names CCGs is read: a system resilience group or urgent care network covers them."""
    named = [p for p in partners(lead) if any(w in f" {fold(p)} " for w in CCG_WORDS)]
    if not named:
        return None
    entries: list[Entry] = []
    for part in named:
        text = " ".join(re.sub(r"(?i)\b(clinical commissioning groups?|ccgs?)\b", " ", part).split())
        match = ladder.read_known(text + " CCG")
        if match is None or not match.matched:
            match = compound(ladder, text, " CCG")
        if match is None or not match.matched:
            return None
        entries += match.entries
    return Match(MATCHED, "CCGs named among the partners", 100.0, entries, [ladder.gaz.label(e) for e in entries],
                 "a group of organisations: the footprint is the CCGs its partners name")


def no_area(ladder: Geocoder) -> Match:
    """A national or specialist network (``areas`` = ``none``): kept, with no area footprint."""
    return Match(MATCHED, NO_AREA_METHOD, 100.0, [], [], NO_AREA_NOTE)
