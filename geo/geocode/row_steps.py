"""The rungs that read a row's other columns: explicit areas, coordinates and postcodes, partners.

A site's name is read by :mod:`geo.geocode.steps`; these read what else a row gives. The
``areas`` column states a footprint outright; coordinates and postcodes place it; the lead
organisation's partners make a hospital network (the hospitals of member trusts) or a group of
CCGs (a system resilience group or urgent care network).
"""

from __future__ import annotations

import re
from dataclasses import replace

import geopandas as gpd
import shapely

from geo.geocode.codes import candidate, read_codes
from geo.geocode.gazetteer import Entry
from geo.geocode.match import AMBIGUOUS, MATCHED, NO_AREA_METHOD, UNMATCHED, Match, blank, unmatched
from geo.geocode.normalise import fold, normalise, strip_generic
from geo.geocode.reader import Reader
from geo.geocode.steps import MAX_NAME_CHARS, compound
from geo.geocode.wording import CCG_TEXT, CCG_WORDS, COUNCIL_WORDS, name_keys

#: Items read from one ``areas`` cell: every district of England (326) fits, several times over.
MAX_AREAS = 1_000


def explicit_areas(reader: Reader, areas: str) -> Match:
    """The ``areas`` column: typed codes (``lad:E08000015``), bare codes or known names, ';'-separated;
    ``none`` marks a national or specialist network with no area footprint."""
    if str(areas).strip().lower() == "none":
        return no_area(reader)
    if (items := str(areas).count(";") + 1) > MAX_AREAS:
        return unmatched(f"areas lists {items:,} items; at most {MAX_AREAS:,} are read: split the site, or "
                         "name larger areas (a county, a region)")
    found = read_codes(reader.gaz, areas)
    entries, unknown = found.entries, []
    for item in found.unknown:
        match = reader.read_known(item) if len(item) <= MAX_NAME_CHARS else None
        if match and match.matched:
            entries += match.entries
        elif len(item) > MAX_NAME_CHARS:
            unknown.append(f"{item[:40]}... ({len(item):,} characters)")
        else:
            unknown.append(item)
    if found.wrong:
        return Match(UNMATCHED, "explicit areas", 0.0, [], [], "; ".join(found.wrong))
    if unknown:
        return Match(AMBIGUOUS if entries else UNMATCHED, "explicit areas", 0.0, [], [],
                     f"unknown codes or names in areas: {'; '.join(unknown)}")
    if not entries:
        return unmatched("areas holds no code or name (only separators): fill it in, e.g. ccg:12F, or "
                         "leave it empty to geocode the name")
    return Match(MATCHED, "explicit areas", 100.0, entries, [candidate(reader.gaz, entries, 100.0)])


def location(reader: Reader, postcode: str, lat: str, lon: str) -> Match | None:
    """Coordinates, or a postcode in the organisation register: the CCG within the district there."""
    if not blank(lat) and not blank(lon):
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            return None
        if -90 <= lat_f <= 90 and -180 <= lon_f <= 180:
            point = gpd.GeoSeries(gpd.points_from_xy([lon_f], [lat_f]), crs="EPSG:4326").to_crs(27700)[0]
            return _point(reader, point.x, point.y)
    if not blank(postcode):
        reg = reader.gaz.atlas.register
        hit = reg[(reg["postcode"].str.replace(" ", "") == str(postcode).replace(" ", "").upper()) & reg["x"].notna()]
        if len(hit):
            match = _point(reader, float(hit.iloc[0]["x"]), float(hit.iloc[0]["y"]))
            return replace(match, method="postcode (organisation register)") if match else None
    return None


def _point(reader: Reader, x: float, y: float) -> Match | None:
    geoms, tree = reader.lsoa_index
    hits = tree.query(shapely.Point(x, y), predicate="within")
    if len(hits) == 0:
        return None
    row = reader.gaz.atlas.lsoas.loc[geoms.index[hits[0]]]
    entry = Entry("point", f"{row['ccg_ods']}|{row['lad_code']}", f"{row['ccg_name']} in {row['lad_name']}")
    return Match(MATCHED, "coordinates", 90.0, [entry], [candidate(reader.gaz, [entry], 90.0)],
                 "located by coordinates: the footprint is the CCG within the district holding the point")


