"""NHS integration atlas: the entry point, which routes to the pages with ``st.navigation``.

Run with ``streamlit run app.py``. Pages in ``pages/`` hold UI only and each starts with
``ui.shell.start(page)`` (page config, the atlas's navigation, the shared filters); the work is in ``geo``.
"""

import streamlit as st

from ui.shell import configure_page, navigation_pages

configure_page()
st.navigation(navigation_pages(), position="hidden").run()
