"""A notice that only the browser can decide to show: an invisible frame that grows to one line of text.

Why: some things the app's code never sees (a link Streamlit ignored whole, a page that moved to another
server process); a small script in an ``st.iframe`` (inline HTML, same origin, no request leaves the page)
reads the page's address or storage and, only when there is something to say, shows it. The text is set
with ``textContent``, never as HTML. The frame takes no Tab stop (keyboard users would land on an
invisible element); a notice is an alert.
"""

from __future__ import annotations

import streamlit as st

WARNING = "background:rgba(255,227,18,0.1);color:rgb(146,108,5)"
INFO = "background:rgba(28,131,225,0.1);color:rgb(0,66,128)"

_FRAME = """<div id="notice" role="alert" style="display:none;font:14px/1.5 'Source Sans Pro',sans-serif;
%TONE%;padding:10px 14px;border-radius:8px"></div>
<script>
(function () {
  var frame = window.frameElement, holder = frame && frame.parentElement;
  if (frame) frame.tabIndex = -1;  // an empty check must not take a Tab stop; a notice is read as an alert
  var text;
  try { text = (function () { %CHECK% })(); } catch (e) { text = null; }
  // Nothing to say: the frame's element takes no room at all (not even the gap between elements).
  if (holder) holder.style.display = text ? "" : "none";
  if (!text) return;
  var box = document.getElementById("notice");
  box.textContent = text;
  box.style.display = "block";
  if (frame) {  // grow the frame and its (zero-height) element container to fit the notice
    frame.style.height = (box.offsetHeight + 4) + "px";
    holder.style.height = "auto";
  }
})();
</script>"""


def browser_notice(check: str, tone: str = WARNING) -> None:
    """Draw the frame; ``check`` is a JavaScript function body that returns the notice's text, or nothing."""
    st.iframe(_FRAME.replace("%TONE%", tone).replace("%CHECK%", check), height=1)
