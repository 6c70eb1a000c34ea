"""Presentation: filters, the folium map, exports, coverage arithmetic and the palette."""
