"""The population basis, the data sources with their vintage, the attribution each asks for, and the
announcement each site comes from.

One place for these texts: the Data and methods page, the lines under every map and the lines
in every export all read them, so credit is given the same way everywhere. The wording follows
README.md's table. The sites' announcements are cited from ``data/sites/citations.csv``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.config import PROJECT_ROOT

OGL = "Open Government Licence v3.0"

#: How every population figure is made; shown on Data and methods and in the README.
POPULATION_BASIS = (
    "Mid-2015 residents. Each LSOA's figure is the IoD2019 denominator (mid-2015, prisoners "
    "excluded), scaled within its CCG so that every CCG sums exactly to the ONS mid-2015 CCG "
    "estimate (SAPE18DT5; England 54,786,327); rounding uses largest remainders. Local authority "
    "and custom-area totals are sums of these LSOA figures, so they include a pro-rata share of "
    "prisoners and can differ slightly from ONS district estimates."
)
#: How the age bands are made; shown on Data and methods.
AGE_BASIS = (
    "Age bands (0-15, 16-59, 60 and over) are mid-2015 residents. Each LSOA's population (above) is split "
    "in the shares of the IoD2019 denominators' three age columns for that LSOA, with largest-remainder "
    "rounding, so the bands of every LSOA, and so of every footprint, sum exactly to its population."
)
#: The population_basis of a footprint of areas (a set of practices says its own basis).
RESIDENTS_BASIS = "residents of the footprint, mid-2015 (LSOA estimates calibrated to ONS CCG totals)"


@dataclass(frozen=True)
class Source:
    """One source: what it is, its vintage, what the atlas uses it for, and its attribution."""

    name: str
    vintage: str
    used_for: str
    attribution: str


SOURCES: tuple[Source, ...] = (
    Source("ONS LSOA (2011) → CCG → LAD lookup", "July 2015", "the backbone of every layer",
           "Source: Office for National Statistics, licensed under the Open Government Licence v3.0. "
           "Contains National Statistics data © Crown copyright and database right 2015."),
    Source("ONS SAPE18DT5 mid-2015 CCG population, and the derived CCG → NHS local office → NHS region table",
           "mid-2015 (2015 NHS geography)", "CCG totals, NHS geography",
           "Adapted from data from the Office for National Statistics, licensed under the Open Government "
           "Licence v3.0. Contains information from HSCIC Organisation Data Service, OGL v3.0."),
    Source("English Indices of Deprivation 2019, File 6 population denominators", "mid-2015 populations",
           "LSOA population shares",
           "Ministry of Housing, Communities & Local Government, English Indices of Deprivation 2019. Contains "
           "public sector information licensed under the Open Government Licence v3.0. Contains National "
           "Statistics data © Crown copyright and database right 2019."),
    Source("ONS LTLA → UTLA, LAD → county, LAD → region lookups", "Dec 2015 and Dec 2018 (v2)",
           "upper-tier authorities",
           "Source: Office for National Statistics, licensed under the Open Government Licence v3.0. Contains "
           "National Statistics data © Crown copyright and database right 2015/2018."),
    Source("ONS CCG names and codes", "April 2013", "2013-era site names",
           "Source: Office for National Statistics, licensed under the Open Government Licence v3.0. Contains "
           "National Statistics data © Crown copyright and database right 2013."),
    Source("LSOA (2011) boundaries as GeoJSON, martinjc/UK-GeoJSON", "2011 LSOAs (2014 release)", "all polygons",
           "GeoJSON and TopoJSON UK Boundary Data by Martin Chorley, licensed under Creative Commons Attribution "
           "4.0 (github.com/martinjc/UK-GeoJSON). Contains Ordnance Survey data © Crown copyright and database "
           "right 2014; contains National Statistics data © Crown copyright and database right."),
    Source("HSCIC ODS: GP practices (epraccur), CCGs (eccg), NHS trusts (etr)", "2015",
           "organisation names in site lists", "© HSCIC (Organisation Data Service), Open Government Licence v3.0."),
    Source("NHSBSA patient list sizes", "April–June 2015", "registered patients of named practices",
           "NHS Business Services Authority data, Open Government Licence v3.0."),
    Source("ONS NSPL postcodes of trust headquarters", "2020", "locating trusts",
           "Source: Office for National Statistics, licensed under OGL v3.0; Contains OS data © Crown copyright "
           "and database right 2020; Contains Royal Mail data © Royal Mail copyright and database right 2020."),
    Source("NHS Choices GP and trust lists", "2016, 2019", "practice coordinates",
           "NHS Choices organisation data, Open Government Licence v3.0."),
)

#: Short lines for under a map and at the top of an export (the full list is on Data and methods).
ATTRIBUTION: tuple[str, ...] = (
    "NHS integration atlas (MIT licence): site lists written from NHS England and Department of Health "
    "announcements (2013, 2015).",
    "Contains National Statistics data © Crown copyright and database right 2013-2019 (ONS; MHCLG English "
    "Indices of Deprivation 2019), licensed under the Open Government Licence v3.0.",
    "Boundaries: GeoJSON and TopoJSON UK Boundary Data by Martin Chorley, CC BY 4.0 "
    "(github.com/martinjc/UK-GeoJSON); contains Ordnance Survey data © Crown copyright and database right 2014.",
    "NHS organisation data: © HSCIC (Organisation Data Service), NHS Business Services Authority and NHS "
    "Choices, Open Government Licence v3.0; contains Royal Mail data © Royal Mail copyright and database "
    "right 2020.",
)


#: The announcement each site comes from: one row per announcement, by site file or by site id.
CITATIONS_FILE = PROJECT_ROOT / "data" / "sites" / "citations.csv"
#: The four parts of a site's citation, as columns of the site table.
CITATION_COLUMNS = ("source_publisher", "source_title", "source_date", "source_url")


def _readable_date(iso: str) -> str:
    """'2015-03-11' -> '11 March 2015'; '2015-09' -> 'September 2015' (a month where no day is known)."""
    parts = iso.split("-")
    day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
    return f"{day.day} {day:%B %Y}" if len(parts) > 2 else f"{day:%B %Y}"


def announcements(path: Path = CITATIONS_FILE) -> pd.DataFrame:
    """The announcements the sites come from (``citations.csv``): publisher, title, readable date and
    address, indexed by what each applies to (a site list file, or one site's id)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("applies_to")
    table["date"] = [_readable_date(d) for d in table["date"]]
    return table


def site_citations(sites: pd.DataFrame, files: pd.Series, path: Path = CITATIONS_FILE) -> pd.DataFrame:
    """Publisher, title, date and address of the announcement of each site, in ``sites``' order.

    ``files`` gives each site's list file; a row of ``citations.csv`` for a site id (a site the
    announcement of its list left out) comes before the row for its file.
    """
    table = announcements(path)
    keys = [site if site in table.index else file for site, file in zip(sites["site_id"], files)]
    missing = sorted({k for k in keys if k not in table.index})
    if missing:
        raise ValueError(f"{path.name} has no citation for {', '.join(missing)}")
    rows = table.loc[keys]
    return pd.DataFrame({"source_publisher": rows["publisher"].to_numpy(), "source_title": rows["title"].to_numpy(),
                         "source_date": rows["date"].to_numpy(), "source_url": rows["url"].to_numpy()},
                        index=sites.index)
