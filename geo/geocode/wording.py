"""The words that say what kind of name a name is (CCG, council, NHS, a compass point), and a
name's matching keys. Shared by every step, so a rule says "CCG" the same way everywhere."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from geo.geocode.normalise import fold, normalise, strip_generic

CCG_WORDS = (" ccg ", " ccgs ", " clinical commissioning ")
CCG_TEXT = re.compile(r"(?i)\b(clinical commissioning groups?|ccgs?)\b")
COUNCIL_WORDS = (" council ", " borough ", " district ", " county ")
QUALIFIERS = CCG_WORDS + COUNCIL_WORDS + (" nhs ", " trust ", " ft ")
#: Words that tell places apart; a spelling slip never changes one of them into another.
DISTINCT_WORDS = frozenset({"north", "south", "east", "west", "central", "mid", "inner", "outer", "upper", "lower",
                            "great", "greater", "new", "old", "city", "county", "coast"})
#: Compass points as lists abbreviate them ("N. Lincolnshire"; "NE Lincs" is not read).
_COMPASS = {"n": "north", "s": "south", "e": "east", "w": "west"}


def name_keys(text: str) -> list[str]:
    """A name's matching keys: normalised, without programme words, and with a leading compass
    point written out ("N. Lincolnshire" is North Lincolnshire)."""
    key = normalise(text)
    keys = [key, strip_generic(key)]
    keys += [_COMPASS[k[0]] + k[1:] for k in keys if k[1:2] == " " and k[:1] in _COMPASS]
    return list(dict.fromkeys(keys))


def says(text: str, words: tuple[str, ...]) -> bool:
    """Whether the name holds one of ``words`` (each written with a space either side)."""
    folded = f" {fold(text)} "
    return any(w in folded for w in words)


def says_ccg(text: str) -> bool:
    return says(text, CCG_WORDS)


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
