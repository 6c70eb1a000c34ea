"""Councils by their official names, and councils that are not of 2015: formed after it, or abolished before.

A council signs itself "London Borough of Camden", "City of Bradford Metropolitan District Council",
"Council of the Isles of Scilly"; ONS lists invert "Bristol, City of". Such a name says it is the
council, so it is read as a council area only (never the region or the town of the same word:
"London, City of" is the City of London). Councils formed after 2015 (Dorset, Buckinghamshire, the
two Northamptonshires...) and counties abolished before it (Avon, Cleveland, Humberside, Hereford
and Worcester, Berkshire's county council) are the unions of their 2015 districts, from the Orders
that made them (``data/council_changes.csv``): an area of their time, never a town.
"""

from __future__ import annotations

import re

from geo.geocode.choose import pick
from geo.geocode.codes import candidate
from geo.geocode.match import MATCHED, Match
from geo.geocode.normalise import fold
from geo.geocode.reader import Reader
from geo.geocode.wording import name_keys

#: The kinds a council's name can stand for: a 2015 district or upper tier, a council formed since,
#: or a county abolished before.
COUNCIL_ENTRY_KINDS = ("lad", "utla", "council", "formercounty")
#: "Bristol, City of": ONS's inverted form (read on the name as written: folding drops the comma).
INVERTED = re.compile(r"(?i)^\s*(?P<place>[^,]{1,200}?)\s*,\s*(?P<form>city|county|royal borough|borough) of\s*$")
#: "London Borough of ...", "Council of the ...", "City of ..." (on the folded name).
PREFIX = re.compile(r"^(?:the )?(?:council of (?:the )?|(?:london |royal |metropolitan )?borough(?: council)? of |"
                    r"royal county of |county of |city of |district of )")
#: "... Metropolitan Borough Council", "... City Council", "... Corporation" (on the folded name).
SUFFIX = re.compile(r"(?: (?:london |metropolitan )?(?:borough|district|city|county|unitary))?"
                    r" (?:council|corporation)$")
#: Cheap first look: no council form without one of these.
_MAYBE = re.compile(r"(?i)council|corporation|\bof\b")
_NOTES = {"council": "a council formed after 2015: the footprint is the 2015 districts it was made from",
          "formercounty": "a county abolished before 2015, as an area of its time: the footprint is the 2015 "
                          "councils that took its area"}


def official_name(reader: Reader, text: str) -> Match | None:
    """A council's official name or form: the council area of that name, and nothing else."""
    if not _MAYBE.search(str(text)):
        return None
    inverted = INVERTED.match(str(text))
    folded = fold(f"{inverted['form']} of {inverted['place']}" if inverted else text)
    if not folded or any(w in f" {folded} " for w in (" nhs ", " ccg ", " ccgs ", " clinical commissioning ")):
        return None
    exact = reader.gaz.official_councils.get(folded.removeprefix("the "))
    if exact is not None:
        return with_change_note(Match(MATCHED, "official council name", 100.0, [exact],
                                      [candidate(reader.gaz, [exact], 100.0)]))
    stem = SUFFIX.sub("", folded)
    if stem == folded and not inverted and not PREFIX.match(folded):
        return None
    county_council = folded.endswith(" county council")  # the council of 2015, not one formed since
    for place in dict.fromkeys([stem, PREFIX.sub("", stem)]):
        entries = [e for k in name_keys(place) for e in reader.gaz.areas.get(k, [])
                   if e.kind in COUNCIL_ENTRY_KINDS and not (county_council and e.kind == "council")]
        match = pick(reader, list(dict.fromkeys(entries)), "official council name", 100.0) if entries else None
        if match is not None:
            return with_change_note(match)
    return None


def with_change_note(match: Match) -> Match:
    """A match on a council formed after 2015 or a county abolished before says so."""
    kinds = {e.kind for e in match.entries}
    if match.matched and len(kinds) == 1 and kinds <= set(_NOTES):
        match.note = "; ".join(filter(None, [match.note, _NOTES[kinds.pop()]]))
    return match
