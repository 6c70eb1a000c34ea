"""From a match to its footprint and the columns that describe it (codes, names, regions, population).

LSOA attributes are held as integer arrays, so a footprint's summary is a few numpy calls, and
summaries are memoised: a list of 10,000 names mostly repeats a few hundred footprints.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from geo.atlas import Atlas
from geo.geocode.gazetteer import Entry, Gazetteer
from geo.geocode.match import MATCHED, NO_AREA_METHOD, Match, blank, render_candidates
from geo.geography import LAYERS
from geo.sources import RESIDENTS_BASIS

OUTPUT_COLUMNS = ["status", "method", "score", "ccg_codes", "ccg_names", "lad_codes", "lad_names",
                  "utla_codes", "utla_names", "nhs_regions", "population", "population_basis", "note",
                  "candidates", "footprint_level"]
NO_AREA_LEVEL = "no area footprint"
#: What a footprint is made of, by entry kind, finest evidence first in ``footprint_level``.
LEVELS = {"ccg": LAYERS["ccg"].short, "ccg13": "2013 CCG", "lad": LAYERS["lad"].short,
          "utla": LAYERS["utla"].short, "county": "county", "gor": "government region",
          "at13": "NHS England area team (2013)", "office": "NHS England local office (2015)",
          "ccgsof": "CCGs with most of their residents in the named area",
          "ccgsin": "CCGs with most of their residents in the named area, or the CCG it lies in",
          "hospital": "hospital sites of member trusts (CCG within district of each)",
          "practice": "GP practices (their CCG within their district)",
          "trust": "trust headquarters (its CCG within its district)", "town": "town (its districts)",
          "council": "council formed after 2015 (its 2015 districts)",
          "formercounty": "county abolished before 2015 (the 2015 councils that took its area)",
          "point": "coordinates (CCG within district)"}


class Footprints:
    """Turns matches into LSOA sets and output columns; deterministic and memoised."""

    def __init__(self, atlas: Atlas, gazetteer: Gazetteer):
        self.atlas = atlas
        self.gaz = gazetteer
        self.summary = lru_cache(maxsize=8192)(self._summarise)

    @cached_property
    def _levels(self) -> dict:
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
        """The districts a set of LSOAs touches."""
        ids, codes, _names, _totals = self._levels["lad"]
        pos = self._levels["pos"]
        return set(codes[np.unique(ids[[pos[c] for c in lsoas]])])

    def lad_names(self, lads: list[str] | tuple[str, ...]) -> list[str]:
        _ids, codes, names, _totals = self._levels["lad"]
        lookup = dict(zip(codes, names))
        return [lookup[c] for c in lads]

    def lsoas(self, match: Match) -> frozenset[str]:
        """The footprint of a match: the union of its entries' LSOAs."""
        out: set[str] = set()
        for entry in match.entries:
            if entry.kind == "point":
                out |= self.gaz.cell(*entry.code.split("|"))
            else:
                out |= self.gaz.lsoas(entry)
        return frozenset(out)

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
        if practices and all(not blank(s) for s in sizes):
            out["population"] = int(sum(sizes))
            out["population_basis"] = (f"registered patients of the named practices (NHSBSA list sizes, "
                                       f"April-June 2015); residents of the mapped footprint: {residents:,}")
        else:
            out["population"] = residents
            out["population_basis"] = RESIDENTS_BASIS
        return out

    def level(self, entries: list[Entry]) -> str:
        """What the footprint is made of, naming each distinct area once: Wirral CCG and Wirral
        district are the same LSOAs, so that reading is "CCG (same area as district)"."""
        if not entries:
            return ""
        parts = []
        for group in [entries] if entries[0].kind == "point" else self.gaz.readings(entries):
            kinds = sorted({self._kind(e) for e in group}, key=list(LEVELS).index)
            same = [LEVELS[k] for k in kinds[1:] if k != "ccg13"]
            parts.append(LEVELS[kinds[0]] + (f" (same area as {' and '.join(same)})" if same else ""))
        return " + ".join(dict.fromkeys(parts))

    def _kind(self, entry: Entry) -> str:
        """A trust with hospitals in NHS Choices stands for its hospital sites, else its headquarters."""
        return "hospital" if entry.kind == "trust" and entry.code in self.gaz.hospital_cells else entry.kind

    def columns(self, match: Match) -> tuple[dict, frozenset[str]]:
        """The output columns of one match and its LSOA set."""
        lsoas = self.lsoas(match) if match.status == MATCHED else frozenset()
        row = {"status": match.status, "method": match.method, "score": match.score, "note": match.note,
               "candidates": render_candidates(match.candidates), "footprint_level": self.level(match.entries)}
        if match.method == NO_AREA_METHOD:
            row["footprint_level"] = NO_AREA_LEVEL
        if lsoas:
            kinds = {e.kind for e in match.entries}
            practices = tuple(e.code for e in match.entries if e.kind == "practice") if kinds == {"practice"} else ()
            row |= self.summary(lsoas, practices)
        else:
            row |= {c: "" for c in OUTPUT_COLUMNS if c not in row} | {"population": pd.NA}
        return row, lsoas
