"""Coverage: people covered by care model and by NHS region (each person once), and shared places."""

import altair as alt
import pandas as pd
import streamlit as st

from geo.present.age import CARE_HOME_NOTE, older_people_by
from geo.present.columns import COLUMNS, reader_frame
from geo.present.coverage import PEOPLE_IN_BOTH, coverage_by, multi_programme_places, no_area_sites, overlapping_sites
from geo.present.deprivation import ENGLAND_ROW, FIFTH_COLUMNS, FIFTH_SHORT, GROUP, deprivation_by
from geo.present.palette import DEPRIVATION_RAMP, care_model_colour
from geo.present.wording import ROUNDED_POPULATION_NOTE, axis_label_expression, axis_scale, people, percent
from ui import data, shell, tables, widgets
from ui.sidebar import no_sites_notice

current = shell.start("coverage")
atlas = data.atlas()
st.title("Coverage")
st.markdown(
    "People living in the footprints of the sites that pass the filters. **Each person counts once** within a "
    "row, however many sites cover their area, so rows can add up to more than the total. Shares are of "
    f"England's {people(data.england())} residents (mid-2015). " + ROUNDED_POPULATION_NOTE
)
#: Category labels in full: Vega-Lite otherwise cuts long names and drops labels it thinks overlap.
LABELS = alt.Axis(labelLimit=320, labelOverlap=False)


def people_bars(shown: pd.DataFrame, value: str, label: str, colours: list[str] | None = None,
                title: str = "People covered, mid-2015") -> None:
    """Horizontal bars of people (a reader's table: rounded, reader's names), axis in thousands or millions."""
    largest = float(shown[value].max() or 0)
    _divisor, unit = axis_scale(largest)
    colour = alt.value("#0072B2") if colours is None else alt.Color(
        f"{label}:N", legend=None, scale=alt.Scale(domain=list(shown[label]), range=colours))
    chart = alt.Chart(shown).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=f"{title} ({unit})", axis=alt.Axis(labelExpr=axis_label_expression(largest))),
        y=alt.Y(f"{label}:N", sort="-x", title=None, axis=LABELS),
        color=colour,
        tooltip=[c if c != value else alt.Tooltip(f"{c}:Q", format=",") for c in shown.columns],
    ).properties(height=40 * len(shown) + 40)
    st.altair_chart(chart, width="stretch")


def chart_and_table(table: pd.DataFrame, colours: list[str] | None) -> None:
    """A bar chart of people covered, with the table behind it."""
    shown = tables.for_page(reader_frame(table, list(table.columns)))
    label = shown.columns[0]
    people_bars(shown, "Population covered", label, colours)
    tables.table(table, list(table.columns))


def deprivation_chart(table: pd.DataFrame) -> None:
    """The five fifths of each row as one bar of 100%, most deprived (darkest, labelled) first, and a dashed line
    at England's share in the most deprived fifth: a dark segment reaching past it is a more deprived population."""
    shown = reader_frame(table[table["residents"] > 0], [GROUP, *FIFTH_COLUMNS.values()])
    label = shown.columns[0]
    long = shown.melt(id_vars=[label], var_name="column", value_name="share")
    long["order"] = long["column"].map({COLUMNS[column].name: fifth for fifth, column in FIFTH_COLUMNS.items()})
    long["fifth"] = long["order"].map(FIFTH_SHORT)
    long["share"] = long["share"].astype(float)
    rows = alt.Y(f"{label}:N", sort=list(shown[label]), title=None, axis=LABELS)
    bars = alt.Chart(long).mark_bar(stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("share:Q", stack="zero", title="Share of residents (%)", scale=alt.Scale(domain=[0, 100])),
        y=rows,
        color=alt.Color("fifth:N", scale=alt.Scale(domain=list(FIFTH_SHORT.values()), range=list(DEPRIVATION_RAMP)),
                        legend=alt.Legend(title="National fifth of deprivation (IMD 2015)", orient="top",
                                          titleLimit=400, symbolType="square", symbolStrokeColor="#555555",
                                          symbolStrokeWidth=0.5)),
        order=alt.Order("order:Q"),
        tooltip=[label, alt.Tooltip("fifth:N", title="Fifth"),
                 alt.Tooltip("share:Q", title="Share (%)", format=".1f")])
    most = long[long["order"] == 1]
    labels = alt.Chart(most).mark_text(align="left", dx=4, color="#ffffff", fontWeight="bold").encode(
        x=alt.datum(0), y=rows, text=alt.Text("share:Q", format=".1f"))
    england = float(table.loc[table[GROUP] == ENGLAND_ROW, FIFTH_COLUMNS[1]].iloc[0])
    rule = alt.Chart(pd.DataFrame({"england": [england]})).mark_rule(
        color="#D55E00", strokeDash=[6, 3], strokeWidth=2).encode(
        x="england:Q", tooltip=[alt.Tooltip("england:Q", title="England, most deprived fifth (%)", format=".1f")])
    st.altair_chart((bars + labels + rule).properties(height=34 * len(shown) + 60), width="stretch")
    st.caption(f"Darkest, with its share printed: the most deprived fifth of England's LSOAs. The dashed line marks "
               f"England's own share of residents there ({england:.1f}%): a darker segment reaching past it means "
               "more deprived residents than England's. Each bar is 100% of the residents of its row, each person "
               "once.")


