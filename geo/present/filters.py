"""The shared filters: pure selection of sites, and checking values that arrive in a URL.

The app binds its sidebar widgets to the URL, so a filtered view is a link. A link can carry
anything, so values are checked here (no streamlit) and unknown ones are dropped with a
notice that says what was ignored, rather than an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from geo.present.wording import CARE_MODEL_NAMES, PIONEER, care_model_code, care_model_name

PROGRAMMES: tuple[str, ...] = ("Vanguard", "Integration pioneer")
#: The vanguards' care models (short names, as in the site lists); pioneers are a programme, not a care model.
CARE_MODELS: tuple[str, ...] = tuple(CARE_MODEL_NAMES)
#: The care model filter shows them in full, and so does its link; a link may also give the short name.
CARE_MODEL_OPTIONS: tuple[str, ...] = tuple(CARE_MODEL_NAMES.values())
#: The programme's announcements, oldest first: (month, what was announced). The "announced by"
#: filter shows the programme as it stood at the end of a month, so it can be stepped through.
ANNOUNCEMENTS: tuple[tuple[str, str], ...] = (
    ("2013-11", "Integration pioneers, wave 1"), ("2015-01", "Integration pioneers, wave 2"),
    ("2015-03", "Vanguards, wave 1 (PACS, MCP, care homes)"), ("2015-07", "Urgent and emergency care vanguards"),
    ("2015-09", "Acute care collaborations"),
)
ANNOUNCED_MONTHS: tuple[str, ...] = tuple(m for m, _ in ANNOUNCEMENTS)
#: What the control shows and the link carries ("by=March+2015"): month names, readable in a URL.
ANNOUNCED_LABELS: tuple[str, ...] = tuple(pd.Timestamp(f"{m}-01").strftime("%B %Y") for m in ANNOUNCED_MONTHS)
#: URL keys of the shared filters: short and stable, since links outlive releases.
KEYS = {"programme": "programme", "care_model": "model", "region": "region", "population": "pop", "search": "q",
        "announced_by": "by"}
#: The population slider works in thousands of people.
POPULATION_UNIT = 1000
MAX_SEARCH = 100
#: Parameters Streamlit itself may put in a URL; never reported as unknown.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
#: Columns the name search looks in.
SEARCH_COLUMNS = ("display_name", "name_as_printed", "lead_organisation", "ccg_names", "lad_names", "utla_names")


@dataclass(frozen=True)
class Filters:
    """A choice of sites. Empty tuples and ``None`` bounds mean no restriction."""

    programmes: tuple[str, ...] = ()
    care_models: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    population_min: int | None = None
    population_max: int | None = None
    search: str = ""
    announced_by: str | None = None  # "YYYY-MM": sites announced in or before that month

    def is_default(self) -> bool:
        """True when nothing is filtered out."""
        return self == Filters()

    def describe(self, written_out: bool = False) -> list[str]:
        """Short words for what is filtered, for file names (care models in full when ``written_out``,
        for captions and pictures); empty when nothing is filtered."""
        models = [care_model_name(m) or m for m in self.care_models] if written_out else list(self.care_models)
        words = list(self.programmes) + models + list(self.regions)
        if self.population_min is not None or self.population_max is not None:
            low = f"{self.population_min:,}" if self.population_min is not None else "0"
            high = f"{self.population_max:,}" if self.population_max is not None else "any"
            words.append(f"population {low} to {high}")
        if self.search:
            words.append(f"matching '{self.search}'")
        if self.announced_by:
            words.append(f"announced by {announced_label(self.announced_by)}")
        return words


@dataclass
class Checked:
    """URL values after checking: the usable ones per key, and a notice per ignored value."""

    values: dict[str, list[str]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def announced_label(month: str) -> str:
    """'2015-07' -> 'July 2015'."""
    return pd.Timestamp(f"{month}-01").strftime("%B %Y")


def announcement_choice(month: str) -> str:
    """A step of the "announced by" control in words: the month and what came then."""
    return f"{announced_label(month)}: {dict(ANNOUNCEMENTS).get(month, '')}".rstrip(": ")


def region_options(lsoas: pd.DataFrame) -> tuple[str, ...]:
    """The 2015 NHS England regions, north to south, as named in the LSOA table."""
    names = lsoas.drop_duplicates("nhs_region_name")
    order = {"North": 0, "Midlands": 1, "London": 2, "South": 3}
    return tuple(sorted(names["nhs_region_name"], key=lambda n: (order.get(n.split()[0], 9), n)))


def split_list(value: object) -> list[str]:
    """A ';'-joined cell as a list (empty for missing values)."""
    if not isinstance(value, str) or not value.strip():
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def site_regions(frame: pd.DataFrame) -> pd.Series:
    """Each site's NHS regions: those of its footprint, else the region given with the site."""
    footprint = frame["nhs_regions"].map(split_list) if "nhs_regions" in frame else pd.Series([[]] * len(frame))
    footprint.index = frame.index
    if "region_inferred" not in frame:
        return footprint
    given = frame["region_inferred"].map(lambda r: [r] if isinstance(r, str) and r else [])
    return footprint.where(footprint.map(len) > 0, given)


