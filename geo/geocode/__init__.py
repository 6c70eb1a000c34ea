"""The geocoder: a ladder of small steps that turns site names into footprints (sets of LSOAs)."""
