"""Small pieces every page draws: escaped text, the attribution caption, a site's details."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.geography import AGE_BANDS
from geo.present import filters as flt
from geo.present.age import CARE_HOME_NOTE, age_profile
from geo.present.deprivation import DEPRIVATION_LABELS, RANK_PERCENTILE, deprivation_profile, profile_text
from geo.sources import ATTRIBUTION
from ui.data import atlas
from ui.text import as_text


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
    st.subheader(md(row.get("display_name")))
    facts = [
        ("Name as announced", row.get("name_as_printed") or "(left out of the article)"),
        ("Programme", row.get("programme")),
        ("Care model", row.get("care_model")),
        ("Lead organisation", row.get("lead_organisation")),
        ("Announced", row.get("announced")),
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
        ("Geocoding", f"{row.get('status')}; method {row.get('method') or 'none'}; score {row.get('score')}"),
        ("Geocoder's note", row.get("note")),
        ("Source", row.get("source")),
        ("Notes", row.get("notes")),
        ("Footprint evidence", row.get("footprint_evidence")),
    ]
    lines = [f"**{label}:** {md(value)}" for label, value in facts if _present(value)]
    st.markdown("  \n".join(lines))
    if _present(row.get("population_basis")):
        st.caption("Population basis: " + md(row.get("population_basis")))
    age_lines(footprint, row.get("care_model"))
    deprivation_lines(footprint)


def age_lines(footprint: frozenset[str], care_model: object = None) -> None:
    """Who lives in a footprint: residents by age band, and the care home caveat where it applies."""
    if not footprint:
        return
    profile = age_profile(atlas(), footprint)
    everyone = sum(profile.values())
    parts = [f"{label}: {profile[band]:,} ({profile[band] / everyone:.0%})" for band, label in AGE_BANDS.items()]
    st.markdown(f"**Residents by age (mid-2015):** {'; '.join(parts)}")
    if care_model == "Enhanced health in care homes":
        st.caption(md(CARE_HOME_NOTE))


def deprivation_lines(footprint: frozenset[str]) -> None:
    """How deprived a footprint's residents are: their shares in England's fifths of LSOAs (IMD 2015)."""
    if not footprint:
        return
    profile = deprivation_profile(atlas(), footprint)
    if profile.residents:
        st.markdown(f"**Residents by deprivation (IMD 2015, national fifths of LSOAs):** {profile_text(profile)}")


def deprivation_columns() -> dict[str, object]:
    """Column settings for the deprivation columns of a table: readers' names, percent formats, what they mean."""
    fifths = {column: st.column_config.NumberColumn(
        label, format="%.1f%%", help="Share of the residents living in England's LSOAs of this fifth (IMD 2015)")
        for column, label in DEPRIVATION_LABELS.items() if column != RANK_PERCENTILE}
    return fifths | {RANK_PERCENTILE: st.column_config.NumberColumn(
        DEPRIVATION_LABELS[RANK_PERCENTILE], format="%.1f",
        help="The residents' average national IMD 2015 rank as a percentile: 0 the most deprived LSOA, 100 the least")}


def _present(value: object) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and pd.isna(value)) \
        and str(value).strip() != ""


def _population_text(value: object, level: object = None) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.isna(number) and level == "no area footprint":
        return "none claimed: a national or specialist network with no area footprint"
    return "not known" if pd.isna(number) else f"{int(number):,} residents of the footprint (mid-2015)"


def _published_text(row: pd.Series) -> str:
    number = pd.to_numeric(pd.Series([row.get("published_population")]), errors="coerce").iloc[0]
    if pd.isna(number):
        return ""
    return f"{int(number):,} (source: {row.get('published_population_source') or 'not given'})"


def people(n: int) -> str:
    """A headline population: millions to one decimal, else thousands (ONS: round small areas)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} million"
    return f"{round(n, -2):,}"
