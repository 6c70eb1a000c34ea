"""Geocode a whole list in chunks: progress between chunks, a time budget, and every column kept.

Why chunks: between two chunks the caller's ``progress`` callback runs. In the app that callback
updates a Streamlit element, which is where Streamlit stops a script whose session has closed
or rerun; so work nobody is waiting for ends at the next chunk. Why a budget: one list must not
hold a shared server for minutes; rows not reached in time are kept, in order, marked unmatched
with a note that says why and what to do. Nothing is dropped.

Columns: every input column comes back in place, with its name and values unchanged. A
geocoding column whose name the input already uses is written with the prefix
:data:`CLASH_PREFIX` (``status`` -> ``geocoded_status``), the same rule on the command line and
in the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from geo.geocode.ladder import OUTPUT_COLUMNS, Geocoder

#: Columns the geocoder reads; every other input column only passes through.
INPUT_FIELDS = ("site_name", "lead_organisation", "areas", "postcode", "lat", "lon")
#: Prefix of a geocoding column whose name the input already uses.
CLASH_PREFIX = "geocoded_"
CHUNK_ROWS = 100
#: A chunk is made smaller when rows are slow, so that it takes about this long: the time budget and a
#: closed tab (checked between chunks) then act within about a second, whatever the rows hold.
CHUNK_SECONDS = 1.0

Progress = Callable[[int, int], None]


@dataclass
class BatchResult:
    """The geocoded list: ``frame`` holds the input columns then the output columns."""

    frame: pd.DataFrame
    sets: list[frozenset[str]]
    #: output column (as in ``OUTPUT_COLUMNS``) -> its name in ``frame``
    names: dict[str, str]
    done: int
    stopped: str = ""
    renamed: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> pd.Series:
        """An output column by its geocoder name, whatever it is called in ``frame``."""
        return self.frame[self.names[name]]


def output_names(input_columns: Iterable[object], outputs: Sequence[str] = OUTPUT_COLUMNS) -> dict[str, str]:
    """The name each output column takes: its own, or prefixed while the input has that name."""
    taken = {str(c) for c in input_columns}
    names = {}
    for name in outputs:
        final = name
        while final in taken:
            final = CLASH_PREFIX + final
        taken.add(final)
        names[name] = final
    return names


def not_reached_note(budget_s: float, done: int) -> str:
    """Why a row has no result: the time budget ran out before it."""
    return (f"not geocoded: the time budget of {budget_s:.0f} s for one list ran out after row {done}; "
            f"geocode the rest as a separate file (or run `python -m geo geocode`, which has no budget)")


def geocode_in_chunks(
    geocoder: Geocoder,
    frame: pd.DataFrame,
    *,
    chunk_rows: int = CHUNK_ROWS,
    budget_s: float | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> BatchResult:
    """Geocode ``frame`` ``chunk_rows`` at a time through :meth:`Geocoder.geocode_frame`.

    ``progress(done, total)`` is called before the first chunk and after every chunk; an
    exception it raises (Streamlit's stop or rerun) ends the work there. Once ``budget_s``
    seconds have passed, the remaining rows come back unmatched with a note saying why.
    """
    if not frame.columns.is_unique:
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ValueError(f"columns named more than once: {', '.join(repeated)}: rename them")
    if "site_name" not in frame.columns:
        raise KeyError("the table needs a site_name column")
    total = len(frame)
    inputs = frame[[c for c in INPUT_FIELDS if c in frame.columns]]
    started = clock()
    parts: list[pd.DataFrame] = []
    sets: list[frozenset[str]] = []
    done, stopped = 0, ""
    # One object per distinct footprint: a long list names the same areas again and again, and
    # each chunk builds its own sets (10,000 rows: 30 MB of repeated LSOA sets down to 3 MB).
    shared: dict[frozenset[str], frozenset[str]] = {}
    if progress:
        progress(0, total)
    size, last = max(1, chunk_rows), started
    while done < total:
        now = clock()
        if budget_s is not None and now - started > budget_s:
            stopped = not_reached_note(budget_s, done)
            break
        if done and now - last > 0:  # rows per second so far in the last chunk, times CHUNK_SECONDS
            size = max(1, min(max(1, chunk_rows), int(size * CHUNK_SECONDS / (now - last))))
        last = now
        chunk = inputs.iloc[done: done + size]
        out, chunk_sets = geocoder.geocode_frame(chunk)
        parts.append(out[OUTPUT_COLUMNS])
        sets += [shared.setdefault(footprint, footprint) for footprint in chunk_sets]
        done += len(chunk)
        if progress:
            progress(done, total)
    if done < total:
        parts.append(_not_reached(frame.index[done:], stopped))
        sets += [frozenset()] * (total - done)
    added = pd.concat(parts) if parts else _not_reached(frame.index, "")
    added["population"] = added["population"].astype("Int64")
    names = output_names(frame.columns)
    result = pd.concat([frame, added.rename(columns=names)], axis=1)
    renamed = {k: v for k, v in names.items() if k != v}
    return BatchResult(result, sets, names, done, stopped, renamed)


def _not_reached(index: pd.Index, note: str) -> pd.DataFrame:
    rows = pd.DataFrame({c: "" for c in OUTPUT_COLUMNS}, index=index, columns=OUTPUT_COLUMNS)
    rows["status"], rows["method"], rows["score"], rows["note"] = "unmatched", "none", 0.0, note
    rows["population"] = pd.NA
    return rows


def clash_notice(renamed: dict[str, str]) -> str:
    """One line saying which geocoding columns were renamed because the input uses their names."""
    if not renamed:
        return ""
    pairs = ", ".join(f"{new}" for new in renamed.values())
    return (f"your file already has columns named {', '.join(renamed)}: they are kept as they are, and the "
            f"geocoder's columns of those names are called {pairs}")
