"""The page address: the shared filters and each page's own choices, kept in the URL so a view is a link.

Why not Streamlit's ``bind="query-params"`` (1.67): a bound widget belongs to the page whose script
created it, and on a page switch Streamlit drops from the address every parameter bound on another page
(``QueryParams.populate_from_query_string`` in ``streamlit.runtime.state.query_params``), then pushes the
shortened address to the browser's history. The sidebar filters are created by each page
(:func:`ui.shell.start`), so a shared link lost its filters on the first move between pages, and Back
showed addresses nobody had seen. A bound multiselect also writes its labels ("NHS+region"), not its
values. So the address is kept here, with the widgets unbound:

- The session remembers what the address meant when it last looked (:data:`KNOWN`). A run in which the
  user changed a widget rewrites the address, once: one history entry per change. Any other run takes the
  widgets' values from the URL, which differs from what the session knew only after a move (a link
  opened, Back or Forward, a page link); a move adds no history entry of its own.
- The sidebar's page links carry the filters, and the target page's own choices as last seen, so a move
  between pages keeps the view and returning to the Map keeps its outlines and shading.

A page's own choices are registered in :data:`PAGE_PARAMS` (name in the address, widget key, default,
allowed values); the page's widget then needs only that ``key`` and no ``bind``. One owner of the address:
a widget bound by Streamlit as well would be dropped on page moves again (a test checks none is).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from geo.present import filters as flt

#: What the address meant when this session last looked: parameter name -> value (as the widget holds it).
KNOWN = "_address_known"

Value = str | list[str] | tuple[int, int]


@dataclass(frozen=True)
class PageParam:
    """One choice a page keeps in the address: ``name`` in the URL, the widget's ``key``, its ``default``
    (left out of the address) and the values it accepts (``None``: any text). ``many`` for a multiselect
    (a list; an empty choice is written ``name=`` when the default is not empty)."""

    name: str
    key: str
    default: str | tuple[str, ...]
    choices: Callable[[], Iterable[str]] | None = None
    many: bool = False

    def read(self, texts: Sequence[str]) -> Value:
        """The value the URL's texts mean: unknown values dropped, the default when absent or unusable."""
        allowed = None if self.choices is None else set(self.choices())
        if self.many:
            if not texts:
                return list(self.default)
            good = [t for t in dict.fromkeys(texts) if t and (allowed is None or t in allowed)]
            return good if good or all(t == "" for t in texts) else list(self.default)
        text = texts[-1] if texts else ""
        return text if text and (allowed is None or text in allowed) else str(self.default)

    def notice(self, texts: Sequence[str]) -> str | None:
        """What the page says about the link's values it does not know (``None`` when it knows them all)."""
        if self.choices is None:
            return None
        choices = [c for c in self.choices() if c]
        bad = [t for t in dict.fromkeys(texts) if t and t not in choices]
        if not bad:
            return None
        shown = ", ".join(repr(t if len(t) <= 40 else t[:40] + "...") for t in bad[:3])
        more = f" and {len(bad) - 3:,} more" if len(bad) > 3 else ""
        return f"Ignored {self.name}={shown}{more} from the link: not one of {', '.join(choices)}."

    def write(self, value: Value) -> list[str]:
        """The texts for the URL: none for the default, ``[""]`` for an empty choice that is not the default."""
        if self.many:
            chosen = [str(v) for v in value]
            if chosen == list(self.default):
                return []
            return chosen or [""]
        return [] if value == self.default else [str(value)]


def _outline_choices() -> tuple[str, ...]:
    return ("nhs_region", "ccg", "lad")


def _shading_choices() -> tuple[str, ...]:
    from geo.present.folium_map import DEPRIVATION_KEY

    return ("", "ccg", "lad", "utla", "nhs_local_office", DEPRIVATION_KEY)


#: Each page's own choices in the address, by the page's url_path (ui.shell.PAGES). Short, readable names:
#: ``/map?outlines=ccg&outlines=lad&shading=imd&place=Halifax``. The values are the widgets' own (ids, not labels).
PAGE_PARAMS: dict[str, tuple[PageParam, ...]] = {
    "map": (
        PageParam("outlines", "map_outlines", ("nhs_region",), _outline_choices, many=True),
        PageParam("shading", "map_choropleth", "", _shading_choices),
        # the site whose details are shown (its id; any text: the chooser drops one the filters hide)
        PageParam("site", "site", ""),
        PageParam("place", "place", ""),  # "What covered this place?" (ui.place_lookup): any text
    ),
}


def page_param_names() -> frozenset[str]:
    """Every page's own parameter names (not filters, so a link's check does not call them unknown)."""
    return frozenset(p.name for params in PAGE_PARAMS.values() for p in params)


# --- the shared filters ------------------------------------------------------------------------------

def _filter_defaults(bounds: tuple[int, int]) -> dict[str, Value]:
    k = flt.KEYS
    return {k["programme"]: [], k["care_model"]: [], k["region"]: [], k["population"]: tuple(bounds),
            k["search"]: "", k["announced_by"]: flt.ANNOUNCED_LABELS[-1]}


