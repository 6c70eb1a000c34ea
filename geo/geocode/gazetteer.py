"""Every name the geocoder knows, keyed by :func:`geo.geocode.normalise.normalise`, with its LSOAs.

Entries are areas (2015 CCGs, 2013 CCGs, districts, upper-tier authorities), curated aliases,
organisations from the register (GP practices, NHS trusts) and towns (place names from
practice, trust and hospital addresses, grouped into neighbouring districts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property
from pathlib import Path

import pandas as pd

from geo.atlas import Atlas
from geo.config import PROJECT_ROOT
from geo.geocode import neighbours
from geo.geocode.entry import DISTRICT_UNIONS, TARGET_KINDS, Entry
from geo.geocode.normalise import normalise
from geo.geocode.tables import read_aliases, read_council_changes

ALIASES_CSV = PROJECT_ROOT / "data" / "aliases.csv"
COUNCIL_CHANGES_CSV = PROJECT_ROOT / "data" / "council_changes.csv"
HOSPITAL_EXCLUSIONS_CSV = PROJECT_ROOT / "data" / "hospital_exclusions.csv"
#: Official groupings of areas, by kind: (code column, name column) in the LSOA table. Counties
#: (shire, metropolitan, Inner and Outer London), government regions, NHS England's 2013 area
#: teams and 2015 local offices.
GROUPINGS = {"county": ("county_code", "county_name"), "gor": ("gor_code", "gor_name"),
             "at13": ("at13_code", "at13_name"), "office": ("nhs_local_office_ods", "nhs_local_office_name")}

GROUPING_LABELS = {"county": "county", "gor": "government region", "at13": "NHS England area team, 2013",
                   "office": "NHS England local office, 2015"}

#: Kinds of entry, re-exported: every geocoder module reads them from here.
__all__ = ["DISTRICT_UNIONS", "TARGET_KINDS", "Entry", "Gazetteer", "without_excluded_hospitals"]


class Gazetteer:
    """Name and code indexes over the built atlas, plus each entry's LSOA set."""

    def __init__(self, atlas: Atlas, aliases_csv: Path = ALIASES_CSV):
        self.atlas = atlas
        lsoas = atlas.lsoas
        codes = lsoas.index.to_numpy(dtype=object)

        def sets(by) -> dict:
            return {key: frozenset(codes[idx].tolist()) for key, idx in lsoas.groupby(by).indices.items()}

        self._by_column = {"ccg": sets("ccg_ods"), "ccg13": sets("ccg13_ods"), "lad": sets("lad_code"),
                           "utla": sets("utla_code")}
        for kind, (code_col, _name) in GROUPINGS.items():
            if code_col in lsoas.columns:
                self._by_column[kind] = sets(code_col)
        self._cell = sets(["ccg_ods", "lad_code"])
        self.areas: dict[str, list[Entry]] = defaultdict(list)
        self.codes: dict[str, Entry] = {}
        self._add_areas()
        self.official_councils = self._add_council_changes(COUNCIL_CHANGES_CSV)
        self.aliases = read_aliases(aliases_csv)
        self.orgs: dict[str, list[Entry]] = defaultdict(list)
        self._org_rows: dict[str, pd.Series] = {}
        self._add_register()
        known = [e for found in (*self.areas.values(), *self.orgs.values()) for e in found]
        self._entries = {(e.kind, e.code.upper()): e for e in reversed(known)}

    # -- building the indexes -------------------------------------------------------------
    def _add_areas(self) -> None:
        lsoas = self.atlas.lsoas
        for kind, code_col, name_col, extra in (
            ("ccg", "ccg_ods", "ccg_name", "ccg_code"), ("lad", "lad_code", "lad_name", None),
            ("utla", "utla_code", "utla_name", None),
        ):
            for row in lsoas[[code_col, name_col] + ([extra] if extra else [])].drop_duplicates(code_col).itertuples(
                    index=False):
                entry = Entry(kind, row[0], row[1])
                for key in _name_variants(kind, normalise(row[1])):
                    self.areas[key].append(entry)
                self.codes.setdefault(row[0].upper(), entry)
                if extra:
                    self.codes[row[2].upper()] = entry
        for kind, (code_col, name_col) in GROUPINGS.items():
            if code_col not in lsoas.columns:
                continue
            found = lsoas[[code_col, name_col]].dropna()
            for code, name in found[found[code_col] != ""].drop_duplicates(code_col).itertuples(index=False):
                entry = Entry(kind, code, f"{name} ({GROUPING_LABELS[kind]})")
                self.areas[normalise(name)].append(entry)
                self.codes.setdefault(code.upper(), entry)
        for row in self.atlas.ccg2013.itertuples(index=False):
            if row.CCG13CDH in self._by_column["ccg13"]:
                label = f"{row.CCG13NM} CCG (2013)"
                entry = Entry("ccg13", row.CCG13CDH, label)
                self.areas[normalise(row.CCG13NM)].append(entry)
                self.codes.setdefault(row.CCG13CD.upper(), entry)
                self.codes.setdefault(row.CCG13CDH.upper(), entry)

    def _add_council_changes(self, path: Path) -> dict[str, Entry]:
        """Councils formed after 2015 and counties abolished before it (see :mod:`geo.geocode.tables`);
        returns their official names."""
        official: dict[str, Entry] = {}
        for entry, keys, names, code in read_council_changes(path):
            for key in keys:
                self.areas[key].append(entry)
            official |= names
            if code:
                self.codes.setdefault(code, entry)
        return official

    def _add_register(self) -> None:
        register = self.atlas.register
        lad_of = self.atlas.lsoas["lad_code"]
        ccg_of = self.atlas.lsoas["ccg_ods"]
        # An unlocated practice (5%) is placed in the district of its CCG named in its address,
        # else in the district holding most of its CCG.
        cells = self.atlas.lsoas.groupby(["ccg_ods", "lad_code"]).size().rename("n").reset_index()
        main_lad = cells.sort_values("n", ascending=False).drop_duplicates("ccg_ods").set_index("ccg_ods")["lad_code"]
        lad_names = self.atlas.lsoas.drop_duplicates("lad_code").set_index("lad_code")["lad_name"].map(normalise)
        lads_of_ccg = cells.groupby("ccg_ods")["lad_code"].agg(list)

        def guess_lad(ccg: str | None, places: str) -> str | None:
            named = {normalise(p) for p in places.split(";")}
            for lad in lads_of_ccg.get(ccg, []):
                if lad_names[lad] in named:
                    return lad
            return main_lad.get(ccg)
        spelt = dict(zip(self.atlas.hospitals["trust_code"], self.atlas.hospitals["trust_name"]))
        for row in register.itertuples(index=False):  # NHS Choices spells trusts in mixed case, ODS in capitals
            entry = Entry(row.org_type, row.code, f"{spelt.get(row.code) or row.name} ({row.code})")
            self.orgs[normalise(row.name)].append(entry)
            self.codes.setdefault(row.code.upper(), entry)
            lsoa = row.lsoa_code if isinstance(row.lsoa_code, str) else None
            ccg = row.ccg_ods if isinstance(row.ccg_ods, str) and row.ccg_ods else (ccg_of[lsoa] if lsoa else None)
            self._org_rows[row.code] = {
                "ccg": ccg, "lad": lad_of[lsoa] if lsoa else guess_lad(ccg, row.places or ""),
                "located": lsoa is not None,
                "list_size": row.list_size, "places": row.places or "",
            }

    @cached_property
    def towns(self) -> dict[str, list[tuple[str, ...]]]:
        """Place name -> groups of neighbouring districts holding organisations with that address
        (GP practices and trusts in the register, and NHS Choices hospitals by their town)."""
        lads: dict[str, set[str]] = defaultdict(set)
        for org in self._org_rows.values():
            if not org["lad"]:
                continue
            for place in org["places"].split(";"):
                if place:
                    lads[normalise(place)].add(org["lad"])
        lad_of = self.atlas.lsoas["lad_code"]
        for city, lsoa in zip(self.atlas.hospitals["city"], self.atlas.hospitals["lsoa_code"]):
            if isinstance(city, str) and city.strip() and lsoa in lad_of.index:
                lads[normalise(city)].add(lad_of[lsoa])
        return {key: neighbours.components(self._lad_neighbours, sorted(found)) for key, found in lads.items()}

    @cached_property
    def _lad_neighbours(self) -> dict[str, set[str]]:
        return neighbours.lad_neighbours(self.atlas)

    @cached_property
    def surrounded_unitaries(self) -> dict[str, list[str]]:
        """County code -> the unitary authorities it surrounds (see :mod:`geo.geocode.neighbours`)."""
        return neighbours.surrounded_unitaries(self.atlas)

    def lad_neighbours(self, lad: str) -> set[str]:
        return self._lad_neighbours.get(lad, {lad})

    def cell(self, ccg: str, lad: str) -> frozenset[str]:
        """The LSOAs of one CCG within one district (empty if they do not meet)."""
        return self._cell.get((ccg, lad), frozenset())

    def readings(self, entries: list[Entry]) -> list[list[Entry]]:
        """Group entries that cover the same LSOAs (Wirral CCG and Wirral district are one reading)."""
        groups: dict[frozenset, list[Entry]] = {}
        for entry in entries:
            groups.setdefault(self.lsoas(entry), []).append(entry)
        return [g for k, g in groups.items() if k]

    # -- entries to LSOAs -----------------------------------------------------------------
    def lsoas(self, entry: Entry) -> frozenset[str]:
        """The LSOAs an entry stands for (organisations: their CCG within their district)."""
        found = self._lsoa_cache.get(entry)
        if found is None:
            found = self._lsoa_cache[entry] = self._lsoas(entry)
        return found

    @cached_property
    def _lsoa_cache(self) -> dict[Entry, frozenset[str]]:
        return {}

    def _lsoas(self, entry: Entry) -> frozenset[str]:
        if entry.kind in self._by_column:
            return self._by_column[entry.kind].get(entry.code, frozenset())
        if entry.kind in ("ccgsof", "ccgsin"):
            return self.ccgs_covering(self.lsoas(self.codes_entry(entry.code)), entry.kind == "ccgsin")
        if entry.kind in DISTRICT_UNIONS:
            return frozenset().union(*(self._by_column["lad"].get(lad, ()) for lad in entry.code.split(";")))
        if entry.kind == "trust" and entry.code in self.hospital_cells:
            return frozenset().union(*(self._cell[c] for c in self.hospital_cells[entry.code]))
        org = self._org_rows.get(entry.code)
        if org is None or not org["ccg"]:
            return frozenset()
        if org["lad"] and (org["ccg"], org["lad"]) in self._cell:
            return self._cell[(org["ccg"], org["lad"])]
        return self._by_column["ccg"].get(org["ccg"], frozenset())

    def entry(self, kind: str, code: str) -> Entry | None:
        """The known entry of a kind and code (``"lad", "E08000015"``), with its label; ``None`` if unknown."""
        if kind == "point":  # a CCG within a district, "12F|E08000015"
            ccg, _, lad = code.upper().partition("|")
            return Entry("point", f"{ccg}|{lad}", f"{self.label(Entry('ccg', ccg, ''))} in "
                         f"{self.label(Entry('lad', lad, ''))}") if self.cell(ccg, lad) else None
        return self._entries.get((kind, code.upper()))

    def whole_areas(self, kind: str, lsoas: frozenset[str]) -> list[str] | None:
        """The codes of the CCGs (``kind`` "ccg"), districts ("lad") or CCGs within districts
        ("point", ``12F|E08000015``) that make up ``lsoas`` exactly; ``None`` when the LSOAs cut one."""
        ccg_of = self._ccg_population[0]
        keys = {"ccg": ccg_of.get, "lad": self._lad_of.get, "point": lambda x: (ccg_of[x], self._lad_of[x])}[kind]
        found = sorted({keys(lsoa) for lsoa in lsoas})
        sets = self._cell if kind == "point" else self._by_column[kind]
        if not found or sum(len(sets[c]) for c in found) != len(lsoas):
            return None
        return ["|".join(c) for c in found] if kind == "point" else found

    def codes_entry(self, typed: str) -> Entry:
        """The entry of a typed code ("utla:E10000007")."""
        kind, _, code = typed.partition(":")
        return Entry(kind, code, "")

    def ccg_reading(self, entry: Entry, containing: bool = False) -> Entry:
        """The NHS reading of a council area or grouping: the CCGs with most of their residents in it
        (``containing``: or, for a place inside a larger CCG, that CCG; for names that say "CCG")."""
        return Entry("ccgsin" if containing else "ccgsof", f"{entry.kind}:{entry.code}", f"CCGs of {self.label(entry)}")

    def ccgs_covering(self, inside: frozenset[str], containing: bool = False) -> frozenset[str]:
        """The LSOAs of the CCGs with most of their residents in ``inside``; when there are none (a
        place inside a larger CCG) and ``containing``, the CCG holding most of the place's residents."""
        ccg_of, pop_of, totals = self._ccg_population
        within: dict[str, int] = defaultdict(int)
        for lsoa in inside:
            within[ccg_of[lsoa]] += pop_of[lsoa]
        out: set[str] = set()
        for ccg, pop in within.items():
            if pop * 2 > totals[ccg]:
                out |= self._by_column["ccg"][ccg]
        if not out and within and containing:  # a place inside a larger CCG ("Derby CCG"): the CCG holding most
            out = set(self._by_column["ccg"][max(within, key=within.get)])
        return frozenset(out)

    def area_teams_of(self, lsoas: frozenset[str]) -> set[str]:
        """The NHS England 2013 area teams of the CCGs among ``lsoas`` (each CCG in the team holding
        most of its LSOAs)."""
        ccg_of, _pop, _totals = self._ccg_population
        return {self._ccg_area_team[ccg] for ccg in {ccg_of[lsoa] for lsoa in lsoas}} - {""}

    def ccg_share(self, ccg: str, lsoas: frozenset[str]) -> float:
        """The share of a CCG's residents who live in ``lsoas``."""
        _ccg_of, pop_of, totals = self._ccg_population
        return sum(pop_of[x] for x in self._by_column["ccg"][ccg] & lsoas) / totals[ccg] if totals[ccg] else 0.0

    def area_team_of(self, ccg: str) -> str:
        return self._ccg_area_team[ccg]

    @cached_property
    def _ccg_area_team(self) -> dict[str, str]:
        lsoas = self.atlas.lsoas
        if "at13_name" not in lsoas.columns:
            return defaultdict(str)
        counts = lsoas.groupby(["ccg_ods", "at13_name"]).size().sort_values(ascending=False).reset_index()
        return defaultdict(str, counts.drop_duplicates("ccg_ods").set_index("ccg_ods")["at13_name"].to_dict())

    @cached_property
    def _ccg_population(self) -> tuple[dict[str, str], dict[str, int], dict[str, int]]:
        lsoas = self.atlas.lsoas
        ccg_of = dict(zip(lsoas.index, lsoas["ccg_ods"]))
        pop_of = dict(zip(lsoas.index, lsoas["population"].astype(int)))
        return ccg_of, pop_of, lsoas.groupby("ccg_ods")["population"].sum().astype(int).to_dict()

    @cached_property
    def _lad_of(self) -> dict[str, str]:
        return dict(zip(self.atlas.lsoas.index, self.atlas.lsoas["lad_code"]))

    @cached_property
    def hospital_cells(self) -> dict[str, list[tuple[str, str]]]:
        """Trust code -> the (CCG, district) cells where its NHS Choices hospitals stand."""
        ccg_of, _pop, _totals = self._ccg_population
        lad_of = self._lad_of
        out: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for trust, lsoa in zip(self.hospitals["trust_code"], self.hospitals["lsoa_code"]):
            if lsoa in ccg_of:  # hospitals outside the built LSOAs (Wales, or a partial build) add nothing
                out[trust].add((ccg_of[lsoa], lad_of[lsoa]))
        return {trust: sorted(cells) for trust, cells in out.items()}

    @cached_property
    def hospitals(self) -> pd.DataFrame:
        """Hospital sites of NHS trusts, less those listed in ``data/hospital_exclusions.csv``."""
        return without_excluded_hospitals(self.atlas.hospitals)

    @cached_property
    def places_named_by_trusts(self) -> dict[str, list[Entry]]:
        """"morecambe bay" -> the trust "University Hospitals of Morecambe Bay" (names of that form only)."""
        out: dict[str, list[Entry]] = defaultdict(list)
        for name, entries in self.orgs.items():
            found = re.match(r"^university hospitals? of (.+)$", name)
            if found:
                out[found.group(1)] += [e for e in entries if e.kind == "trust"]
        return dict(out)

    @cached_property
    def all_names(self) -> list[str]:
        """Every name it knows, once: areas, organisations and towns (what a search looks through)."""
        return sorted(set(self.areas) | set(self.orgs) | set(self.towns))

    @cached_property
    def ccg_names(self) -> list[str]:
        """The keys that name a CCG of 2015 or 2013."""
        return [k for k, found in self.areas.items() if any(e.kind in ("ccg", "ccg13") for e in found)]

    @cached_property
    def prefixes(self) -> dict[str, list[str]]:
        """Leading words of area names -> the names ("newcastle" -> "newcastle upon tyne", ...)."""
        out: dict[str, list[str]] = defaultdict(list)
        for name in self.areas:
            words = name.split()
            for n in range(1, len(words)):
                out[" ".join(words[:n])].append(name)
        return out

    def org(self, code: str) -> dict:
        return self._org_rows[code]

    def label(self, entry: Entry) -> str:
        """A readable label, looking up the name for codes that came from aliases."""
        if entry.label:
            return entry.label
        found = self.codes.get(entry.code.upper())
        return found.label if found and found.label else f"{entry.kind} {entry.code}"

    def known(self, entry: Entry) -> bool:
        return bool(self.lsoas(entry))


def without_excluded_hospitals(frame: pd.DataFrame) -> pd.DataFrame:
    """Hospital sites less the curated exclusions (stale or independent entries), for the gazetteer
    and the map alike."""
    if not HOSPITAL_EXCLUSIONS_CSV.is_file():
        return frame
    excluded = set(pd.read_csv(HOSPITAL_EXCLUSIONS_CSV, dtype=str)["code"])
    return frame[~frame["code"].isin(excluded)]


def _name_variants(kind: str, key: str) -> list[str]:
    """Council names as people write them: "City of York" for York, "Durham" for County Durham."""
    if kind == "ccg":
        return [key]
    variants = [key, f"city of {key}", f"{key} city", f"{key} district", f"{key} borough"]
    if key.startswith("county "):
        variants.append(key.removeprefix("county "))
    return variants
