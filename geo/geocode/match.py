"""What the geocoder says about one name: a status, the method that decided, and what it meant."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.geocode.gazetteer import Entry

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"
STATUSES = (MATCHED, AMBIGUOUS, UNMATCHED)
#: The method of a site kept as a network with no area footprint (matched, no LSOAs, no population).
NO_AREA_METHOD = "no area footprint (national or specialist network)"


@dataclass
class Match:
    """The outcome for one site: what it resolved to and why."""

    status: str
    method: str
    score: float
    entries: list[Entry] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.status == MATCHED


def status_summary(statuses: Iterable[str]) -> str:
    """"40 matched, 2 ambiguous, 1 unmatched": how a list fared, every status named."""
    counts = Counter(statuses)
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)


def unmatched(note: str, candidates: list[str] | None = None) -> Match:
    return Match(UNMATCHED, "none", 0.0, [], candidates or [], note)


def blank(value: object) -> bool:
    """Empty, missing or NaN: a cell that says nothing."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""
