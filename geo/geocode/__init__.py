"""The geocoder: site names to footprints (sets of LSOAs)."""
