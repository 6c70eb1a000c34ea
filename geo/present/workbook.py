"""Excel workbooks of a table: the data, a data dictionary, then sources and attribution.

Analysts in the NHS live in Excel. Numbers are stored as numbers and dates as dates (each
column's kind comes from ``geo.present.columns``), the header is frozen and filterable, and
every text cell is written as text (never as a formula): text that a spreadsheet would read as a
formula also gets Excel's "quote prefix", so editing the cell does not turn it into one.
Characters that XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from geo.present.columns import data_dictionary, kinds
from geo.present.export import FORMULA_STARTS, attribution_lines
from geo.sources import SOURCES

SOURCES_SHEET = "Sources"
DICTIONARY_SHEET = "Data dictionary"
MAX_WIDTH = 60
_BOLD = Font(bold=True)
#: Excel number formats by column kind (whole numbers with separators, shares to one decimal).
NUMBER_FORMATS = {"integer": "0", "people": "#,##0", "percent": "0.0", "score": "0", "date": "yyyy-mm-dd"}


def _value(value: object) -> object:
    """A cell value openpyxl can store: numbers as numbers, missing as empty, the rest as text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        value = ";".join(sorted(str(v) for v in value))
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _put(ws, row: int, col: int, value: object):
    cell = ws.cell(row=row, column=col)
    value = _value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def _write_table(ws, frame: pd.DataFrame) -> None:
    """The frame with a bold, frozen, filterable header; numbers and dates in their column's format."""
    for col, name in enumerate(frame.columns, start=1):
        _put(ws, 1, col, name).font = _BOLD
    formats = [NUMBER_FORMATS.get(kind) for kind in kinds(frame.columns).values()]
    for r, record in enumerate(frame.itertuples(index=False, name=None), start=2):
        for col, value in enumerate(record, start=1):
            cell = _put(ws, r, col, value)
            if formats[col - 1] and not isinstance(cell.value, str):
                cell.number_format = formats[col - 1]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(frame.columns)))}{len(frame) + 1}"
    for col, name in enumerate(frame.columns, start=1):
        longest = max([len(str(name))] + [len(str(v)) for v in frame.iloc[:200, col - 1].tolist() if v is not None])
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(8, longest + 2))


def to_xlsx(
    frame: pd.DataFrame,
    attribution: str | Sequence[str],
    sheet: str = "Sites",
    notes: Sequence[str] = (),
    title: str = "",
    today: dt.date | None = None,
) -> bytes:
    """An .xlsx workbook: ``frame`` on sheet ``sheet``, a Data dictionary sheet, then a Sources sheet.

    The dictionary gives each column's meaning, unit and source (``geo.present.columns``). The
    Sources sheet holds ``title``, the date made, ``notes`` (how to read the figures), the
    attribution lines and every source with its vintage and attribution (``geo.sources.SOURCES``).
    """
    book = Workbook()
    data = book.active
    data.title = sheet[:31]
    _write_table(data, frame)
    _write_table(book.create_sheet(DICTIONARY_SHEET), data_dictionary(frame.columns))
    src = book.create_sheet(SOURCES_SHEET)
    row = 1
    _put(src, row, 1, title or "NHS integration atlas").font = Font(bold=True, size=13)
    row += 1
    _put(src, row, 1, f"Made {(today or dt.date.today()).isoformat()}; {len(frame)} rows on sheet '{data.title}'.")
    row += 2
    for heading, lines in (("How to read it", list(notes)), ("Attribution", attribution_lines(attribution))):
        if not lines:
            continue
        _put(src, row, 1, heading).font = _BOLD
        row += 1
        for line in lines:
            _put(src, row, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        row += 1
    _put(src, row, 1, "Sources").font = _BOLD
    row += 1
    for col, name in enumerate(("Source", "Vintage", "Used for", "Attribution"), start=1):
        _put(src, row, col, name).font = _BOLD
    for source in SOURCES:
        row += 1
        for col, value in enumerate((source.name, source.vintage, source.used_for, source.attribution), start=1):
            _put(src, row, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCD", (70, 24, 30, 90)):
        src.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