#: Words that make a name a hospital network (a chain, group, alliance...) rather than a place.
NETWORK_WORDS = re.compile(r"\b(chain|group|alliance|collaboration|collaborative|consortium|network|partnership)\b")
#: A partner that is an NHS trust by its name, whether or not the register holds it.
TRUST_NAME = re.compile(r"\b(nhs trust|nhs ft|foundation trust|nhs foundation trust)\b")
NO_AREA_NOTE = ("a national or specialist network: it has no area footprint of its own, so no population is "
                "claimed; its member trusts' hospitals are shown as points")


def partners(lead: str) -> list[str]:
    """The ';'-separated partner organisations of a site."""
    return [p.strip() for p in str(lead).split(";") if p.strip()]


def hospital_network(reader: Reader, name: str, lead: str) -> Match | None:
    """A chain, group, alliance or network of trusts: the cells where its member trusts' hospitals stand.

    Applies when the name says it is a network and every partner is an NHS trust; a partner
    trust missing from the 2015 register is named in the note and adds nothing.
    """
    if not lead or not NETWORK_WORDS.search(normalise(name)):
        return None
    gaz = reader.gaz
    entries, missing = [], []
    for partner in partners(lead):
        if any(w in f" {fold(partner)} " for w in CCG_WORDS + COUNCIL_WORDS):
            return None
        found = [e for k in name_keys(partner) for e in gaz.orgs.get(k, []) if e.kind == "trust"]
        if found:
            entries.append(found[0])
        elif TRUST_NAME.search(fold(partner)):
            missing.append(partner)
        else:
            return None
    if not entries:
        return None
    note = "a network of trusts: the footprint is the CCG within the district of each member trust's hospitals"
    if missing:
        note += f"; not in the 2015 trust register, so not mapped: {'; '.join(missing)}"
    return Match(MATCHED, "hospital network (member trusts' hospital sites)", 100.0, entries,
                 [candidate(gaz, entries, 100.0)], note)


def partner_ccgs(reader: Reader, lead: str) -> Match | None:
    """The CCGs a group's partners name ("Barking and Dagenham CCG; Havering CCG; ..."), when every
    partner that names CCGs is read: a system resilience group or urgent care network covers them."""
    named = [p for p in partners(lead) if any(w in f" {fold(p)} " for w in CCG_WORDS)]
    if not named:
        return None
    entries: list[Entry] = []
    for part in named:
        text = " ".join(CCG_TEXT.sub(" ", part).split())
        match = reader.read_known(text + " CCG")
        if match is None or not match.matched:
            match = compound(reader, text, " CCG")
        if match is None or not match.matched:
            return None
        entries += match.entries
    return Match(MATCHED, "CCGs named among the partners", 100.0, entries, [candidate(reader.gaz, entries, 100.0)],
                 "a group of organisations: the footprint is the CCGs its partners name")


def no_area(reader: Reader) -> Match:
    """A national or specialist network (``areas`` = ``none``): kept, with no area footprint."""
    return Match(MATCHED, NO_AREA_METHOD, 100.0, [], [], NO_AREA_NOTE)


def lead_reading(reader: Reader, name: str, lead: str, found: Match | None) -> Match | None:
    """The lead organisation's reading, for a name no rule reads. One trust leading a partnership
    named otherwise ("Frimley Health and Care") is not the partnership's area: ambiguous."""
    if found is None:
        return None
    found = replace(found, method=f"lead organisation: {found.method}")
    trusts = {e.code for e in found.entries if e.kind == "trust"}
    if found.matched and len(trusts) == 1 and len(found.entries) == 1 and len(partners(lead)) == 1:
        own = {strip_generic(normalise(name)), normalise(name)}
        if not own & set(name_keys(lead)):
            return Match(AMBIGUOUS, found.method, found.score, [], found.candidates,
                         "led by one trust, but named otherwise: the trust's hospitals need not be the site's area; "
                         "give the areas, or the trust's name as the site name")
    return found
