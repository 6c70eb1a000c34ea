"""What the geocoder says about one name: a status, the method that decided, and what it meant."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.geocode.gazetteer import Entry

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"
STATUSES = (MATCHED, AMBIGUOUS, UNMATCHED)
#: The method of a site kept as a network with no area footprint (matched, no LSOAs, no population).
NO_AREA_METHOD = "no area footprint (national or specialist network)"


#: Readings kept per name: enough to choose from, few enough to read.
MAX_CANDIDATES = 8
#: Between two readings in the ``candidates`` column ("label [codes] (score) | ...").
CANDIDATE_SEPARATOR = " | "
_CANDIDATE = re.compile(r"(?P<label>[^\[\]|]*) \[(?P<codes>[^\[\]|]*)\] \((?P<score>\d{1,3})\)")


@dataclass(frozen=True)
class Candidate:
    """One reading of a name, as data: the typed codes ``areas`` accepts (``ccg:02N;ccg:02R``), its
    label as the register or ONS spells it, and its score (0-100)."""

    codes: str
    label: str
    score: float

    def text(self) -> str:
        return f"{self.label} [{self.codes}] ({self.score:.0f})"


def render_candidates(candidates: Iterable[Candidate]) -> str:
    """The ``candidates`` column: best first, at most :data:`MAX_CANDIDATES`, each reading once."""
    unique: dict[str, Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.codes, candidate)
    ranked = sorted(unique.values(), key=lambda c: -c.score)[:MAX_CANDIDATES]
    return CANDIDATE_SEPARATOR.join(c.text() for c in ranked)


def parse_candidates(text: str) -> list[Candidate]:
    """The readings of a ``candidates`` cell, in order (the inverse of :func:`render_candidates`)."""
    out = []
    for part in str(text).split(CANDIDATE_SEPARATOR) if not blank(text) else []:
        found = _CANDIDATE.fullmatch(part.strip())
        if found:
            out.append(Candidate(found["codes"], found["label"], float(found["score"])))
    return out


@dataclass
class Match:
    """The outcome for one site: what it resolved to and why."""

    status: str
    method: str
    score: float
    entries: list[Entry] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.status == MATCHED


def status_summary(statuses: Iterable[str]) -> str:
    """"40 matched, 2 ambiguous, 1 unmatched": how a list fared, every status named."""
    counts = Counter(statuses)
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)


def unmatched(note: str, candidates: list[Candidate] | None = None) -> Match:
    return Match(UNMATCHED, "none", 0.0, [], candidates or [], note)


def blank(value: object) -> bool:
    """Empty, missing or NaN: a cell that says nothing."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""
