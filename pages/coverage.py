"""Coverage: people covered by care model and by NHS region (each person once), and shared places."""

import altair as alt
import pandas as pd
import streamlit as st

from geo.present.age import CARE_HOME_NOTE, older_people_by
from geo.present.coverage import PEOPLE_IN_BOTH, coverage_by, multi_programme_places, no_area_sites, overlapping_sites
from geo.present.deprivation import ENGLAND_ROW, FIFTH_COLUMNS, FIFTH_SHORT, GROUP, deprivation_by
from geo.present.palette import CARE_MODEL_COLOURS, DEPRIVATION_RAMP, care_model_colour
from ui import data, shell, widgets

current = shell.start()
atlas = data.atlas()
st.title("Coverage")
st.markdown(
    "People living in the footprints of the sites that pass the filters. **Each person counts once** within a "
    "row, however many sites cover their area, so rows can add up to more than the total. Shares are of "
    f"England's {data.england():,} residents (mid-2015)."
)
total = data.union_people(current)
headline = st.columns(3)
headline[0].metric("Sites shown", f"{len(current.frame)} of {current.total}")
headline[1].metric("People covered (each once)", f"{total:,}")
headline[2].metric("Share of England", f"{total / data.england():.1%}")
networks = no_area_sites(current.frame, current.footprints)
if networks:
    st.caption(f"Left out of every total: {len(networks)} national or specialist network(s) with no area footprint "
               f"({widgets.md('; '.join(networks))}). They are counted under Sites but add no people.")


#: Category labels in full: Vega-Lite otherwise cuts long names and drops labels it thinks overlap.
LABELS = alt.Axis(labelLimit=320, labelOverlap=False)


def chart_and_table(table: pd.DataFrame, column: str, label: str, colours: dict[str, str] | None) -> None:
    """A bar chart of people covered, with the table behind it."""
    shown = table.rename(columns={column: label})
    colour = alt.value("#0072B2")
    if colours:
        present = list(shown[label])
        palette = [colours.get(v, care_model_colour(v)) for v in present]
        colour = alt.Color(f"{label}:N", legend=None, scale=alt.Scale(domain=present, range=palette))
    chart = alt.Chart(shown).mark_bar().encode(
        x=alt.X("population:Q", title="People covered (mid-2015)"),
        y=alt.Y(f"{label}:N", sort="-x", title=None, axis=LABELS),
        color=colour,
        tooltip=[label, "sites", alt.Tooltip("population:Q", format=","), "share_of_england_pct"],
    ).properties(height=40 * len(shown) + 40)
    st.altair_chart(chart, width="stretch")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "sites": "Sites", "no_area_sites": st.column_config.NumberColumn(
            "Of which no area", help="National or specialist networks: counted as sites, no people added"),
        "population": st.column_config.NumberColumn("People covered", format="localized"),
        "share_of_england_pct": st.column_config.NumberColumn("Share of England", format="%.2f%%")})


