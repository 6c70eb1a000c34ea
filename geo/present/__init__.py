"""Presentation: what the pages show and export (map, picture, workbook, labels, age profiles)."""
