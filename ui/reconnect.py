"""A notice when an open page has moved to another server process, and what that lost.

Why: behind the replicas' proxy (``scripts/replicas.py``), or when one server restarts, Streamlit's
page reconnects by itself to a process that does not know its session and reruns the page there with
the widgets' values it holds: the filters (in the address), the map's choices and the clicked site are
kept, but anything the old process held for the session is gone: an uploaded list and its geocoding
(the uploader still shows the file's name, with no result), and prepared downloads.

Streamlit's page reruns itself on reconnecting only when it has a fragment that reruns on a timer
(1.67's frontend: ``autoRerunIntervals``); otherwise it keeps showing the old server's elements until the
next click, and a download button there would fail. So every page has one such fragment, empty and
hourly (it costs nothing meanwhile): after a move the page is redrawn at once by its new server.

The server cannot tell a reconnect from a first visit, so the browser does: each process has a random
id, drawn into an invisible frame; the tab remembers the id it last saw (``sessionStorage``, one per tab)
and, when a rerun draws another, shows the notice (:mod:`ui.browser_notice`). A new tab or a reload
starts afresh, with no notice.
"""

from __future__ import annotations

import json
import secrets

import streamlit as st

from ui.browser_notice import INFO, browser_notice

#: One per server process: a reconnect to another process (or a restarted one) sees a new id.
SERVER_ID = secrets.token_hex(8)
STORAGE_KEY = "atlas-server-id"
RERUN_EVERY_S = 3600
MESSAGE = ("This page's server stopped, and the page reconnected to another one (or to the same one restarted). "
           "The filters are kept (they are in the page address), and so are the map's choices. Anything that "
           "lived only on the old server is gone: on Geocode a list, remove your file and upload it again to "
           "geocode it.")

_CHECK = """
  var store = window.parent.sessionStorage, seen = store.getItem(%(key)s);
  store.setItem(%(key)s, %(server)s);
  return seen && seen !== %(server)s ? %(message)s : null;
"""


def reconnect_notice() -> None:
    """Draw the (normally invisible) check; it shows a notice only after a move to another server process."""
    values = {"key": json.dumps(STORAGE_KEY), "server": json.dumps(SERVER_ID), "message": json.dumps(MESSAGE)}
    browser_notice(_CHECK % values, INFO)
    _rerun_on_reconnect()


@st.fragment(run_every=RERUN_EVERY_S)
def _rerun_on_reconnect() -> None:
    """Nothing to draw: its timer is what makes the page rerun when it reconnects (see the module's notes)."""