if current.frame.empty:
    no_sites_notice()
else:
    total = data.union_people(current)
    headline = st.columns(3)
    headline[0].metric("Sites shown", f"{len(current.frame)} of {current.total}")
    headline[1].metric("People covered (each once)", people(total))
    headline[2].metric("Share of England", percent(total, data.england()))
    networks = no_area_sites(current.frame, current.footprints)
    if networks:
        st.caption(f"Left out of every total: {len(networks)} national or specialist network(s) with no area "
                   f"footprint ({widgets.md('; '.join(networks))}). They are counted under Sites but add no people.")
    left, right = st.columns(2)
    with left:
        st.header("By care model")
        by_model = coverage_by(atlas, current.frame, current.footprints, "care_model")
        colours = [care_model_colour(m) for m in by_model["care_model"]]
        chart_and_table(by_model.rename(columns={"care_model": "care_model_or_programme"}), colours)
    with right:
        st.header("By NHS England region (2015)")
        st.caption("A footprint that crosses a regional border counts in each region for the people living there.")
        by_region = coverage_by(atlas, current.frame, current.footprints, "nhs_regions")
        chart_and_table(by_region.rename(columns={"nhs_regions": "nhs_region"}), None)

    st.header("Older people covered, by care model")
    older = older_people_by(atlas, current.frame, current.footprints, "care_model")
    union_older = older_people_by(atlas, current.frame.assign(all="all"), current.footprints, "all")
    older_total = people(union_older["aged_60_plus"].sum())
    st.markdown(f"Residents aged **60 and over** in the footprints shown: **{older_total}** (each person once, "
                "mid-2015). By care model, each person counts once within a row.")
    tables.table(older.rename(columns={"care_model": "care_model_or_programme"}),
                 ["care_model_or_programme", "residents", "aged_60_plus", "aged_60_plus_pct"])
    st.caption(widgets.md(CARE_HOME_NOTE))

    st.header("Deprivation of the people covered, by care model")
    st.markdown("How many of the residents covered live in each national fifth of deprivation (English Indices of "
                "Deprivation 2015), beside England's own residents. The fifths are of England's LSOAs, not of "
                "people; shares are of mid-2015 residents. See Data and methods for the method.")
    deprivation = deprivation_by(atlas, current.frame, current.footprints, "care_model")
    deprivation_chart(deprivation)
    tables.table(deprivation, list(deprivation.columns), key="coverage_deprivation")

    st.header("Places in more than one programme")
    places = multi_programme_places(atlas, current.frame, current.footprints)
    if places.empty:
        st.info("No district has both a vanguard and an integration pioneer among the sites shown.")
    else:
        in_both = int(places[PEOPLE_IN_BOTH].sum())
        st.markdown(f"**{len(places)} districts** have people covered by both programmes: **{people(in_both)}** "
                    f"people ({percent(in_both, data.england())} of England).")
        shown = tables.for_page(reader_frame(places, ["district", "programmes", PEOPLE_IN_BOTH, "site_names"]))
        people_bars(shown, shown.columns[2], shown.columns[0], ["#CC79A7"] * len(shown),
                    title="People in more than one programme")
        tables.table(places, ["district", "programmes", PEOPLE_IN_BOTH, "site_names"])
    pairs = overlapping_sites(atlas, current.frame, current.footprints)
    if not pairs.empty:
        st.header("Sites whose footprints overlap")
        tables.table(pairs, list(pairs.columns))
widgets.attribution_caption()
