"""The build: raw open data in, the LSOA table, organisation register and boundary layers out."""
