"""NHS integration atlas: the entry point. Page config, the shared sidebar filters, navigation.

Run with ``streamlit run app.py``. Pages in ``pages/`` hold UI only; the work is in ``geo``.
"""

import streamlit as st

from pages import common

# The favicon is an emoji (drawn as an inline SVG): a ":material/...:" icon would be fetched from
# Google's font servers, and the app makes no request to the internet.
st.set_page_config(page_title="NHS integration atlas", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
    st.Page("pages/map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page("pages/sites.py", title="Sites", icon=":material/table:", url_path="sites"),
    st.Page("pages/coverage.py", title="Coverage", icon=":material/groups:", url_path="coverage"),
    st.Page("pages/geocode.py", title="Geocode a list", icon=":material/upload_file:", url_path="geocode"),
    st.Page("pages/methods.py", title="Data and methods", icon=":material/menu_book:", url_path="methods"),
]

navigation = st.navigation(PAGES)
try:
    common.atlas()
except (FileNotFoundError, common.CacheDamaged) as missing:  # say how to rebuild rather than show a traceback
    st.error(f"The geography cache cannot be used: {common.md(missing)}. Rebuild it with `bash scripts/run.sh` "
             "or `python -m geo build`, then reload this page.", icon=":material/error:")
    st.stop()
common.housekeeping()
common.sidebar_filters()
navigation.run()
