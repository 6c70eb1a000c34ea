"""Small pieces every page draws: escaped text, the attribution caption, a site's details."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from geo.geography import AGE_BANDS
from geo.present import filters as flt
from geo.present.age import CARE_HOME_NOTE, age_profile
from geo.present.wording import ROUNDED_POPULATION_NOTE, care_model_name, percent
from geo.present.wording import people as people_text
from geo.sources import ATTRIBUTION, CITATION_COLUMNS
from ui.data import atlas
from ui.text import as_text

#: An address from the project's own data that can go into a markdown link as it is.
_SAFE_URL = re.compile(r"https?://[^\s()<>\[\]]+")


def md(text: object) -> str:
    """Text from data, a link or a file, shown as typed (see :func:`ui.text.as_text`)."""
    return as_text(text)


def attribution_caption() -> None:
    """The attribution lines the sources ask for, under a map or table."""
    st.caption("  \n".join(md(line) for line in ATTRIBUTION))


def asset_base() -> str:
    """The app's URL path, under which ``app/static`` (the map's own Leaflet) is served."""
    path = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{path}/" if path else "/"


def _joined(value: object) -> str:
    return "; ".join(flt.split_list(value))


def site_details(row: pd.Series, footprint: frozenset[str]) -> None:
    """Everything known about one site, every value escaped (it comes from data)."""
    st.header(md(row.get("display_name")))
    facts = [
        ("Name as announced", row.get("name_as_printed") or "(left out of the article)"),
        ("Programme", row.get("programme")),
        ("Care model", care_model_name(row.get("care_model"))),
        ("Lead organisation", row.get("lead_organisation")),
        ("Announced", _date_text(row.get("announced"))),
        ("Wave", row.get("wave_label")),
        ("NHS England vanguard number", row.get("nhse_vanguard_no")),
        ("NHS region as announced", row.get("region_announced") or row.get("region_inferred")),
        ("NHS region of the footprint", _joined(row.get("nhs_regions"))),
        ("Region check", row.get("region_check")),
        ("CCGs (2015)", _joined(row.get("ccg_names"))),
        ("Local authorities", _joined(row.get("lad_names"))),
        ("Upper-tier authorities", _joined(row.get("utla_names"))),
        ("Population covered", _population_text(row.get("population"), row.get("footprint_level"))),
        ("Published population", _published_text(row)),
        ("Population check", row.get("population_check")),
        ("Member trusts", row.get("member_trusts")),
        ("Overlaps with", _joined(row.get("overlaps_with"))),
        ("Footprint", f"{row.get('footprint_level') or 'none'}, {len(footprint):,} LSOAs"),
        ("Geocoding", f"{row.get('status')}; method {row.get('method') or 'none'}; score {row.get('score'):.0f}"
         if _present(row.get("score")) else row.get("status")),
        ("Geocoder's note", row.get("note")),
        ("Other sources", row.get("other_sources")),
        ("Notes", row.get("notes")),
        ("Footprint evidence", row.get("footprint_evidence")),
    ]
    lines = [f"**{label}:** {md(value)}" for label, value in facts[:-3] if _present(value)] + [citation(row)]
    lines += [f"**{label}:** {md(value)}" for label, value in facts[-3:] if _present(value)]
    st.markdown("  \n".join(line for line in lines if line))
    if _present(row.get("population_basis")):
        st.caption("Population basis: " + md(row.get("population_basis")) + ". " + ROUNDED_POPULATION_NOTE)
    age_lines(footprint, row.get("care_model"))


def citation(row: pd.Series) -> str:
    """The site's source as 'publisher, "title", date, address', the address a link (it comes from the
    project's own ``citations.csv``, never from a user); empty when the row has none."""
    publisher, title, date, url = (row.get(c) for c in CITATION_COLUMNS)
    if not _present(title):
        return ""
    address = str(url) if _present(url) else ""
    link = f"[{md(address)}]({address})" if _SAFE_URL.fullmatch(address) else md(address)
    return f"**Source:** {md(publisher)}, \u201c{md(title)}\u201d, {md(date)}. {link}"


def age_lines(footprint: frozenset[str], care_model: object = None) -> None:
    """Who lives in a footprint: residents by age band, and the care home caveat where it applies."""
    if not footprint:
        return
    profile = age_profile(atlas(), footprint)
    everyone = sum(profile.values())
    parts = [f"{label}: {people_text(profile[band])} ({percent(profile[band], everyone)})"
             for band, label in AGE_BANDS.items()]
    st.markdown(f"**Residents by age (mid-2015):** {'; '.join(parts)}")
    if care_model == "Enhanced health in care homes":
        st.caption(md(CARE_HOME_NOTE))


def _present(value: object) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and pd.isna(value)) \
        and str(value).strip() != ""


def _population_text(value: object, level: object = None) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.isna(number) and level == "no area footprint":
        return "none claimed: a national or specialist network with no area footprint"
    return "not known" if pd.isna(number) else f"{people_text(number)} residents of the footprint (mid-2015)"


def _published_text(row: pd.Series) -> str:
    number = pd.to_numeric(pd.Series([row.get("published_population")]), errors="coerce").iloc[0]
    if pd.isna(number):
        return ""
    return f"{int(number):,} (source: {row.get('published_population_source') or 'not given'})"


def _date_text(value: object) -> str:
    """'2015-03-10' -> '10 March 2015'."""
    day = pd.to_datetime(value, errors="coerce") if _present(value) else pd.NaT
    return "" if pd.isna(day) else f"{day.day} {day:%B %Y}"
