"""Tables as readers see them: the column dictionary's names and meanings, one number style, blanks.

Every page table goes through :func:`table`: columns named and explained by
``geo.present.columns``, populations rounded to the nearest 100 (the downloads keep them exact),
percentages to one decimal, dates as dates, and an empty cell (not "None") where there is no value.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.present.columns import describe, reader_frame
from geo.present.wording import rounded_people

#: How each kind of column is shown on a page.
_FORMATS = {"people": "localized", "integer": "%d", "percent": "%.1f%%", "score": "%.0f"}


def column_config(frame: pd.DataFrame) -> dict:
    """Streamlit column settings for a reader's table: format by kind, the meaning as help."""
    config = {}
    for name in frame.columns:
        column = describe(name)
        help_text = column.meaning + (f" ({column.unit})" if column.unit and column.kind != "url" else "")
        if column.kind in _FORMATS:
            config[name] = st.column_config.NumberColumn(name, format=_FORMATS[column.kind], help=help_text)
        elif column.kind == "date":
            config[name] = st.column_config.DateColumn(name, format="D MMM YYYY", help=help_text)
        elif column.kind == "url":
            config[name] = st.column_config.LinkColumn(name, help=help_text)
        else:
            config[name] = st.column_config.TextColumn(name, help=help_text, width="medium" if name == "Site" else None)
    return config


def for_page(frame: pd.DataFrame) -> pd.DataFrame:
    """A reader's table as quoted on a page: populations rounded to the nearest 100."""
    out = frame.copy()
    for name in out.columns:
        if describe(name).kind == "people":
            out[name] = pd.array([rounded_people(v) for v in out[name]], dtype="Int64")
    return out


def table(frame: pd.DataFrame, machine: list[str] | None = None, key: str | None = None, **kwargs) -> None:
    """Show ``frame`` (machine columns, chosen and ordered by ``machine``) as readers see it."""
    shown = for_page(reader_frame(frame, machine))
    st.dataframe(shown, column_config=column_config(shown), hide_index=True, width="stretch", placeholder="",
                 key=key, **kwargs)
