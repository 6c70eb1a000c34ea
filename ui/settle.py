"""The Geocode page's review-and-settle section: pick a row not matched, see its readings, choose one.

Everything it decides is in :mod:`geo.geocode.settle`; this module only draws it. Every control is
a plain Streamlit widget (a select box, a search box, radio buttons, a check box and a button), so
the section works with the keyboard alone: Tab between them, arrows to pick, Enter to choose.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.geocode import settle
from geo.geocode.batch import BatchResult
from geo.geocode.ladder import Geocoder
from geo.geocode.match import Candidate
from ui.widgets import md

ROW = "settle_row"
DONE = "settle_done"
USE = "settle_use"
#: Names offered in the list of rows to settle at once (each name once, in list order); the rest
#: come up as these are settled.
ROW_LIMIT = 200

Settled = Callable[[list[int]], None]


def row_labels(batch: BatchResult, row_column: str, positions: list[int]) -> dict[int, str]:
    """How rows are named in the list of rows to settle (plain text: a select box shows no markdown)."""
    names, rows, statuses = (batch.frame[row_column], batch.frame["site_name"], batch.column("status"))
    out = {}
    for position in positions:
        name = " ".join(str(rows.iloc[position]).split())
        name = name if len(name) <= 80 else name[:79] + "\u2026"
        out[position] = f"Row {names.iloc[position]}: {name} ({statuses.iloc[position]})"
    return out


def first_of_each_name(batch: BatchResult, positions: list[int], limit: int = ROW_LIMIT) -> list[int]:
    """The first of the rows with each site name, at most ``limit``."""
    names = batch.frame["site_name"].astype(str).str.strip()
    seen: dict[str, int] = {}
    for position in positions:
        seen.setdefault(names.iloc[position], position)
        if len(seen) >= limit:
            break
    return list(seen.values())


def _caption(reading: settle.Reading) -> str:
    areas = reading.areas.replace(";", ", ")
    return md(f"{reading.level} \u00b7 {reading.residents:,} residents \u00b7 {areas} \u00b7 "
              f"areas: {reading.candidate.codes} \u00b7 score {reading.candidate.score:.0f}")


def _readings(geocoder: Geocoder, offered: list[Candidate]) -> list[settle.Reading]:
    unique: dict[str, Candidate] = {}
    for reading in offered:
        unique.setdefault(reading.codes, reading)
    return [r for r in (settle.describe(geocoder, c) for c in unique.values()) if r is not None]


def _choose(geocoder: Geocoder, batch: BatchResult, row_column: str, offered: list[Candidate], pick: str,
            same: list[int], everyone: str, settled: Settled) -> None:
    """The button's callback: runs before the page is drawn again, so counts, map and downloads follow.
    It reads the reading and the check box as they are now (a key pressed just before the button
    may not have been drawn yet)."""
    chosen = offered[st.session_state[pick]]
    positions = same if st.session_state.get(everyone, False) else same[:1]
    settle.choose(geocoder, batch, positions, chosen)
    settled(positions)
    rows = ", ".join(str(batch.frame[row_column].iloc[p]) for p in positions)
    st.session_state[DONE] = f"Row{'s' if len(positions) > 1 else ''} {rows} settled: {chosen.label} ({chosen.codes})."
    remaining = settle.unsettled(batch)
    if remaining:
        st.session_state[ROW] = remaining[0]
    else:
        st.session_state.pop(ROW, None)


def draw(geocoder: Geocoder, batch: BatchResult, row_column: str, settled: Settled) -> settle.Reading | None:
    """The section; returns the reading picked (to highlight on the map), or ``None``."""
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(md(done), icon=":material/check_circle:")
    todo = settle.unsettled(batch)
    if not todo:
        return None
    st.header(f"Settle the rows not matched ({len(todo)})")
    st.caption("Pick a row, then one of its readings, or search every area, organisation and town the geocoder "
               "knows. The reading you choose is drawn bold on the map below; **Use this reading** makes the row "
               "matched and writes its codes to the row's `areas`, so the downloaded file geocodes the same again "
               "(here or with `python -m geo geocode`).")
    offered_rows = first_of_each_name(batch, todo)
    if st.session_state.get(ROW) not in offered_rows:
        st.session_state[ROW] = offered_rows[0]
    labels = row_labels(batch, row_column, offered_rows)
    position = st.selectbox("Row to settle (the first of each name)", offered_rows, format_func=labels.get, key=ROW,
                            help=None if len(offered_rows) < ROW_LIMIT else
                            f"The first {ROW_LIMIT} names are listed; the others follow as these are settled.")
    st.caption(md(f"Why: {batch.column('note').iloc[position]}"))
    query = st.text_input("Search every area, organisation and town", key=f"settle_search_{position}",
                          placeholder="for example Bradford Districts, or a practice's name")
    found = settle.offered(batch, position) + (settle.search(geocoder, query) if query.strip() else [])
    readings = _readings(geocoder, found)
    if not readings:
        st.info("No reading to choose from: search above, or give the row's `areas` in your file.",
                icon=":material/search:")
        return None
    pick_key, everyone_key = f"settle_pick_{position}_{query.strip()}", f"settle_all_{position}"
    pick = st.radio("Readings, best first", range(len(readings)), format_func=lambda i: md(readings[i].candidate.label),
                    captions=[_caption(r) for r in readings], key=pick_key)
    same = [position] + [p for p in settle.same_name(batch, position) if p != position]
    if len(same) > 1:
        st.checkbox(md(f"Apply to all {len(same)} rows named {batch.frame['site_name'].iloc[position]}"), value=True,
                    key=everyone_key)
    st.button("Use this reading", type="primary", icon=":material/done:", key=USE, on_click=_choose,
              args=(geocoder, batch, row_column, [r.candidate for r in readings], pick_key, same, everyone_key,
                    settled))
    return readings[pick]
