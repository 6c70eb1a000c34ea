"""A notice for a link that Streamlit ignores whole, which the app itself cannot see.

Streamlit drops the entire query string of a link with more than 1,000 parameters or more
than 512 KiB (``CLIENT_STATE_QUERY_STRING_MAX_FIELDS`` and ``..._MAX_LENGTH`` in
``streamlit.runtime.state.query_params``, 1.67): every filter in it is lost and the script
sees no parameters at all. Only the browser still knows the address, so a small component
(``st.iframe`` with inline HTML; same-origin, no request leaves the page) reads it there
and, only for such a link, shows a one-line notice. It is text (``textContent``), never HTML. The
frame takes no Tab stop (keyboard users would land on an invisible element); a notice is an alert.
"""

from __future__ import annotations

import json

import streamlit as st

MAX_FIELDS = 1000
MAX_CHARS = 512 * 1024
MESSAGE = ("This link was ignored: it has {n} parameters, and Streamlit takes at most 1,000 (and 512 KiB), "
           "so no filter in it was applied. Use a shorter link.")

_HTML = """<div id="notice" role="alert" style="display:none;font:14px/1.5 'Source Sans Pro',sans-serif;
background:rgba(255,227,18,0.1);color:rgb(146,108,5);padding:10px 14px;border-radius:8px"></div>
<script>
(function () {{
  var frame = window.frameElement;
  if (frame) frame.tabIndex = -1;  // an empty check must not take a Tab stop; a notice is read as an alert
  var query = "";
  try {{ query = window.parent.location.search.replace(/^\\?/, ""); }} catch (e) {{ return; }}
  var fields = query ? query.split("&").length : 0;
  if (fields <= {fields} && query.length <= {chars}) return;
  var box = document.getElementById("notice");
  box.textContent = {message}.replace("{{n}}", fields.toLocaleString("en-GB"));
  box.style.display = "block";
  if (frame) {{  // grow the frame and its (zero-height) element container to fit the notice
    frame.style.height = (box.offsetHeight + 4) + "px";
    if (frame.parentElement) frame.parentElement.style.height = "auto";
  }}
}})();
</script>"""


def long_link_notice() -> None:
    """Draw the (normally invisible) check; it shows a notice only for a link Streamlit ignored."""
    st.iframe(_HTML.format(fields=MAX_FIELDS, chars=MAX_CHARS, message=json.dumps(MESSAGE)), height=1)
