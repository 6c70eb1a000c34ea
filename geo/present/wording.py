"""How the atlas writes things for readers: care models in full, and one style for numbers.

Every page, chart, picture and download takes its wording from here, so a population reads the
same on Overview, Coverage and a slide, and a care model is written out wherever it appears.
Populations are rounded to the nearest 100 when quoted (as ONS asks for small-area estimates);
downloads keep the exact sums and say so (:data:`EXACT_POPULATION_NOTE`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from geo.present.palette import OTHER_LABEL

#: The programme's two facets are the programme a site belongs to and (vanguards only) its care model.
#: Each vanguard care model's short name (as in the site lists and links) and its name in full.
CARE_MODEL_NAMES: dict[str, str] = {
    "PACS": "Primary and acute care system (PACS)",
    "MCP": "Multispecialty community provider (MCP)",
    "Enhanced health in care homes": "Enhanced health in care homes (EHCH)",
    "Urgent and emergency care": "Urgent and emergency care (UEC)",
    "Acute care collaboration": "Acute care collaboration (ACC)",
}
#: The site lists give pioneers this in ``care_model``: a programme, not a care model.
PIONEER = "Integration pioneer"
#: Pioneers where a key of colours or a chart lists care models beside them.
PIONEERS_LABEL = "Integration pioneers (no care model)"
#: The two headings of a key of colours: the vanguards' care models, then the other programme.
CARE_MODEL_HEADING = "Care model (vanguards)"
PROGRAMME_HEADING = "Programme"
#: Said wherever exact populations are given (downloads) beside rounded ones (pages).
EXACT_POPULATION_NOTE = (
    "Populations in this file are exact sums of small-area (LSOA) estimates. ONS asks that such estimates be "
    "rounded to the nearest 100 when quoted, as the atlas's pages do."
)
ROUNDED_POPULATION_NOTE = "Populations are rounded to the nearest 100 (ONS asks this of small-area estimates)."


def care_model_name(value: object) -> str:
    """A vanguard's care model in full; blank for a pioneer (no care model) or a missing value."""
    if not isinstance(value, str):
        return ""
    return CARE_MODEL_NAMES.get(value, "" if value in ("", PIONEER) else value)


def care_model_code(value: object) -> str:
    """The short name of a care model given in full or short ('Multispecialty community provider (MCP)' -> 'MCP')."""
    text = str(value).strip()
    for code, name in CARE_MODEL_NAMES.items():
        if text.casefold() in (code.casefold(), name.casefold()):
            return code
    return text


def key_label(care_model: object) -> str:
    """A key's (legend's, chart's) line for a site's care model: in full, or the pioneers' line."""
    if care_model == PIONEER:
        return PIONEERS_LABEL
    return care_model_name(care_model) or OTHER_LABEL


def key_groups(care_models: Iterable[object]) -> list[tuple[str, list[tuple[str, str]]]]:
    """A key of the care models present, as (heading, [(care model, line)]): the vanguards' care
    models in the programme's order, then the pioneers under "Programme", then anything else."""
    present = set(care_models)
    groups = [(CARE_MODEL_HEADING, [(m, n) for m, n in CARE_MODEL_NAMES.items() if m in present]),
              (PROGRAMME_HEADING, [(PIONEER, PIONEERS_LABEL)] if PIONEER in present else []),
              ("", [(OTHER_LABEL, OTHER_LABEL)] if present - set(CARE_MODEL_NAMES) - {PIONEER} else [])]
    return [(heading, rows) for heading, rows in groups if rows]


def blank(value: object) -> bool:
    """True for a value a reader should see as an empty cell (None, NaN, NA, empty text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        if value != value:  # pd.NA and NaT compare unequal (or raise)
            return True
    except TypeError:
        return True
    return isinstance(value, str) and not value.strip()


def rounded_people(n: object) -> int | None:
    """A population rounded to the nearest 100 (halves up), as ONS asks when quoting small-area estimates."""
    if blank(n):
        return None
    return int(math.floor(float(n) / 100 + 0.5) * 100)


def people(n: object) -> str:
    """A population as quoted on a page: nearest 100 with thousands separators ('30,618,200');
    'fewer than 50' rather than 0 for a small non-zero count, blank for no value."""
    rounded = rounded_people(n)
    if rounded is None:
        return ""
    if rounded == 0 and float(n) > 0:
        return "fewer than 50"
    return f"{rounded:,}"


def percent(value: object, of: object = None) -> str:
    """A percentage to one decimal ('55.9%'): ``value`` per cent, or ``value`` as a share of ``of``."""
    if blank(value) or (of is not None and (blank(of) or float(of) == 0)):
        return ""
    share = float(value) / float(of) * 100 if of is not None else float(value)
    return f"{share:.1f}%"


def axis_scale(largest: float) -> tuple[float, str]:
    """Divisor and unit word for a chart axis of people: thousands, or millions from a million up."""
    return (1_000_000.0, "millions") if largest >= 1_000_000 else (1_000.0, "thousands")


def axis_label_expression(largest: float) -> str:
    """A Vega expression that labels an axis of people in thousands or millions ('2.5', not '2,500,000')."""
    divisor, _unit = axis_scale(largest)
    return f"format(datum.value / {divisor:g}, ',~r')"
