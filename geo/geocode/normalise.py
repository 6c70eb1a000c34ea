"""Name normalisation shared by every gazetteer entry and every query.

Both sides go through :func:`normalise`, so "NHS Wakefield CCG", "Wakefield Clinical
Commissioning Group" and "wakefield" meet at the same key. Only organisational words are
dropped; place words ("city", "north", "of") are kept because they tell places apart.
"""

from __future__ import annotations

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


def fold(text: str) -> str:
    """Lower case, ASCII, '&' as 'and', punctuation as spaces, single spaces."""
    text = re.sub(r"<[^>]*>", " ", str(text))  # markup is not part of a name
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
    stripped = re.sub(r"^(and )+|( and)+$", "", stripped).strip()
    stripped = BRAND_OPENERS.sub("", stripped)
    return stripped or key


def generic_free(text: str) -> str:
    """The name as written, less programme words, its separators kept for splitting into parts
    ("Kent and Medway Health and Care Partnership" -> "Kent and Medway")."""
    text = str(text).replace("&", " and ").replace("'", " ").replace("\u2019", " ")
    stripped = _GENERIC.sub(" ", text.lower())
    stripped = re.sub(r"^[\s,;/]*(and\b)?|(\band)?[\s,;/]*$", "", " ".join(stripped.split()))
    return BRAND_OPENERS.sub("", stripped.strip()) or str(text)


def brackets(name: str) -> tuple[str, list[str]]:
    """Split "Vitality (Birmingham)" into ("Vitality", ["Birmingham"])."""
    inner = re.findall(r"\(([^()]*)\)", name)
    outer = re.sub(r"\([^()]*\)", " ", name)
    return " ".join(outer.split()), [i.strip() for i in inner if i.strip()]


SEPARATORS = re.compile(r"\s*(?:/|;|,|\+|&|\band\b|\bwith\b)\s*", re.IGNORECASE)


def split_parts(name: str) -> list[str]:
    """Tokens between compound separators ("and", "&", "/", ",", ";")."""
    return [p for p in SEPARATORS.split(name) if p and p.strip()]
