"""The column dictionary: each machine column's name for readers, its meaning, unit and source.

``geo`` and the command line keep snake_case machine names (scripts read them); every page table
and every download from the pages (CSV, Excel and its data dictionary sheet, GeoJSON properties)
shows the reader's names from :data:`COLUMNS`. Adding a column is one line there. Columns marked
``detail`` are the geocoder's working columns: left out unless a "full detail" download asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from geo.present.deprivation import ALL_SHOWN_ROW, ENGLAND_ROW
from geo.present.wording import care_model_name, key_label

#: What a column holds, which decides how it is typed, shown and formatted.
KINDS = ("text", "code", "integer", "people", "percent", "score", "date", "url")
ATLAS = "NHS integration atlas"
LIST = "The programme's announcements (see the Source columns)"
GEOCODER = "The atlas's geocoder, on 2015 ONS and NHS geography"
RESIDENTS = "ONS mid-2015 estimates summed over the footprint's LSOAs (IoD2019 denominators)"
IMD = "English Indices of Deprivation 2015 (IMD), with the residents above"
FIFTH_MEANING = "Share of the residents living in LSOAs of England's {} by the IMD 2015 (deciles {})"


@dataclass(frozen=True)
class Column:
    """One column as readers see it."""

    name: str
    meaning: str
    unit: str = ""
    source: str = ATLAS
    kind: str = "text"
    detail: bool = False
    values: Callable[[object], object] | None = None  # how a machine value is written for readers


COLUMNS: dict[str, Column] = {
    "row": Column("Row", "Position of the row in your file (1 is the first row under the header)", "row", "Your file",
                  "integer"),
    "site_id": Column("Site id", "The atlas's stable identifier of the site", source=ATLAS, kind="code"),
    "display_name": Column("Site", "The site's name", source=LIST),
    "name_as_printed": Column("Name as announced", "The name exactly as the announcement printed it", source=LIST),
    "programme": Column("Programme", "Vanguard (new care models, 2015) or integration pioneer (2013, 2015)",
                        source=LIST),
    "care_model": Column("Care model", "The vanguard's care model, written out; blank for integration pioneers, "
                         "which had none", source=LIST, values=care_model_name),
    "wave_label": Column("Wave", "The announcement the site came in", source=LIST),
    "wave": Column("Wave number", "The wave within the programme (vanguards 1-3, pioneers 1-2)", "number", LIST,
                   "integer"),
    "announced": Column("Announced", "Date of the announcement (the 1st of the month where only a month is known)",
                        "date", LIST, "date"),
    "nhse_vanguard_no": Column("NHS England vanguard number", "NHS England's own number of the vanguard (1-50)",
                               "number", "NHS England's care model pages", "integer"),
    "lead_organisation": Column("Lead organisation", "The lead body or partners the announcement names", source=LIST),
    "region_inferred": Column("NHS region (announced)", "NHS England region the announcement gives, or inferred "
                              "where it prints none", source=LIST),
    "region_announced": Column("NHS region heading printed", "The region heading printed above the site, if any",
                               source=LIST, detail=True),
    "region_basis": Column("NHS region: how decided", "How the announced region was decided", source=ATLAS,
                           detail=True),
    "nhs_regions": Column("NHS regions of the footprint", "2015 NHS England regions the footprint reaches",
                          source=GEOCODER),
    "region_check": Column("Region check", "Where the announced region and the footprint's differ", source=ATLAS),
    "population": Column("Population covered", "Residents of the footprint, mid-2015; exact here (round to the "
                         "nearest 100 when quoting)", "people", RESIDENTS, "people"),
    "population_basis": Column("Population basis", "What the population figure counts", source=GEOCODER),
    "published_population": Column("Published population", "The figure the announcement or partners gave; it may "
                                   "count patients, a catchment or care home residents", "people", LIST, "people"),
    "published_population_source": Column("Published population: source", "Where the published figure comes from "
                                          "and what it counts", source=LIST),
    "population_difference_pct": Column("Published vs computed population", "How far the published figure is from "
                                        "the atlas's residents", "%", ATLAS, "percent"),
    "population_check": Column("Population check", "Flagged when the two figures differ by more than 20%",
                               source=ATLAS),
    "residents_0_15": Column("Residents aged 0-15", "Residents of the footprint aged 0-15, mid-2015", "people",
                             RESIDENTS, "people"),
    "residents_16_59": Column("Residents aged 16-59", "Residents of the footprint aged 16-59, mid-2015", "people",
                              RESIDENTS, "people"),
    "residents_60_plus": Column("Residents aged 60+", "Residents of the footprint aged 60 and over, mid-2015",
                                "people", RESIDENTS, "people"),
    "residents_60_plus_pct": Column("Share aged 60+", "Residents aged 60 and over as a share of all residents",
                                    "%", RESIDENTS, "percent"),
    "most_deprived_fifth_pct": Column("Most deprived fifth", FIFTH_MEANING.format("most deprived fifth", "1-2"), "%",
                                      IMD, "percent"),
    "second_most_deprived_fifth_pct": Column("2nd most deprived fifth", FIFTH_MEANING.format(
        "second most deprived fifth", "3-4"), "%", IMD, "percent"),
    "middle_fifth_pct": Column("Middle fifth", FIFTH_MEANING.format("middle fifth", "5-6"), "%", IMD, "percent"),
    "second_least_deprived_fifth_pct": Column("2nd least deprived fifth", FIFTH_MEANING.format(
        "second least deprived fifth", "7-8"), "%", IMD, "percent"),
    "least_deprived_fifth_pct": Column("Least deprived fifth", FIFTH_MEANING.format("least deprived fifth", "9-10"),
                                       "%", IMD, "percent"),
    "imd_rank_percentile": Column("Average IMD rank (percentile)", "The residents' average national IMD 2015 rank "
                                  "as a percentile of England's LSOAs: (mean rank - 0.5) / 32,844 x 100",
                                  "0 most deprived, 100 least", IMD, "score"),
    "ccg_codes": Column("CCG codes", "ODS codes of the 2015 CCGs the footprint covers", "ODS code", GEOCODER, "code"),
    "ccg_names": Column("CCGs (2015)", "The 2015 clinical commissioning groups the footprint covers",
                        source=GEOCODER),
    "lad_codes": Column("District codes", "ONS codes of the 2015 local authority districts", "ONS code", GEOCODER,
                        "code"),
    "lad_names": Column("Local authority districts", "The 2015 local authority districts the footprint covers",
                        source=GEOCODER),
    "utla_codes": Column("Upper-tier authority codes", "ONS codes of the upper-tier (county or unitary) authorities",
                         "ONS code", GEOCODER, "code"),
    "utla_names": Column("Upper-tier authorities", "The county or unitary authorities the footprint covers",
                         source=GEOCODER),
    "footprint_level": Column("Footprint made of", "The kind of area the footprint was drawn from", source=GEOCODER),
    "member_trusts": Column("Member trusts", "ODS codes of the member or partner hospital trusts", "ODS code", LIST,
                            "code"),
    "overlaps_with": Column("Overlaps with", "Other sites whose footprints share residents with this one",
                            source=ATLAS),
    "status": Column("Geocoding status", "matched, ambiguous (two readings, never a guess) or unmatched",
                     source=GEOCODER),
    "method": Column("Geocoding method", "The rule that read the name", source=GEOCODER),
    "score": Column("Geocoding score", "How closely the name matched (100 = exactly)", "0-100", GEOCODER, "score"),
    "note": Column("Geocoder's note", "What the geocoder found worth saying", source=GEOCODER),
    "candidates": Column("Candidates", "The readings the geocoder weighed", source=GEOCODER, detail=True),
    "geocode_name": Column("Name geocoded", "The name passed to the geocoder", source=ATLAS, detail=True),
    "expected_footprint": Column("Expected footprint", "What the evidence says the footprint should be (typed codes)",
                                 source=ATLAS, kind="code", detail=True),
    "footprint_evidence": Column("Footprint evidence", "Why the footprint is what it is", source=ATLAS, detail=True),
    "areas": Column("Areas given", "Areas stated outright for the geocoder", source=ATLAS, kind="code", detail=True),
    "notes": Column("Notes", "Caveats, naming differences and overlaps", source=ATLAS),
    "source_publisher": Column("Source: publisher", "Who published the announcement", source=LIST),
    "source_title": Column("Source: title", "The announcement's title", source=LIST),
    "source_date": Column("Source: date", "The announcement's date (a month where the page gives no day)",
                          source=LIST),
    "source_url": Column("Source: address", "Where the announcement was published", "web address", LIST, "url"),
    "other_sources": Column("Other sources", "Further pages the site's details rest on", source=LIST),
    # coverage tables (pages/coverage.py)
    "care_model_or_programme": Column("Care model, or programme", "The vanguards' care model written out; "
                                      "integration pioneers, which had none, as their programme", source=LIST,
                                      values=key_label),
    "nhs_region": Column("NHS region", "2015 NHS England region", source=GEOCODER),
    "sites": Column("Sites", "Number of sites", "count", ATLAS, "integer"),
    "no_area_sites": Column("Of which no area", "National or specialist networks: counted as sites, no people added",
                            "count", ATLAS, "integer"),
    "share_of_england_pct": Column("Share of England", "People covered as a share of England's residents", "%",
                                   RESIDENTS, "percent"),
    "residents": Column("Residents (all ages)", "Residents of the footprints, each person once", "people", RESIDENTS,
                        "people"),
    "aged_60_plus": Column("Aged 60 and over", "Residents aged 60 and over, each person once", "people", RESIDENTS,
                           "people"),
    "aged_60_plus_pct": Column("Share aged 60 and over", "Residents aged 60 and over as a share of all", "%",
                               RESIDENTS, "percent"),
    "residents_of": Column("Residents of", "England's residents, those of all the sites shown, or those of one "
                           "care model's sites (each person once within a row)", source=RESIDENTS,
                           values=lambda v: v if v in (ENGLAND_ROW, ALL_SHOWN_ROW) else key_label(v)),
    "district": Column("District", "2015 local authority district", source=GEOCODER),
    "programmes": Column("Programmes", "The programmes whose footprints reach the district", source=ATLAS),
    "site_names": Column("Sites named", "The sites whose footprints reach the district", source=ATLAS),
    "population_in_more_than_one_programme": Column(
        "People in more than one programme", "Residents covered by both programmes", "people", RESIDENTS, "people"),
    "site_a": Column("First site", "One site of the pair", source=ATLAS),
    "programme_a": Column("First site's programme", "The first site's programme", source=ATLAS),
    "site_b": Column("Overlapping site", "The other site of the pair", source=ATLAS),
    "programme_b": Column("Overlapping site's programme", "The other site's programme", source=ATLAS),
    "shared_lsoas": Column("Small areas shared", "LSOAs in both footprints", "count", ATLAS, "integer"),
    "population_in_overlap": Column("People in the overlap", "Residents of the LSOAs in both footprints", "people",
                                    RESIDENTS, "people"),
    # your list beside the programme (pages/geocode.py)
    "site_name": Column("Your site", "The site's name in your file", source="Your file"),
    "site": Column("Programme site", "The programme site whose footprint shares residents with the row",
                   source=ATLAS),
    "row_population": Column("Residents of your footprint", "Residents of the row's footprint", "people", RESIDENTS,
                             "people"),
    "people_in_both": Column("Residents in both", "Residents of both footprints", "people", RESIDENTS, "people"),
    "share_of_row_pct": Column("Share of your footprint", "Residents in both as a share of the row's", "%",
                               RESIDENTS, "percent"),
    # what covered this place (pages/map.py, python -m geo covers)
    "share_of_place_pct": Column("Share of the place", "Residents in both (the site's footprint and the place) as "
                                 "a share of the place's residents", "%", RESIDENTS, "percent"),
}
#: Reader's name -> column, for tables that are already renamed.
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS.values()}
#: Added to an atlas column's name that an uploaded list already uses ("Row (atlas)" beside its "row").
CLASH_SUFFIX = " (atlas)"
#: A column of an uploaded list that the atlas does not know is described like this.
YOUR_COLUMN = Column("", "Your column, as uploaded", source="Your file")


def _typed(series: pd.Series, kind: str) -> pd.Series:
    """A column as its kind: whole numbers as Int64, shares as floats, dates as dates, the rest untouched."""
    if kind in ("integer", "people"):
        return pd.to_numeric(series, errors="coerce").round().astype("Int64")
    if kind in ("percent", "score"):
        return pd.to_numeric(series, errors="coerce").astype("Float64")
    if kind == "date":
        days = pd.to_datetime(series.replace("", None), errors="coerce")
        return pd.Series([d.date() if not pd.isna(d) else None for d in days], index=series.index, dtype=object)
    return series


def reader_frame(frame: pd.DataFrame, machine: Iterable[str] | None = None, full: bool = False,
                 taken: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` for readers: its dictionary columns typed, written out and renamed.

    ``machine`` picks and orders the columns (default: the dictionary's order, the working columns
    only when ``full``, which also keeps columns the dictionary does not know, at the end, as they
    are). A reader's name already in ``taken`` (an uploaded list's own column, in any case) gets
    :data:`CLASH_SUFFIX`.
    """
    if machine is None:
        chosen = [c for c in COLUMNS if c in frame and (full or not COLUMNS[c].detail)]
        chosen += [c for c in frame.columns if c not in COLUMNS] if full else []
    else:
        chosen = [c for c in machine if c in frame]
    taken = {str(c).casefold() for c in taken} | {c.casefold() for c in chosen if c not in COLUMNS}
    out = {}
    for name in chosen:
        column = COLUMNS.get(name)
        if column is None:
            out[name] = frame[name]
            continue
        values = frame[name].map(column.values) if column.values else frame[name]
        label = column.name if column.name.casefold() not in taken else f"{column.name}{CLASH_SUFFIX}"
        out[label] = _typed(values, column.kind)
    return pd.DataFrame(out, index=frame.index)


