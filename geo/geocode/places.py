"""Places: towns (from organisation addresses), places named by a trust, and the areas of other
public bodies, which the atlas does not hold.

A town is read as the district(s) it lies in; "Richmond, North Yorkshire" says which town of the
name is meant. Police forces, fire and rescue services, local enterprise partnerships, resilience
forums and cancer alliances cover areas of their own that no raw file describes: such a name is
unmatched with that reason, rather than read as the place in its name (a police force's area is
seldom its county council's).
"""

from __future__ import annotations

import re

from geo.geocode.codes import candidate
from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, Match, unmatched
from geo.geocode.normalise import normalise, strip_generic
from geo.geocode.reader import Reader
from geo.geocode.wording import name_keys, says_ccg

#: Kinds of public body with areas of their own, and what each is called in a note.
OTHER_BODIES = {
    "police": r"police|constabulary",
    "fire and rescue": r"fire (?:and|&) rescue|fire authority|fire service",
    "local enterprise partnership": r"local enterprise partnership|lep",
    "local resilience forum": r"(?:local )?resilience forum|lrf",
    "cancer alliance": r"cancer alliance",
}
_OTHER_BODY = re.compile(r"(?i)\b(?:" + "|".join(f"(?P<{k.replace(' ', '_')}>{v})" for k, v in OTHER_BODIES.items())
                         + r")\b")


def other_body(reader: Reader, text: str) -> Match | None:
    """A police force, fire and rescue service, LEP, resilience forum or cancer alliance: unmatched,
    with the reason (their areas are in no raw file, and differ from the councils' they name)."""
    found = _OTHER_BODY.search(str(text))
    if not found:
        return None
    kind = found.lastgroup.replace("_", " ")
    return unmatched(f"a {kind} area: the atlas's data does not hold {kind} areas, which seldom match the council "
                     "or CCG of the same name; give the areas it covers (typed codes such as lad:E10000016)")


def town_readings(reader: Reader, key: str) -> list[Entry]:
    """Each group of neighbouring districts with an organisation addressed at this place name."""
    return [Entry("town", ";".join(group), f"{key.title()} (town in {', '.join(reader.footprints.lad_names(group))})")
            for group in reader.gaz.towns.get(key, [])]


def town(reader: Reader, text: str) -> Match | None:
    """A town from organisation addresses, or the first word(s) of several area names."""
    gaz = reader.gaz
    if says_ccg(text):
        return None  # a CCG is not a town
    place, comma, area = str(text).rpartition(",")
    found = _town_in_area(reader, place, area) if comma and place.strip() and area.strip() else None
    if found is not None:
        return found
    key = strip_generic(normalise(text))
    readings = town_readings(reader, key)
    prefixed = [e for name in gaz.prefixes.get(key, []) for e in gaz.areas[name]]
    if prefixed:
        readings = [e for e in readings if not any(gaz.lsoas(e) & gaz.lsoas(p) for p in prefixed)]
        readings += [g[0] for g in gaz.readings(prefixed)]
    if not readings:
        return _named_by_trust(reader, key)
    if len(readings) == 1:
        return Match(MATCHED, "town (GP practice, trust and hospital addresses)", 90.0, readings,
                     [candidate(gaz, readings, 90.0)],
                     "a town, not an area: the footprint is the district(s) it lies in")
    return Match(AMBIGUOUS, "town or start of area names", 90.0, [], [candidate(gaz, [r], 90.0) for r in readings],
                 "several places have this name; give the CCG or council")


def _town_in_area(reader: Reader, place: str, area: str) -> Match | None:
    """"Bicester, Oxfordshire": a town, and after the comma an area it lies in, which says which
    town of that name is meant ("Richmond, North Yorkshire", not Richmond upon Thames)."""
    gaz = reader.gaz
    region = frozenset().union(*(gaz.lsoas(e) for k in name_keys(area) for e in gaz.areas.get(k, [])))
    if not region:
        return None
    readings = [t for t in town_readings(reader, strip_generic(normalise(place))) if gaz.lsoas(t) & region]
    if not readings:
        return None
    if len(readings) > 1:
        return Match(AMBIGUOUS, "town in a named area", 90.0, [], [candidate(gaz, [t], 90.0) for t in readings],
                     "more than one town of this name lies in that area; give the CCG or council")
    return Match(MATCHED, "town in a named area (GP practice, trust and hospital addresses)", 90.0, readings,
                 [candidate(gaz, readings, 90.0)], "a town, not an area: the footprint is the district(s) it lies "
                 "in; the area after the comma says which town of the name is meant")


def _named_by_trust(reader: Reader, key: str) -> Match | None:
    """A place that is no official area but names a trust's hospitals ("Morecambe Bay": University
    Hospitals of Morecambe Bay): the cells where that trust's hospitals stand."""
    found = reader.gaz.places_named_by_trusts.get(key, [])
    if len(found) != 1:
        return None
    label = reader.gaz.label(found[0])
    return Match(MATCHED, "place named by a trust (its hospital sites)", 90.0, found,
                 [candidate(reader.gaz, found, 90.0)],
                 f"not an official area: the footprint is where the hospitals of {label}, named after it, stand")
