"""Typed codes, the one language of ``areas`` and of every candidate: ``ccg:02N``, ``lad:E08000032``.

Both ways: :func:`typed_codes` writes a reading as codes and :func:`read_codes` reads them back,
so a candidate's codes pasted into ``areas`` give exactly that reading's footprint. A reading that
is no single code (the CCGs of a council, a town's districts, a council formed after 2015) is
written as the whole CCGs or districts it is made of.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from geo.geocode.gazetteer import DISTRICT_UNIONS, Entry, Gazetteer
from geo.geocode.match import Candidate

#: Kinds written and read as themselves (``kind:code``); a CCG within a district ("point") is written
#: ``cell:12F/E08000015``.
TYPED_KINDS = ("ccg", "ccg13", "lad", "utla", "county", "gor", "at13", "office", "practice", "trust", "point")
#: Typed codes of one family: a unitary authority is both district and upper tier, and a 2013 CCG
#: code may be a 2015 one too. A code of another family (``lad:12F``) is refused, not reinterpreted.
CODE_FAMILY = {"ccg": "ccg", "ccg13": "ccg", "lad": "la", "utla": "la", "council": "la", "county": "grouping",
               "gor": "grouping", "at13": "grouping", "office": "grouping", "practice": "practice", "trust": "trust",
               "point": "point", "cell": "point"}
KIND_NAMES = {"ccg": "a CCG", "ccg13": "a 2013 CCG", "lad": "a district", "utla": "an upper-tier authority",
              "council": "a council formed after 2015", "county": "a county", "gor": "a government region",
              "at13": "an NHS England area team", "office": "an NHS England local office",
              "practice": "a GP practice", "trust": "an NHS trust", "point": "a CCG within a district",
              "cell": "a CCG within a district"}
#: Characters a label may not hold in the ``candidates`` column (they delimit its readings).
_DELIMITERS = str.maketrans({"[": "(", "]": ")", "|": "/"})


def typed_codes(gaz: Gazetteer, entries: Iterable[Entry]) -> str:
    """The codes of a reading, ';'-separated, each once."""
    codes: list[str] = []
    for entry in _distinct(gaz, list(entries)):
        codes += _codes_of(gaz, entry)
    return ";".join(dict.fromkeys(codes))


def _distinct(gaz: Gazetteer, entries: list[Entry]) -> list[Entry]:
    """One entry for each distinct area (Wirral CCG and Wirral district are one), the plainest kind."""
    if len(entries) == 1:
        return entries
    groups = gaz.readings(entries) or [[e] for e in entries]
    return [min(group, key=lambda e: TYPED_KINDS.index(e.kind) if e.kind in TYPED_KINDS else len(TYPED_KINDS))
            for group in groups]


def _codes_of(gaz: Gazetteer, entry: Entry) -> list[str]:
    if entry.kind == "point":
        return [f"cell:{entry.code.replace('|', '/')}"]
    if entry.kind in TYPED_KINDS:
        return [f"{entry.kind}:{entry.code}"]
    return [c for e in entries_of(gaz, gaz.lsoas(entry), entry.kind in DISTRICT_UNIONS) for c in _codes_of(gaz, e)]


def entries_of(gaz: Gazetteer, lsoas: frozenset[str], districts_first: bool = False) -> list[Entry]:
    """Entries that make up ``lsoas`` exactly: whole CCGs, or whole districts, or else CCGs within
    districts (every footprint the geocoder gives is one of these); none for an area with no LSOAs here
    (a small test build of a few districts)."""
    if not lsoas:
        return []
    for kind in ("lad", "ccg", "point") if districts_first else ("ccg", "lad", "point"):
        whole = gaz.whole_areas(kind, lsoas)
        if whole is not None:
            return [Entry(kind, code, "") for code in whole]
    raise ValueError("these LSOAs are not whole CCGs within districts")


def candidate(gaz: Gazetteer, entries: list[Entry], score: float, label: str = "") -> Candidate:
    """One reading as a candidate: its codes, its label (the register's or ONS's spelling) and score."""
    codes, own = _reading(gaz, tuple(entries))
    return Candidate(codes, label.translate(_DELIMITERS) if label else own, float(round(score)))


@lru_cache(maxsize=16384)
def _reading(gaz: Gazetteer, entries: tuple[Entry, ...]) -> tuple[str, str]:
    """The codes and label of a reading (entries come from the gazetteer, so this keeps no user's text)."""
    label = " + ".join(dict.fromkeys(gaz.label(e) for e in _distinct(gaz, list(entries))))
    return typed_codes(gaz, entries), label.translate(_DELIMITERS)


def candidates(gaz: Gazetteer, readings: Iterable[list[Entry]], score: float) -> list[Candidate]:
    """Each reading (a list of entries) as a candidate of the same score."""
    return [candidate(gaz, group, score) for group in readings]


@dataclass
class ReadCodes:
    """What ``areas`` holds: the entries its codes name, the items that are no code, and codes of
    the wrong kind (each with what to write instead)."""

    entries: list[Entry] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def read_codes(gaz: Gazetteer, text: str) -> ReadCodes:
    """Typed codes (``lad:E08000015``) or bare codes, ';'-separated."""
    out = ReadCodes()
    for item in (a.strip() for a in str(text).split(";")):
        if not item:
            continue
        kind, colon, code = item.partition(":")
        kind, code = kind.strip().lower(), code.strip()
        typed = bool(colon) and kind in CODE_FAMILY
        entry = None
        if typed:
            entry = gaz.entry("point", code.replace("/", "|")) if kind == "cell" else gaz.entry(kind, code)
        if entry is None:
            entry = gaz.codes.get(code.upper() if typed else item.upper())
        if entry is not None and typed and CODE_FAMILY.get(entry.kind) != CODE_FAMILY[kind]:
            out.wrong.append(f"{item} is the code of {KIND_NAMES.get(entry.kind, entry.kind)}, not "
                             f"{KIND_NAMES[kind]}: write {entry.kind}:{code}")
        elif entry is not None:
            out.entries.append(entry)
        else:
            out.unknown.append(item)
    return out
