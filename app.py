"""NHS integration atlas: Streamlit entry point (page config, shared filters, navigation)."""

import streamlit as st

from geo.atlas import open_atlas
from geo.layers import LAYERS

st.set_page_config(page_title="NHS integration atlas", layout="wide")
st.title("NHS integration atlas")
st.caption("England's 2015 health and local government geography, built from 32,844 LSOAs.")

atlas = open_atlas()
rows = [{"layer": LAYERS[key].label, "areas": len(atlas.layer(key, display=False)),
         "population (mid-2015)": int(atlas.layer(key)["population"].sum())} for key in LAYERS]
st.dataframe(rows, hide_index=True)