def deprivation_chart(table: pd.DataFrame) -> None:
    """The five fifths of each row as one bar of 100%, most deprived (darkest, labelled) first, and a dashed line
    at England's share in the most deprived fifth: a dark segment reaching past it is a more deprived population."""
    shown = table[table["residents"] > 0].rename(columns={GROUP: "Residents of"})
    long = shown.melt(id_vars=["Residents of"], value_vars=list(FIFTH_COLUMNS.values()), var_name="column",
                      value_name="share")
    long["order"] = long["column"].map({column: fifth for fifth, column in FIFTH_COLUMNS.items()})
    long["fifth"] = long["order"].map(FIFTH_SHORT)
    rows = alt.Y("Residents of:N", sort=list(shown["Residents of"]), title=None, axis=LABELS)
    bars = alt.Chart(long).mark_bar(stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("share:Q", stack="zero", title="Share of residents (%)", scale=alt.Scale(domain=[0, 100])),
        y=rows,
        color=alt.Color("fifth:N", scale=alt.Scale(domain=list(FIFTH_SHORT.values()), range=list(DEPRIVATION_RAMP)),
                        legend=alt.Legend(title="National fifth of deprivation (IMD 2015)", orient="top",
                                          titleLimit=400, symbolType="square", symbolStrokeColor="#555555",
                                          symbolStrokeWidth=0.5)),
        order=alt.Order("order:Q"),
        tooltip=["Residents of", alt.Tooltip("fifth:N", title="Fifth"),
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
    st.info("No sites pass the filters. Widen them in the sidebar.")
else:
    left, right = st.columns(2)
    with left:
        st.subheader("By care model")
        chart_and_table(coverage_by(atlas, current.frame, current.footprints, "care_model"), "care_model",
                        "Care model", CARE_MODEL_COLOURS)
    with right:
        st.subheader("By NHS England region (2015)")
        st.caption("A footprint that crosses a regional border counts in each region for the people living there.")
        chart_and_table(coverage_by(atlas, current.frame, current.footprints, "nhs_regions"), "nhs_regions",
                        "NHS region", None)

    st.subheader("Older people covered, by care model")
    older = older_people_by(atlas, current.frame, current.footprints, "care_model")
    union_older = older_people_by(atlas, current.frame.assign(all="all"), current.footprints, "all")
    everyone_older = int(union_older["aged_60_plus"].sum())
    st.markdown(f"Residents aged **60 and over** in the footprints shown: **{everyone_older:,}** "
                "(each person once, mid-2015). By care model, each person counts once within a row.")
    st.dataframe(older, hide_index=True, width="stretch", column_config={
        "care_model": "Care model",
        "residents": st.column_config.NumberColumn("Residents (all ages)", format="localized"),
        "aged_60_plus": st.column_config.NumberColumn("Aged 60 and over", format="localized"),
        "aged_60_plus_pct": st.column_config.NumberColumn("Share aged 60+", format="%.1f%%")})
    st.caption(widgets.md(CARE_HOME_NOTE))

    st.subheader("Deprivation of the people covered, by care model")
    st.markdown("How many of the residents covered live in each national fifth of deprivation (English Indices of "
                "Deprivation 2015), beside England's own residents. The fifths are of England's LSOAs, not of "
                "people; shares are of mid-2015 residents. See Data and methods for the method.")
    deprivation = deprivation_by(atlas, current.frame, current.footprints, "care_model")
    deprivation_chart(deprivation)
    st.dataframe(deprivation, hide_index=True, width="stretch", key="coverage_deprivation", column_config={
        GROUP: st.column_config.TextColumn("Residents of", width="medium"),
        "residents": st.column_config.NumberColumn("Residents", format="localized"),
        **widgets.deprivation_columns()})

    st.subheader("Places in more than one programme")
    places = multi_programme_places(atlas, current.frame, current.footprints)
    if places.empty:
        st.info("No district has both a vanguard and an integration pioneer among the sites shown.")
    else:
        in_both = int(places[PEOPLE_IN_BOTH].sum())
        st.markdown(f"**{len(places)} districts** have people covered by both programmes: **{in_both:,}** people "
                    f"({in_both / data.england():.2%} of England).")
        bars = alt.Chart(places).mark_bar(color="#CC79A7").encode(
            x=alt.X(f"{PEOPLE_IN_BOTH}:Q", title="People in more than one programme"),
            y=alt.Y("district:N", sort="-x", title=None, axis=LABELS),
            tooltip=["district", "programmes", "sites", alt.Tooltip(f"{PEOPLE_IN_BOTH}:Q", format=",")],
        ).properties(height=40 * len(places) + 40)
        st.altair_chart(bars, width="stretch")
        st.dataframe(places[["district", "programmes", PEOPLE_IN_BOTH, "sites"]], hide_index=True,
                     width="stretch", column_config={
            "district": "District", "programmes": "Programmes", "sites": "Sites",
            PEOPLE_IN_BOTH: st.column_config.NumberColumn("People in more than one programme",
                                                              format="localized")})
    pairs = overlapping_sites(atlas, current.frame, current.footprints)
    if not pairs.empty:
        st.subheader("Sites whose footprints overlap")
        st.dataframe(pairs, hide_index=True, width="stretch", column_config={
            "population_in_overlap": st.column_config.NumberColumn("People in the overlap", format="localized")})
widgets.attribution_caption()
