"""The bundled site lists (``data/sites/``), geocoded, with their region check."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.atlas import Atlas
from geo.config import PROJECT_ROOT
from geo.geocode.ladder import Geocoder
from geo.sources import CITATIONS_FILE, site_citations

SITES_DIR = PROJECT_ROOT / "data" / "sites"
#: One file per announcement, vanguards first, in the order the programme grew within each.
SITE_FILES = ("vanguards_2015.csv", "vanguards_2015_uec.csv", "vanguards_2015_acc.csv", "pioneers_2013.csv",
              "pioneers_2015.csv")


def read_site_lists(folder: Path = SITES_DIR) -> pd.DataFrame:
    """The five bundled lists, vanguards first, as written (all text), each site with the citation of
    its announcement (``geo.sources.CITATION_COLUMNS``, from ``citations.csv``)."""
    frames = []
    for name in SITE_FILES:
        frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        files = pd.Series(name, index=frame.index)
        frames.append(frame.join(site_citations(frame, files, folder / CITATIONS_FILE.name)))
    return pd.concat(frames, ignore_index=True)


def short_region(name: str) -> str:
    """'North of England' -> 'North', as the announcements name the regions."""
    return name.replace(" of England", "").strip()


def region_check(row: pd.Series) -> str:
    """Empty when the announced (or inferred) region is the footprint's; otherwise both, said plainly."""
    footprint = [short_region(r) for r in str(row.get("nhs_regions", "")).split(";") if r]
    if not footprint:
        return ""
    announced, inferred = row.get("region_announced", ""), row.get("region_inferred", "")
    claim, how = (announced, "announced") if announced else (inferred, "inferred from the list")
    if not claim or footprint == [claim]:
        return ""
    return f"{how}: {claim}; footprint: {', '.join(footprint)}"


#: A published population this far (in per cent) from the atlas's own figure is flagged.
POPULATION_FLAG_PCT = 20


def population_check(row: pd.Series) -> tuple[int | None, str]:
    """How far the published population is from the computed one (per cent), and a flag beyond
    ``POPULATION_FLAG_PCT``. The two count different things: the atlas counts residents of the
    footprint (mid-2015); a published figure may count patients, a catchment or care-home residents."""
    published = pd.to_numeric(row.get("published_population", ""), errors="coerce")
    computed = pd.to_numeric(row.get("population"), errors="coerce")
    if pd.isna(published):
        return None, ""
    if pd.isna(computed) or computed == 0:
        return None, "published figure only: the site has no area footprint, so no residents are counted"
    pct = int(round((published - computed) / computed * 100))
    if abs(pct) <= POPULATION_FLAG_PCT:
        return pct, ""
    return pct, (f"published {int(published):,} is {abs(pct)}% {'above' if pct > 0 else 'below'} the footprint's "
                 f"{int(computed):,} residents: they count different things (see its source)")


def geocode_sites(frame: pd.DataFrame, geocoder: Geocoder) -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """Geocode a site list with ``geocode_name`` (and ``lead_organisation``); add the region check."""
    request = frame.assign(site_name=frame["geocode_name"])
    out, sets = geocoder.geocode_frame(request)
    out = out.drop(columns=["site_name"])
    out["region_check"] = out.apply(region_check, axis=1)
    if "published_population" in out:
        out["population_difference_pct"], out["population_check"] = zip(*out.apply(population_check, axis=1)) \
            if len(out) else ([], [])
        out["population_difference_pct"] = pd.array(out["population_difference_pct"], dtype="Int64")
        out["published_population"] = pd.to_numeric(out["published_population"], errors="coerce").astype("Int64")
    out["overlaps_with"] = overlaps(out["display_name"].tolist(), sets)
    return out, dict(zip(out["site_id"], sets))


def overlaps(names: list[str], sets: list[frozenset[str]]) -> list[str]:
    """For each site, the other sites whose footprints share at least one LSOA (';'-joined)."""
    return [";".join(n for j, (n, other) in enumerate(zip(names, sets)) if j != i and mine & other)
            for i, mine in enumerate(sets)]


def bundled_sites(atlas: Atlas, geocoder: Geocoder | None = None) -> tuple[pd.DataFrame, dict[str, frozenset[str]]]:
    """The 75 bundled sites geocoded: a frame (one row per site) and site_id -> footprint LSOAs."""
    return geocode_sites(read_site_lists(), geocoder or Geocoder(atlas))
