"""Turn messy site names into footprints (sets of LSOAs) on the 2015 geography, honestly.

The ladder, cheapest and surest first: explicit codes or names in ``areas``; the exact name
(after :func:`geo.normalise.normalise`) of a CCG, 2013 CCG, district or upper-tier authority;
a curated alias (``data/aliases.csv``, each with its source); a name in brackets; a compound
name split into parts that are each known; an organisation in the 2015 register (GP practice
or NHS trust: its CCG within its district); the same for ``lead_organisation``; coordinates or
a register postcode; a town from practice addresses; fuzzy matching last. Every row gets a
status (matched / ambiguous / unmatched), the method, a score and the candidates considered.
Nothing is dropped and nothing is guessed: two different readings make a row ambiguous.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from geo.atlas import Atlas
from geo.gazetteer import TARGET_KINDS, Entry, Gazetteer
from geo.normalise import brackets, fold, normalise, split_parts, strip_generic

OUTPUT_COLUMNS = ["status", "method", "score", "ccg_codes", "ccg_names", "lad_codes", "lad_names",
                  "utla_codes", "utla_names", "nhs_regions", "population", "population_basis", "note",
                  "candidates", "footprint_level"]
#: Fuzzy scores: rapidfuzz ``ratio`` (normalised Levenshtein, 0-100) between normalised keys.
#: ``ratio`` rather than ``WRatio``: partial scorers rate any name containing "health" or
#: "partnership" highly against long trust names. See tests/test_geocoder.py and the note on
#: issue 3 for the measurements behind these thresholds: one or two typing slips in a name
#: score 85-95 ("wakefeild" 89, "calderdal" 95), while different real places sharing words
#: score below 85 ("leeds north" v "leeds west" 76). A single reading at 85+ with a lead of 10
#: over the next is a match; 75+ is ambiguous with candidates; below that, unmatched.
FUZZY_MATCH, FUZZY_LEAD, FUZZY_CANDIDATE = 85.0, 10.0, 75.0
CCG_WORDS = (" ccg ", " ccgs ", " clinical commissioning ")
COUNCIL_WORDS = (" council ", " borough ", " district ", " county ")
QUALIFIERS = CCG_WORDS + COUNCIL_WORDS + (" nhs ", " trust ", " ft ")
LEVELS = {"ccg": "CCG", "ccg13": "2013 CCG", "lad": "district", "utla": "upper-tier authority",
          "practice": "GP practices (their CCG within their district)",
          "trust": "trust headquarters (its CCG within its district)", "town": "town (its districts)",
          "point": "coordinates (CCG within district)"}


RESIDENTS_BASIS = "residents of the footprint, mid-2015 (LSOA estimates calibrated to ONS CCG totals)"


@dataclass
class Match:
    """The outcome for one site: what it resolved to and why."""

    status: str
    method: str
    score: float
    entries: list[Entry] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    note: str = ""


def _unmatched(note: str, candidates: list[str] | None = None) -> Match:
    return Match("unmatched", "none", 0.0, [], candidates or [], note)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


class Geocoder:
    """Resolve site names against a built :class:`~geo.atlas.Atlas`; deterministic."""

    def __init__(self, atlas: Atlas, gazetteer: Gazetteer | None = None):
        self.atlas = atlas
        self.gaz = gazetteer or Gazetteer(atlas)
        self._fuzzy_keys = sorted(set(self.gaz.areas) | set(self.gaz.aliases) | {
            k for k, v in self.gaz.orgs.items() if any(e.kind == "trust" for e in v)})
        self._lsoa_tree = None
        self.resolve = lru_cache(maxsize=65536)(self._resolve)
        self._summary = lru_cache(maxsize=8192)(self._summarise)

    # -- one name ---------------------------------------------------------------------------
    def _distinct(self, entries: list[Entry]) -> list[list[Entry]]:
        """Group entries that cover the same LSOAs (Wirral CCG and Wirral district are one reading)."""
        groups: dict[frozenset, list[Entry]] = {}
        for entry in entries:
            groups.setdefault(self.gaz.lsoas(entry), []).append(entry)
        return [g for k, g in groups.items() if k]

    def _pick(self, entries: list[Entry], method: str, score: float, note: str = "") -> Match | None:
        readings = self._distinct(entries)
        if not readings:
            return None
        if len(readings) == 1:
            # the finest kind that states it, e.g. the district rather than an identical CCG
            labels = list(dict.fromkeys(self.gaz.label(e) for e in entries))
            return Match("matched", method, score, readings[0], labels, note)
        labels = [" + ".join(self.gaz.label(e) for e in group) for group in readings]
        council = self._same_place(readings)
        if council is not None:
            return Match("matched", method, score, council, labels,
                         (note + "; " if note else "") + "the council area of this name; the CCG of the same name "
                         "covers a slightly different area: add 'CCG' to the name to use it")
        return Match("ambiguous", method, score, [], labels, f"{len(readings)} different places have this name")

    def _same_place(self, readings: list[list[Entry]]) -> list[Entry] | None:
        """A CCG and a council of one name covering nearly the same LSOAs (>= 90% shared) are one
        place: the bare name is read as the council area, and the note says so."""
        if len(readings) != 2:
            return None
        kinds = [{e.kind for e in group} for group in readings]
        if not ({"ccg", "ccg13"} >= kinds[0] and {"lad", "utla"} >= kinds[1]):
            if {"ccg", "ccg13"} >= kinds[1] and {"lad", "utla"} >= kinds[0]:
                readings = readings[::-1]
            else:
                return None
        a, b = (self.gaz.lsoas(group[0]) for group in readings)
        return readings[1] if len(a & b) >= 0.9 * len(a | b) else None

    def _town_readings(self, key: str) -> list[Entry]:
        return [Entry("town", ";".join(group), f"{key.title()} (town in {', '.join(self._lad_names(group))})")
                for group in self.gaz.towns.get(key, [])]

    def _lad_names(self, lads) -> list[str]:
        _ids, codes, names, _totals = self._levels["lad"]
        lookup = dict(zip(codes, names))
        return [lookup[c] for c in lads]

    def _exact(self, text: str) -> Match | None:
        """Exact area names, then aliases; bare place names are checked against towns too."""
        key = normalise(text)
        keys = list(dict.fromkeys([key, strip_generic(key)]))
        for k in keys:
            if k in self.gaz.areas:
                folded = f" {fold(text)} "
                entries = self.gaz.areas[k]
                for words, kinds in ((CCG_WORDS, ("ccg", "ccg13")), (COUNCIL_WORDS, ("lad", "utla"))):
                    if any(w in folded for w in words) and any(e.kind in kinds for e in entries):
                        entries = [e for e in entries if e.kind in kinds]  # "Erewash CCG" is the CCG
                match = self._pick(entries, "exact name", 100.0)
                if match and match.status == "matched" and not any(q in folded for q in QUALIFIERS):
                    match = self._check_towns(k, match)
                if match:
                    if match.entries and all(e.kind == "ccg13" for e in match.entries):
                        match.note = "a 2013 CCG name, resolved onto its 2015 LSOAs"
                    return match
        for k in keys:
            if k in self.gaz.aliases:
                entries, reason = self.gaz.aliases[k]
                return Match("matched", "curated alias", 100.0, entries, [self.gaz.label(e) for e in entries],
                             f"alias: {reason}")
        return None

    def _check_towns(self, key: str, match: Match) -> Match:
        """A bare name that is also a town far from the matched area ("Sutton", "Richmond") is ambiguous.

        "Far" is beyond the area's neighbours' neighbours: post towns such as Preston spill into
        districts two away, which is still the same place.
        """
        area_lads = self.lad_codes_of(self.gaz.lsoas(match.entries[0]))
        near = set().union(*(self.gaz.lad_neighbours(lad) for lad in area_lads))
        near |= set().union(*(self.gaz.lad_neighbours(lad) for lad in near))  # post towns reach two districts
        elsewhere = [t for t in self._town_readings(key) if not set(t.code.split(";")) & near]
        if not elsewhere:
            return match
        labels = [" + ".join(self.gaz.label(e) for e in match.entries[:1])] + [t.label for t in elsewhere]
        return Match("ambiguous", "exact name", 100.0, [], labels,
                     "the name is an area and also a town elsewhere; add the CCG or council to the name, or give areas")

    def _register(self, text: str) -> Match | None:
        key = normalise(text)
        for k in dict.fromkeys([key, strip_generic(key)]):
            if k in self.gaz.orgs:
                entries = self.gaz.orgs[k]
                method = "organisation register (" + ("trust" if entries[0].kind == "trust" else "GP practice") + ")"
                return self._pick(entries, method, 100.0, _org_note(entries[0].kind))
        return None

    def _known(self, text: str) -> Match | None:
        """Exact, alias or register: every stage that does not guess."""
        return self._exact(text) or self._register(text)

    def _compound(self, text: str) -> Match | None:
        """Split only where every part is itself known: "Mansfield and Ashfield" stays one CCG."""
        parts = split_parts(text)
        if len(parts) < 2:
            return None
        n = len(parts)
        best: list[list[Match] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):  # fewest parts wins: longest known names first
            for start in range(end):
                if best[start] is None:
                    continue
                match = self._known(" and ".join(parts[start:end]))
                if match and match.status == "matched" and (
                        best[end] is None or len(best[start]) + 1 < len(best[end])):
                    best[end] = best[start] + [match]
        if not best[n] or len(best[n]) < 2:
            return None
        entries = [e for m in best[n] for e in m.entries]
        notes = "; ".join(m.note for m in best[n] if m.note)
        return Match("matched", "compound name (" + " + ".join(m.method for m in best[n]) + ")", 100.0,
                     entries, [self.gaz.label(e) for e in entries], notes)

    def _bracketed(self, text: str) -> Match | None:
        outer, inner = brackets(text)
        if not inner:
            return None
        found = self._name_ladder(outer) if outer else None
        if found and found.status != "unmatched":
            return found
        for part in inner:
            match = self._name_ladder(part)
            if match and match.status == "matched":
                match.method = f"place in brackets ({match.method})"
                match.score = min(match.score, 95.0)
                match.note = (f"'{outer}' is not a known area or organisation; the footprint is the place in "
                              "brackets. " + match.note).strip()
                return match
        return None

    def _name_ladder(self, text: str) -> Match | None:
        return self._known(text) or self._bracketed(text) or self._compound(text)

    def _town(self, text: str) -> Match | None:
        """A town from organisation addresses, or the first word(s) of several area names."""
        key = strip_generic(normalise(text))
        readings = self._town_readings(key)
        prefixed = [e for name in self.gaz.prefixes.get(key, []) for e in self.gaz.areas[name]]
        if prefixed:
            readings = [e for e in readings if not any(
                self.gaz.lsoas(e) & self.gaz.lsoas(p) for p in prefixed)]
            grouped = self._distinct(prefixed)
            readings += [g[0] for g in grouped]
        if not readings:
            return None
        if len(readings) == 1:
            return Match("matched", "town (GP practice and trust addresses)", 90.0, readings, [readings[0].label],
                         "a town, not an area: the footprint is the district(s) it lies in")
        return Match("ambiguous", "town or start of area names", 90.0, [], [self.gaz.label(r) for r in readings],
                     "several places have this name; give the CCG or council")

    def _fuzzy(self, text: str) -> Match:
        key = strip_generic(normalise(text))
        if not key:
            return _unmatched("the name is empty")
        found = process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio, limit=6, score_cutoff=60)
        if not found:
            return _unmatched("no known area, alias, organisation or town is like this name")
        readings: list[tuple[float, str, list[Entry]]] = []
        for name, score, _ in found:
            entries = self.gaz.areas.get(name) or (self.gaz.aliases[name][0] if name in self.gaz.aliases else
                                                  self.gaz.orgs.get(name, []))
            if entries and not any(self.gaz.lsoas(e) == self.gaz.lsoas(r[2][0]) for r in readings for e in entries):
                readings.append((score, name, entries))
        labels = [f"{self.gaz.label(r[2][0])} ({r[0]:.0f})" for r in readings]
        top = readings[0][0]
        lead = top - (readings[1][0] if len(readings) > 1 else 0.0)
        if top >= FUZZY_MATCH and lead >= FUZZY_LEAD:
            match = self._pick(readings[0][2], "fuzzy name", round(top, 1),
                               f"spelling differs from '{readings[0][1]}'; check it")
            if match:
                return match
        if top >= FUZZY_CANDIDATE:
            return Match("ambiguous", "fuzzy name", round(top, 1), [], labels,
                         "close to more than one known name, or not close enough to one; pick a candidate")
        return _unmatched(f"nothing close enough (best fuzzy score below {FUZZY_CANDIDATE:.0f})", labels)

    def _point(self, x: float, y: float) -> Match | None:
        if self._lsoa_tree is None:
            self._lsoa_geoms = self.atlas.lsoa_geometry
            self._lsoa_tree = shapely.STRtree(self._lsoa_geoms.to_numpy())
        hits = self._lsoa_tree.query(shapely.Point(x, y), predicate="within")
        if len(hits) == 0:
            return None
        row = self.atlas.lsoas.loc[self._lsoa_geoms.index[hits[0]]]
        entry = Entry("point", f"{row['ccg_ods']}|{row['lad_code']}", f"{row['ccg_name']} in {row['lad_name']}")
        return Match("matched", "coordinates", 90.0, [entry], [entry.label],
                     "located by coordinates: the footprint is the CCG within the district holding the point")

    def _location(self, postcode: str, lat, lon) -> Match | None:
        if not _blank(lat) and not _blank(lon):
            try:
                lat_f, lon_f = float(lat), float(lon)
            except ValueError:
                return None
            if -90 <= lat_f <= 90 and -180 <= lon_f <= 180:
                point = gpd.GeoSeries(gpd.points_from_xy([lon_f], [lat_f]), crs="EPSG:4326").to_crs(27700)[0]
                return self._point(point.x, point.y)
        if not _blank(postcode):
            reg = self.atlas.register
            hit = reg[(reg["postcode"].str.replace(" ", "") == str(postcode).replace(" ", "").upper())
                      & reg["x"].notna()]
            if len(hit):
                match = self._point(float(hit.iloc[0]["x"]), float(hit.iloc[0]["y"]))
                if match:
                    match.method = "postcode (organisation register)"
                return match
        return None

    def _areas(self, areas: str) -> Match:
        # A typed code must be of its kind: lad:12F names a CCG, so it is refused, not read as CCG 12F.
        # A unitary authority is both district and upper tier; a 2013 CCG code may be a 2015 one too.
        group = {"ccg": "ccg", "ccg13": "ccg", "lad": "la", "utla": "la", "practice": "practice", "trust": "trust"}
        named = {"ccg": "a CCG", "ccg13": "a 2013 CCG", "lad": "a district", "utla": "an upper-tier authority",
                 "practice": "a GP practice", "trust": "an NHS trust"}
        entries, unknown, wrong = [], [], []
        for item in (a.strip() for a in str(areas).split(";")):
            if not item:
                continue
            kind, _, code = item.partition(":")
            kind = kind.strip().lower()
            entry = self.gaz.codes.get(code.strip().upper() if kind in TARGET_KINDS else item.upper())
            if entry is not None and kind in TARGET_KINDS and group.get(entry.kind) != group[kind]:
                wrong.append(f"{item} is the code of {named.get(entry.kind, entry.kind)}, not {named[kind]}: "
                             f"write {entry.kind}:{code.strip()}")
                continue
            if entry is None:
                match = self._known(item)
                if match and match.status == "matched":
                    entries += match.entries
                    continue
                unknown.append(item)
            else:
                entries.append(entry)
        if wrong:
            return Match("unmatched", "explicit areas", 0.0, [], [], "; ".join(wrong))
        if unknown:
            return Match("ambiguous" if entries else "unmatched", "explicit areas", 0.0, [], unknown,
                         f"unknown codes or names in areas: {'; '.join(unknown)}")
        if not entries:
            return _unmatched("areas holds no code or name (only separators): fill it in, e.g. ccg:12F, or "
                              "leave it empty to geocode the name")
        return Match("matched", "explicit areas", 100.0, entries, [self.gaz.label(e) for e in entries])

    def _resolve(self, site_name: str, lead: str = "", areas: str = "", postcode: str = "",
                 lat: str = "", lon: str = "") -> Match:
        if areas:
            return self._areas(areas)
        found = self._name_ladder(site_name) if site_name else None
        if found is None and lead:
            found = self._name_ladder(lead)
            if found:
                found.method = f"lead organisation: {found.method}"
        if found is None and (postcode or (lat and lon)):
            found = self._location(postcode, lat, lon)
        if found is None and site_name:
            found = self._town(site_name)
        if found is None:
            return self._fuzzy(site_name or lead)
        return found

    # -- footprint columns ------------------------------------------------------------------
    def footprint(self, match: Match) -> frozenset[str]:
        out: set[str] = set()
        for entry in match.entries:
            if entry.kind == "point":
                ccg, lad = entry.code.split("|")
                out |= set(self.gaz._cell[(ccg, lad)])
            else:
                out |= self.gaz.lsoas(entry)
        return frozenset(out)

    @cached_property
    def _levels(self) -> dict:
        """LSOA attributes as integer arrays, so that a footprint's summary is numpy, not pandas."""
        lsoas = self.atlas.lsoas
        out = {"pos": {code: i for i, code in enumerate(lsoas.index)},
               "population": lsoas["population"].to_numpy()}
        for kind, code_col, name_col in (("ccg", "ccg_ods", "ccg_name"), ("lad", "lad_code", "lad_name"),
                                         ("utla", "utla_code", "utla_name"), ("region", "nhs_region_name", None)):
            ids, codes = pd.factorize(lsoas[code_col], sort=True)
            names = lsoas.drop_duplicates(code_col).set_index(code_col, drop=False)[name_col or code_col]
            names = names.reindex(codes)
            out[kind] = (ids, np.asarray(codes, dtype=object), names.to_numpy(dtype=object),
                         np.bincount(ids, minlength=len(codes)))
        return out

    def lad_codes_of(self, lsoas: frozenset[str]) -> set[str]:
        ids, codes, _names, _totals = self._levels["lad"]
        pos = self._levels["pos"]
        return set(codes[np.unique(ids[[pos[c] for c in lsoas]])])

    def _summarise(self, lsoas: frozenset[str], practices: tuple[str, ...]) -> dict:
        levels = self._levels
        idx = np.fromiter((levels["pos"][c] for c in lsoas), dtype=np.int64, count=len(lsoas))
        out = {}
        for kind in ("ccg", "lad", "utla"):
            ids, codes, names, totals = levels[kind]
            found, counts = np.unique(ids[idx], return_counts=True)
            out[f"{kind}_codes"] = ";".join(codes[found])
            out[f"{kind}_names"] = ";".join(
                names[f] + ("" if n == totals[f] else " (part)") for f, n in zip(found, counts))
        ids, codes, _names, _totals = levels["region"]
        out["nhs_regions"] = ";".join(codes[np.unique(ids[idx])])
        residents = int(levels["population"][idx].sum())
        sizes = [self.gaz.org(p)["list_size"] for p in practices]
        if practices and all(not _blank(s) for s in sizes):
            out["population"] = int(sum(sizes))
            out["population_basis"] = (f"registered patients of the named practices (NHSBSA list sizes, "
                                       f"April-June 2015); residents of the mapped footprint: {residents:,}")
        else:
            out["population"] = residents
            out["population_basis"] = RESIDENTS_BASIS
        return out

    def _level(self, entries: list[Entry]) -> str:
        """What the footprint is made of, naming each distinct area once: Wirral CCG and Wirral
        district are the same LSOAs, so that reading is "CCG (same area as district)"."""
        if not entries:
            return ""
        parts = []
        for group in [entries] if entries[0].kind == "point" else self._distinct(entries):
            kinds = sorted({e.kind for e in group}, key=list(LEVELS).index)
            level = LEVELS[kinds[0]]
            same = [LEVELS[k] for k in kinds[1:] if k != "ccg13"]
            parts.append(level + (f" (same area as {' and '.join(same)})" if same else ""))
        return " + ".join(dict.fromkeys(parts))

    def columns(self, match: Match) -> tuple[dict, frozenset[str]]:
        """The output columns of one match and its LSOA set."""
        lsoas = self.footprint(match) if match.status == "matched" else frozenset()
        row = {"status": match.status, "method": match.method, "score": match.score, "note": match.note,
               "candidates": "; ".join(match.candidates)}
        kinds = {e.kind for e in match.entries}
        row["footprint_level"] = self._level(match.entries)
        if lsoas:
            practices = tuple(e.code for e in match.entries if e.kind == "practice") if kinds == {"practice"} else ()
            row |= self._summary(lsoas, practices)
        else:
            row |= {c: "" for c in OUTPUT_COLUMNS if c not in row} | {"population": pd.NA}
        return row, lsoas

    # -- whole tables -----------------------------------------------------------------------
    def geocode_frame(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[frozenset[str]]]:
        """Every input row in order with the output columns added, and each row's LSOA set."""
        if "site_name" not in frame.columns:
            raise KeyError("the table needs a site_name column")
        inputs = [[("" if _blank(v) else str(v).strip()) for v in frame[c].tolist()] if c in frame.columns
                  else [""] * len(frame) for c in ("site_name", "lead_organisation", "areas", "postcode", "lat", "lon")]
        memo: dict[tuple, tuple[dict, frozenset[str]]] = {}
        rows, sets = [], []
        for args in zip(*inputs):
            if args not in memo:
                memo[args] = self.columns(self.resolve(*args))
            row, lsoas = memo[args]
            rows.append(row)
            sets.append(lsoas)
        added = pd.DataFrame(rows, index=frame.index, columns=OUTPUT_COLUMNS)
        added["population"] = added["population"].astype("Int64")
        kept = frame.drop(columns=[c for c in OUTPUT_COLUMNS if c in frame.columns])
        return pd.concat([kept, added], axis=1), sets


def _org_note(kind: str) -> str:
    if kind == "trust":
        return "a trust: the footprint is the CCG within the district of its headquarters; its catchment may be wider"
    return "GP practices: the footprint is their CCG within their district; population is their registered list"

__all__ = ["Geocoder", "Match", "OUTPUT_COLUMNS"]
