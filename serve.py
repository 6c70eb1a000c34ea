"""The atlas as served by ``scripts/run.sh``: ``streamlit run serve.py``.

The same app as ``streamlit run app.py`` (which still works), with one thing in front of Streamlit's own
server, through its public ``st.App``: request paths with a name no file can have get 404 and a short
log line, not HTTP 500 and a traceback (see ui/path_limit.py).
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.path_limit import PathLengthLimit

app = st.App("app.py", middleware=[Middleware(PathLengthLimit)])
