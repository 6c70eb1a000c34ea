"""What a name can mean: an :class:`Entry` (a kind, a code and a label), and the kinds there are."""

from __future__ import annotations

from dataclasses import dataclass

#: Kinds a curated alias may target.
TARGET_KINDS = ("ccg", "ccg13", "lad", "utla", "county", "gor", "at13", "office", "practice", "trust", "ccgsof",
                "ccgsin")
#: Kinds whose code is the ';'-separated districts they are made of: a town's, a council's formed
#: after 2015, a county's abolished before it.
DISTRICT_UNIONS = ("town", "council", "formercounty")


@dataclass(frozen=True)
class Entry:
    """One thing a name can mean: a kind, a code and a readable label."""

    kind: str  # ccg | ccg13 | lad | utla | county | gor | at13 | office | practice | trust | town | ...
    code: str
    label: str