def apply_filters(frame: pd.DataFrame, filters: Filters, regions: pd.Series | None = None) -> pd.DataFrame:
    """The rows of ``frame`` that pass ``filters``, in their original order.

    Region matching is by the footprint's regions (``site_regions``), and a region filter
    matches a region name either exactly or by its first word ('North' matches 'North of
    England'), so both the 2015 names and the short names in the site lists work.
    """
    keep = pd.Series(True, index=frame.index)
    if filters.programmes:
        keep &= frame["programme"].isin(filters.programmes)
    if filters.care_models:
        keep &= frame["care_model"].isin(filters.care_models)
    if filters.regions:
        regions = site_regions(frame) if regions is None else regions
        wanted = {r.casefold() for r in filters.regions} | {r.split()[0].casefold() for r in filters.regions}
        keep &= regions.map(lambda rs: any(r.casefold() in wanted or r.split()[0].casefold() in wanted for r in rs))
    if filters.population_min is not None or filters.population_max is not None:
        pop = pd.to_numeric(frame["population"], errors="coerce")
        low = filters.population_min if filters.population_min is not None else -math.inf
        high = filters.population_max if filters.population_max is not None else math.inf
        keep &= pop.between(low, high).fillna(False).astype(bool)
    if filters.search.strip():
        keep &= _search_text(frame).map(_matcher(filters.search))
    if filters.announced_by and "announced" in frame:
        keep &= frame["announced"].fillna("").astype(str).str[:7] <= filters.announced_by
    return frame[keep]


def _search_text(frame: pd.DataFrame) -> pd.Series:
    cols = [c for c in SEARCH_COLUMNS if c in frame]
    if not cols:
        return pd.Series("", index=frame.index)
    return frame[cols].fillna("").astype(str).agg(" ".join, axis=1).str.casefold()


def _matcher(search: str):
    terms = search.casefold().split()
    return lambda text: all(term in text for term in terms)


def population_bounds(populations: Iterable[object]) -> tuple[int, int]:
    """The slider's range in thousands: 0 to the largest site population, rounded up to 100k."""
    values = pd.to_numeric(pd.Series(list(populations), dtype=object), errors="coerce").dropna()
    top = int(values.max()) if len(values) else 0
    return 0, max(100, int(math.ceil(top / 100_000) * 100))


def filters_from_values(
    programmes: Sequence[str] = (),
    care_models: Sequence[str] = (),
    regions: Sequence[str] = (),
    population_k: tuple[float, float] | None = None,
    bounds_k: tuple[int, int] | None = None,
    search: str = "",
    announced_by: str | None = None,
) -> Filters:
    """Build ``Filters`` from widget values; a population range equal to the bounds is no filter,
    and so is "announced by" the last announcement."""
    low = high = None
    if population_k is not None and bounds_k is not None:
        if population_k[0] > bounds_k[0]:
            low = int(population_k[0] * POPULATION_UNIT)
        if population_k[1] < bounds_k[1]:
            high = int(population_k[1] * POPULATION_UNIT)
    by = dict(zip(ANNOUNCED_LABELS, ANNOUNCED_MONTHS)).get(announced_by or "", announced_by)
    by = by if by in ANNOUNCED_MONTHS[:-1] else None
    models = tuple(care_model_code(m) for m in care_models)
    return Filters(tuple(programmes), models, tuple(regions), low, high, search.strip()[:MAX_SEARCH], by)


