"""The picture's title in words, from the filters, with the care models written out."""

from __future__ import annotations

from collections.abc import Sequence

from geo.present.filters import PROGRAMMES, Filters, announced_label
from geo.present.wording import CARE_MODEL_NAMES, PIONEER

#: The whole programme's title, and its parts.
ALL_TITLE = "NHS vanguards and integration pioneers, 2013-2015"
SUBJECTS = {frozenset(): "NHS vanguards and integration pioneers", frozenset({"Vanguard"}): "NHS vanguards",
            frozenset({PIONEER}): "Health and social care integration pioneers"}
YEARS = {"Vanguard": (2015,), PIONEER: (2013, 2015)}


def title(filters: Filters) -> str:
    """The picture's title in words from the filters, care models written out.

    "Multispecialty community provider (MCP) vanguards, 2015"; "NHS vanguards in London, 2015"; the whole
    programme is :data:`ALL_TITLE`. Regions, a population range and a search are said after what is shown, and
    "announced by" replaces the years ("..., as announced by March 2015").
    """
    programmes = frozenset(p for p in filters.programmes if p in PROGRAMMES)
    if programmes == frozenset(PROGRAMMES):
        programmes = frozenset()
    models = [m for m in CARE_MODEL_NAMES if m in filters.care_models]
    models += [m for m in filters.care_models if m not in CARE_MODEL_NAMES and m != PIONEER]
    if models and set(models) != set(CARE_MODEL_NAMES):  # a care model is a vanguard's: pioneers have none
        names = [CARE_MODEL_NAMES.get(m, m) for m in models]
        names = names[:1] + [name[:1].lower() + name[1:] for name in names[1:]]
        subject = f"{_and(names)} vanguards"
        years: tuple[int, ...] = YEARS["Vanguard"]
    else:
        if models:  # every care model: the vanguards
            programmes = frozenset({"Vanguard"})
        subject = SUBJECTS[programmes]
        years = tuple(sorted({y for p in (programmes or PROGRAMMES) for y in YEARS[p]}))
    words = [subject]
    if filters.regions:
        words.append("in " + _and([r if r.split()[0] == "London" else f"the {r}" for r in filters.regions]))
    low, high = filters.population_min, filters.population_max
    if low is not None and high is not None:
        words.append(f"with {low:,} to {high:,} residents")
    elif low is not None:
        words.append(f"with at least {low:,} residents")
    elif high is not None:
        words.append(f"with at most {high:,} residents")
    if filters.search.strip():
        words.append(f"matching \u201c{filters.search.strip()}\u201d")
    if filters.announced_by:
        when = f"as announced by {announced_label(filters.announced_by)}"
    else:
        when = f"{years[0]}-{years[-1]}" if years[0] != years[-1] else str(years[0])
    return f"{' '.join(words)}, {when}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