def reader_list(frame: pd.DataFrame, names: Mapping[str, str], own: Iterable[str] | None = None,
                machine: Iterable[str] | None = None, full: bool = False) -> pd.DataFrame:
    """An uploaded list for readers: the row number, its own columns as uploaded (``own``: which,
    default all), then the atlas's columns renamed (``names``: machine name -> its name in ``frame``;
    ``machine`` and ``full`` choose which, as in :func:`reader_frame`)."""
    added = set(names.values())
    own = [c for c in frame.columns if c not in added] if own is None else [c for c in own if c in frame]
    atlas = pd.DataFrame({m: frame[a] for m, a in names.items() if a in frame}, index=frame.index)
    readers = reader_frame(atlas, machine, full=full, taken=own)
    first = [c for c in readers.columns[:1] if c in (COLUMNS["row"].name, COLUMNS["row"].name + CLASH_SUFFIX)]
    return pd.concat([readers[first], frame[own], readers.drop(columns=first)], axis=1)


def describe(name: str) -> Column:
    """The dictionary entry of a reader's column name (an unknown one is the user's own)."""
    return BY_NAME.get(name.removesuffix(CLASH_SUFFIX), YOUR_COLUMN)


def data_dictionary(columns: Iterable[str]) -> pd.DataFrame:
    """Column, meaning, unit and source of each reader's column, in order (the Excel sheet, GeoJSON metadata)."""
    rows = [(name, describe(name).meaning, describe(name).unit, describe(name).source) for name in columns]
    return pd.DataFrame(rows, columns=["Column", "Meaning", "Unit", "Source"])


def kinds(columns: Iterable[str]) -> Mapping[str, str]:
    """Reader's column name -> kind, for formatting a table or a workbook."""
    return {name: describe(name).kind for name in columns}
