"""The geocoder: site names in, footprints (sets of LSOAs) out, by a ladder of small rules."""
