"""Name normalisation shared by every gazetteer entry and every query.

Both sides go through :func:`normalise`, so "NHS Wakefield CCG", "Wakefield Clinical
Commissioning Group" and "wakefield" meet at the same key. Only organisational words are
dropped; place words ("city", "north", "of") are kept because they tell places apart.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

# Longest phrases first: each is removed as whole words.
ORG_WORDS = [
    "clinical commissioning groups", "clinical commissioning group", "nhs foundation trust",
    "foundation trust", "nhs trust", "metropolitan borough council", "royal borough of",
    "london borough of", "borough council", "district council", "county council", "city council",
    "council", "ccgs", "ccg", "nhs", "ft", "the", "ltd", "limited", "plc", "cic",
]
#: Words that describe a programme or partnership rather than a place; dropped only when the
#: rest of the name is non-empty ("Calderdale Health and Social Care Economy" -> "calderdale").
GENERIC_PHRASES = [
    "health and social care economy", "local health and care economy", "local health economy",
    "health economy", "health and social care", "health and care", "integrated provider partnership",
    "integrated care partnership", "integrated care", "vanguard", "pioneer", "partnership", "programme",
    "system resilience group", "urgent and emergency care network", "urgent care network",
    "together", "primary and community care providers", "providers", "and partners",
    "women s and children s services", "women s and children services", "services",
    # the kinds of body later programmes named themselves after ("Norfolk and Waveney STP")
    "sustainability and transformation partnership", "sustainability and transformation plan",
    "sustainability and transformation", "stp", "integrated care system", "ics", "accountable care system",
    "accountable care organisation", "success regime",
]
#: Words a brand puts before its place ("One Gloucestershire", "Our Dorset"); never part of one.
BRAND_OPENERS = re.compile(r"^(?:our|one) ")


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


_ORG = _phrase_pattern(ORG_WORDS)
_GENERIC = _phrase_pattern(GENERIC_PHRASES)
_COMMA_OF = re.compile(r",\s*(city|county) of\b")  # "Bristol, City of" -> "Bristol"
#: A tag. Its text may not hold "<" either, so a long run of "<" is read once, not once per "<"
#: (every pattern here is linear in the length of a name: tests/test_hostile.py, bench/geocode.py).
_MARKUP = re.compile(r"<[^<>]*>")
#: Separators that may open or close a name's text ("Kent and Medway, " -> "Kent and Medway").
_EDGE_SEPARATORS = " ,;/"


def fold(text: str) -> str:
    """Lower case, ASCII, '&' as 'and', punctuation as spaces, single spaces."""
    text = _MARKUP.sub(" ", str(text))  # markup is not part of a name
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _COMMA_OF.sub("", text.lower())
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def normalise(name: str) -> str:
    """The matching key of a name: folded, organisational words removed."""
    return " ".join(_ORG.sub(" ", fold(name)).split())


def strip_generic(key: str) -> str:
    """Drop programme words from a normalised key, unless nothing would be left."""
    stripped = " ".join(_GENERIC.sub(" ", key).split())
    stripped = _trim_and(stripped)
    stripped = BRAND_OPENERS.sub("", stripped)
    return stripped or key


def generic_free(text: str) -> str:
    """The name as written, less programme words, its separators kept for splitting into parts
    ("Kent and Medway Health and Care Partnership" -> "Kent and Medway")."""
    text = str(text).replace("&", " and ").replace("'", " ").replace("\u2019", " ")
    stripped = _GENERIC.sub(" ", text.lower())
    stripped = _trim_edges(" ".join(stripped.split()))
    return BRAND_OPENERS.sub("", stripped.strip()) or str(text)


def _trim_and(key: str) -> str:
    """A key without the "and"s that open or close it ("and leeds and" -> "leeds"); a lone word stays.

    Word by word, not by a pattern anchored at the end, which would be tried at every "and" of a
    long key (quadratic)."""
    words = key.split()
    start, end = 0, len(words)
    while start < end - 1 and words[start] == "and":
        start += 1
    while end - start > 1 and words[end - 1] == "and":
        end -= 1
    return " ".join(words[start:end])


def _trim_edges(text: str) -> str:
    """Text without the separators, and an "and" just inside them, at either end (linear)."""
    text = text.lstrip(_EDGE_SEPARATORS)
    if re.match(r"and\b", text):
        text = text[3:]
    text = text.rstrip(_EDGE_SEPARATORS)
    if re.search(r"\band\Z", text[-4:]):
        text = text[:-3]
    return text


def brackets(name: str) -> tuple[str, list[str]]:
    """Split "Vitality (Birmingham)" into ("Vitality", ["Birmingham"])."""
    inner = re.findall(r"\(([^()]*)\)", name)
    outer = re.sub(r"\([^()]*\)", " ", name)
    return " ".join(outer.split()), [i.strip() for i in inner if i.strip()]


SEPARATORS = re.compile(r"/|;|,|\+|&|\band\b|\bwith\b", re.IGNORECASE)


def split_parts(name: str) -> list[str]:
    """Tokens between compound separators ("and", "&", "/", ",", ";"), trimmed.

    The pattern matches the separator alone: one that also took the spaces around it would be
    tried from every space of a long run of them (quadratic)."""
    return [p.strip() for p in SEPARATORS.split(name) if p.strip()]


#: A programme's title that names its place after "in": "Transforming Health and Social Care in Kent
#: and Medway". Only where the words before "in" are about health or care, so a place such as
#: "Sutton in Ashfield" is never cut. The title runs to the first "in" after its last such word.
TITLE_WORDS = re.compile(r"(?i)\b(?:health|care|wellbeing)\b")
IN_WORD = re.compile(r"(?i)(?= in \S)")


def title_and_place(text: str) -> tuple[str, str] | None:
    """("Health and Care", "Kent") from "Health and Care in Kent"; ``None`` if the text is no such title.

    Found by two scans rather than one pattern with a ``.*`` before and after the health word, which
    backtracks over every such word of a long cell (quadratic). The place holds no title of its own
    (its health words have no "in" after them), so reading it never recurses."""
    text = " ".join(str(text).split())
    ins = [m.start() for m in IN_WORD.finditer(text)]
    ends = [m.end() for m in TITLE_WORDS.finditer(text, 0, ins[-1])] if ins else []
    if not ends:
        return None
    start = ins[bisect.bisect_left(ins, ends[-1])]
    return text[:start], text[start + 4:]


def text_readings(text: str) -> tuple:
    """Everything the ladder makes of a name's text before it looks anything up; bench/geocode.py and
    tests/test_hostile.py time it on hostile cells (each of these must stay linear in the text's length)."""
    return (fold(text), strip_generic(normalise(text)), split_parts(generic_free(text)), brackets(text),
            title_and_place(text))