def care_models_from_link(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Care models a link gives, as the filter shows them (in full), and any programme given there:
    "MCP" is the multispecialty community provider, and "Integration pioneer", which links made before
    the two facets were separated put under ``model``, is a programme."""
    models = [CARE_MODEL_NAMES[care_model_code(v)] for v in values if care_model_code(v) in CARE_MODEL_NAMES]
    return list(dict.fromkeys(models)), [PIONEER] if PIONEER in values else []


def check_query(
    params: Mapping[str, Sequence[str]],
    regions: Sequence[str],
    bounds_k: tuple[int, int],
) -> Checked:
    """Check URL parameters of the shared filters; keep what is valid, say what is ignored.

    ``params`` maps each key to all its values (repeated keys carry several). Unknown keys,
    unknown options, numbers that do not parse or fall outside ``bounds_k``, a key that takes one
    value given several, and overlong searches are reported: one notice per key (and one for every
    unknown key together), naming the first few values, so a link of 999 bad values is one notice.
    """
    out = Checked()
    choices = {KEYS["programme"]: ("programme", PROGRAMMES), KEYS["care_model"]: ("care model", CARE_MODEL_OPTIONS),
               KEYS["region"]: ("NHS region", tuple(regions))}
    also = {KEYS["care_model"]: (*CARE_MODELS, PIONEER)}  # short names, and pioneers in older links
    unknown: list[str] = []
    for key, raw in params.items():
        values = [raw] if isinstance(raw, str) else list(raw)
        if key in choices:
            what, options = choices[key]
            good = [v for v in values if v in options or v in also.get(key, ()) or v == ""]
            bad = [v for v in values if v not in good]
            if bad:
                out.notices.append(f"Ignored {key}={_shown_all(bad)} from the link: not a known {what} "
                                   f"(one of {', '.join(options)}).")
            out.values[key] = good
        elif key == KEYS["population"]:
            out.values[key] = _check_population(key, values, bounds_k, out.notices)
        elif key == KEYS["announced_by"]:
            good = values if len(values) == 1 and values[0] in ANNOUNCED_LABELS else []
            if not good:
                why = "give one month" if len(values) > 1 else "not an announcement month"
                out.notices.append(f"Ignored {key}={_shown_all(values)} from the link: {why} "
                                   f"(one of {', '.join(ANNOUNCED_LABELS)}).")
            out.values[key] = good
        elif key == KEYS["search"]:
            if len(values) > 1:
                out.notices.append(f"Ignored {key}={_shown_all(values)} from the link: the search takes one text.")
                out.values[key] = []
                continue
            text = values[-1] if values else ""
            if len(text) > MAX_SEARCH:
                out.notices.append(f"Shortened the search from the link to its first {MAX_SEARCH} characters.")
            out.values[key] = [text[:MAX_SEARCH]]
        elif key not in STREAMLIT_PARAMS:
            unknown.append(key)
    if unknown:
        what = "a filter" if len(unknown) == 1 else "filters"
        out.notices.append(f"Ignored {_shown_all(unknown)} in the link: not {what} of this atlas "
                           f"(filters are {', '.join(KEYS.values())}).")
    return out


def _check_population(key: str, values: list[str], bounds_k: tuple[int, int], notices: list[str]) -> list[str]:
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        notices.append(f"Ignored {key}={_shown(','.join(values))} from the link: the population range takes "
                       f"two numbers of thousands, such as {key}=100&{key}=500.")
        return []
    if len(numbers) != 2 or any(math.isnan(n) for n in numbers) or numbers[0] > numbers[1]:
        notices.append(f"Ignored {key}={_shown(','.join(values))} from the link: the population range takes "
                       f"two numbers of thousands, low then high, such as {key}=100&{key}=500.")
        return []
    if numbers[0] < bounds_k[0] or numbers[1] > bounds_k[1]:
        notices.append(f"Ignored {key}={_shown(','.join(values))} from the link: the population range must lie "
                       f"within {bounds_k[0]} to {bounds_k[1]} thousand.")
        return []
    return [f"{n:g}" for n in numbers]


def _shown(value: str, limit: int = 40) -> str:
    """A value from a URL, shortened for a notice (the UI escapes it)."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _shown_all(values: Sequence[str], first: int = 3) -> str:
    """The first few values from a URL and how many more, for one notice about them all."""
    shown = ", ".join(_shown(v) for v in values[:first])
    return shown + (f" and {len(values) - first:,} more" if len(values) > first else "")
