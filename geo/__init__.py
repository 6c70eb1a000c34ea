"""NHS integration atlas library: 2015 health and local government geography built from LSOAs.

Everything here is plain Python (pandas, geopandas, shapely, folium); nothing imports streamlit,
so every piece can be tested, benchmarked and used from a notebook or ``python -m geo``.
"""

__version__ = "0.1.0"