def read_filters(params: Mapping[str, Sequence[str]], regions: Sequence[str],
                 bounds: tuple[int, int]) -> dict[str, Value]:
    """The filter values a URL means, as the sidebar widgets hold them (widget key -> value).

    Values are checked as :func:`geo.present.filters.check_query` checks them (what it ignores is
    ignored here too); a care model may be given by its short name ("model=MCP"), and an older link's
    pioneers under ``model`` choose the programme.
    """
    k = flt.KEYS
    good = flt.check_query({key: list(v) for key, v in params.items() if key in k.values()}, regions, bounds).values
    values = _filter_defaults(bounds)
    models, programmes = flt.care_models_from_link([v for v in good.get(k["care_model"], []) if v])
    values[k["programme"]] = list(dict.fromkeys([v for v in good.get(k["programme"], []) if v] + programmes))
    values[k["care_model"]] = models
    values[k["region"]] = list(dict.fromkeys(v for v in good.get(k["region"], []) if v))
    pop = good.get(k["population"], [])
    if len(pop) == 2:
        values[k["population"]] = (int(round(float(pop[0]))), int(round(float(pop[1]))))
    by = good.get(k["announced_by"], [])
    if by:
        values[k["announced_by"]] = by[0]
    search = good.get(k["search"], [])
    if search:
        values[k["search"]] = search[0]
    return values


def write_filters(values: Mapping[str, Value], bounds: tuple[int, int]) -> dict[str, list[str]]:
    """The URL texts for filter values: only what differs from the defaults (no filter, no parameter)."""
    defaults = _filter_defaults(bounds)
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        if _same(value, defaults[key]):
            continue
        out[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return out


def _same(a: Value, b: Value) -> bool:
    """Equal as values: a slider gives a tuple, a link a list."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b


# --- one run: read the address, settle it with the widgets, write it once -----------------------------

def _url(names: Iterable[str]) -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in names if name in st.query_params}


def _settle(meant: Mapping[str, Value], keys: Mapping[str, str], defaults: Mapping[str, Value]) -> dict[str, Value]:
    """The value of each parameter for this run, with the widgets (``keys``: name -> widget key) set to it.

    A run in which the user changed a widget (its value is not the one this session last knew) is the
    widgets': the address follows them. Any other run follows the URL, which then means something else
    than the session last knew only after a move: a link, Back or Forward, a page link. A move sends no
    widget change, and a change made while the previous change's address was still on its way to the
    browser (the URL lags behind: no move) must not undo that previous change."""
    state = st.session_state
    known = state.get(KNOWN, {})
    last = {name: known.get(name, defaults[name]) for name in keys}
    changed = any(key in state and not _same(state[key], last[name]) for name, key in keys.items())
    values: dict[str, Value] = {}
    for name, key in keys.items():
        if changed:
            values[name] = state[key] if key in state else last[name]
        else:
            values[name] = meant[name]
        # set every run: after a page move the widget is a new one (each page creates its own) and starts
        # from its default even where the session still holds the value under its key (tried: "announced
        # by" came back as September); setting it is how it starts from the value
        state[key] = list(values[name]) if isinstance(values[name], list) else values[name]
    state[KNOWN] = {**known, **values}
    return values


def sync(page: str | None, regions: Sequence[str], bounds: tuple[int, int]) -> list[str]:
    """Settle the address for this run of ``page`` (a url_path; ``None`` for an unknown page): the filters
    and the page's own choices. Call before any of their widgets is drawn. Returns a notice per page choice
    in the link that was ignored (the filters' own are checked by ui.sidebar)."""
    filter_keys = {key: key for key in flt.KEYS.values()}  # the filters' widget keys are their URL names
    own = PAGE_PARAMS.get(page or "", ())
    url = _url([*filter_keys, *(p.name for p in own)])
    meant = read_filters(url, regions, bounds)
    defaults = _filter_defaults(bounds)
    for p in own:
        meant[p.name] = p.read(url.get(p.name, []))
        defaults[p.name] = list(p.default) if p.many else p.default
    values = _settle(meant, {**filter_keys, **{p.name: p.key for p in own}}, defaults)
    if not all(_same(values[n], meant[n]) for n in values):  # else the address says this already: no write
        texts = write_filters({n: values[n] for n in filter_keys}, bounds)
        texts.update({p.name: p.write(values[p.name]) for p in own})
        _write(texts, owned=set(values))
    return [notice for p in own if p.name in url and (notice := p.notice(url[p.name]))]


def _write(texts: Mapping[str, list[str]], owned: set[str]) -> None:
    """Rewrite the address in one message (one history entry): the parameters ``owned`` by this run as
    ``texts`` says (absent when empty), every other parameter as it was."""
    kept = {name: st.query_params.get_all(name) for name in st.query_params if name not in owned}
    kept.update({name: value for name, value in texts.items() if value})
    st.query_params.from_dict(kept)


def link_params(page: str, bounds: tuple[int, int]) -> dict[str, list[str]]:
    """The address a link to ``page`` (a url_path) carries: the filters, and the page's own choices as
    this session last knew them."""
    known = st.session_state.get(KNOWN, {})
    filters = {key: known.get(key, default) for key, default in _filter_defaults(bounds).items()}
    texts = write_filters(filters, bounds)
    for p in PAGE_PARAMS.get(page, ()):
        written = p.write(known.get(p.name, list(p.default) if p.many else p.default))
        if written:
            texts[p.name] = written
    return texts
