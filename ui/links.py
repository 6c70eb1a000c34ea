"""A notice for a link that Streamlit ignores whole, which the app itself cannot see.

Streamlit drops the entire query string of a link with more than 1,000 parameters or more
than 512 KiB (``CLIENT_STATE_QUERY_STRING_MAX_FIELDS`` and ``..._MAX_LENGTH`` in
``streamlit.runtime.state.query_params``, 1.67): every filter in it is lost and the script
sees no parameters at all. Only the browser still knows the address, so a check there
(:mod:`ui.browser_notice`) shows a one-line notice for such a link only.
"""

from __future__ import annotations

import json

from ui.browser_notice import browser_notice

MAX_FIELDS = 1000
MAX_CHARS = 512 * 1024
MESSAGE = ("This link was ignored: it has {n} parameters, and Streamlit takes at most 1,000 (and 512 KiB), "
           "so no filter in it was applied. Use a shorter link.")

_CHECK = """
  var query = window.parent.location.search.replace(/^\\?/, "");
  var fields = query ? query.split("&").length : 0;
  if (fields <= %d && query.length <= %d) return null;
  return %s.replace("{n}", fields.toLocaleString("en-GB"));
"""


def long_link_notice() -> None:
    """Draw the (normally invisible) check; it shows a notice only for a link Streamlit ignored."""
    browser_notice(_CHECK % (MAX_FIELDS, MAX_CHARS, json.dumps(MESSAGE)))
