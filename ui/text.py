"""Show text from a link, a file or a file name exactly as typed: never as markdown or HTML.

Streamlit renders the body of ``st.warning``, ``st.error``, ``st.caption``, ``st.markdown``
and headings as markdown (links, images, ``:red[...]`` colours, ``:material/...:`` icons,
``$...$`` maths). :func:`as_text` writes every ASCII punctuation mark as a numeric character
reference (``[`` as ``&#91;``): markdown shows a reference as the character itself and never
reads it as syntax, so nothing typed can become a link, an image request or markup, and
nothing shows stray backslashes (escaping with ``\\`` did, in some places).

GitHub-flavoured "autolinks" are found after references are decoded (a bare
``https://...``, ``www.`` or ``name@host`` in the text becomes a link), so an invisible
word joiner (U+2060) goes inside ``://``, after ``www`` and after ``@``: the text reads the
same and is not a link. Tests compare after removing :data:`JOINER`.
"""

from __future__ import annotations

import math
import re
import string

JOINER = "\u2060"
_PUNCTUATION = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def as_text(value: object) -> str:
    """Markdown source that displays ``value`` as plain text, on one line (runs of spaces as one)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return _AUTOLINK.sub(JOINER, " ".join(str(value).split())).translate(_PUNCTUATION)
