"""The shared filters: pure selection of sites and checking values that arrive in a link."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.present import filters as flt


@pytest.fixture(scope="module")
def frame(atlas) -> pd.DataFrame:
    """Four sites whose regions and populations come from real CCGs (Wirral, Sunderland, Kernow, Islington)."""
    rows = []
    for site_id, ods, programme, model in (("a", "12F", "Vanguard", "PACS"), ("b", "00P", "Vanguard", "MCP"),
                                           ("c", "11N", "Integration pioneer", "Integration pioneer"),
                                           ("d", "08H", "Integration pioneer", "Integration pioneer")):
        lsoas = atlas.lsoas_of("ccg", ods)
        table = atlas.lsoas.loc[lsoas]
        rows.append({"site_id": site_id, "display_name": table["ccg_name"].iloc[0], "programme": programme,
                     "care_model": model, "nhs_regions": ";".join(sorted(table["nhs_region_name"].unique())),
                     "region_inferred": "", "population": atlas.population(lsoas),
                     "lad_names": ";".join(sorted(table["lad_name"].unique()))})
    rows.append({"site_id": "e", "display_name": "Nowhere Partnership", "programme": "Vanguard",
                 "care_model": "MCP", "nhs_regions": "", "region_inferred": "South", "population": pd.NA,
                 "lad_names": ""})
    return pd.DataFrame(rows)


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["site_id"])


def test_no_filters_keep_every_row_in_order(frame):
    assert ids(flt.apply_filters(frame, flt.Filters())) == ["a", "b", "c", "d", "e"]
    assert flt.Filters().is_default()


def test_programme_and_model_filters(frame):
    assert ids(flt.apply_filters(frame, flt.Filters(programmes=("Integration pioneer",)))) == ["c", "d"]
    assert ids(flt.apply_filters(frame, flt.Filters(care_models=("MCP", "PACS")))) == ["a", "b", "e"]
    both = flt.Filters(programmes=("Vanguard",), care_models=("Integration pioneer",))
    assert flt.apply_filters(frame, both).empty


def test_region_filter_uses_the_footprint_then_the_given_region(frame, atlas):
    regions = flt.region_options(atlas.lsoas)
    assert len(regions) == 4 and regions[0].startswith("North") and regions[-1].startswith("South")
    north = [r for r in regions if r.startswith("North")]
    assert ids(flt.apply_filters(frame, flt.Filters(regions=tuple(north)))) == ["a", "b"]
    south = [r for r in regions if r.startswith("South")]
    # Kernow by its footprint; the unmatched site by the region given with it
    assert ids(flt.apply_filters(frame, flt.Filters(regions=tuple(south)))) == ["c", "e"]


def test_population_range_drops_unknown_populations(frame):
    pops = dict(zip(frame["site_id"], frame["population"], strict=True))
    cut = int(pops["b"])
    kept = ids(flt.apply_filters(frame, flt.Filters(population_min=cut)))
    assert "b" in kept and "e" not in kept
    assert all(pops[k] >= cut for k in kept)
    assert ids(flt.apply_filters(frame, flt.Filters(population_max=cut - 1))) == [
        k for k in "abcd" if pops[k] < cut]


def test_search_matches_every_word_in_any_name_column(frame):
    assert ids(flt.apply_filters(frame, flt.Filters(search="sunderland"))) == ["b"]
    assert ids(flt.apply_filters(frame, flt.Filters(search="  NOWHERE  partnership"))) == ["e"]
    assert flt.apply_filters(frame, flt.Filters(search="nowhere sunderland")).empty


def test_widget_values_become_filters():
    bounds = (0, 800)
    assert flt.filters_from_values(population_k=(0, 800), bounds_k=bounds) == flt.Filters()
    chosen = flt.filters_from_values(["Vanguard"], [], [], (100, 800), bounds, " Wirral ")
    assert chosen == flt.Filters(programmes=("Vanguard",), population_min=100_000, search="Wirral")
    assert chosen.describe() == ["Vanguard", "population 100,000 to any", "matching 'Wirral'"]


def test_population_bounds_round_up_to_a_hundred_thousand():
    assert flt.population_bounds([13_118, 2_060_126, pd.NA]) == (0, 2100)
    assert flt.population_bounds([]) == (0, 100)


def test_check_query_keeps_good_values_and_names_bad_ones():
    regions = ("North of England", "London")
    checked = flt.check_query({"programme": ["Vanguard", "Vangaurd"], "region": ["London"], "q": ["wirral"],
                               "pop": ["abc"], "colour": ["red"], "embed": ["true"]}, regions, (0, 2100))
    assert checked.values["programme"] == ["Vanguard"]
    assert checked.values["region"] == ["London"]
    assert checked.values["q"] == ["wirral"]
    assert checked.values["pop"] == []
    text = " ".join(checked.notices)
    assert "programme='Vangaurd'" in text and "pop='abc'" in text and "'colour'" in text
    assert "embed" not in text  # Streamlit's own parameter
    assert len(checked.notices) == 3


@pytest.mark.parametrize("values", [["100"], ["500", "100"], ["100", "99999"], ["-5", "10"], ["nan", "5"]])
def test_check_query_rejects_bad_population_ranges(values):
    checked = flt.check_query({"pop": values}, (), (0, 2100))
    assert checked.values["pop"] == [] and len(checked.notices) == 1


def test_check_query_accepts_a_good_range_and_shortens_a_long_search():
    checked = flt.check_query({"pop": ["100", "500"], "q": ["x" * 500]}, (), (0, 2100))
    assert checked.values["pop"] == ["100", "500"]
    assert checked.values["q"] == ["x" * flt.MAX_SEARCH]
    assert len(checked.notices) == 1


def test_announced_by_shows_the_programme_as_it_stood():
    frame = pd.DataFrame({"site_id": ["p13", "p15", "v03", "v07", "v09"],
                          "announced": ["2013-11-01", "2015-01-01", "2015-03-10", "2015-07-24", "2015-09-25"]})
    assert ids(flt.apply_filters(frame, flt.Filters(announced_by="2015-03"))) == ["p13", "p15", "v03"]
    assert ids(flt.apply_filters(frame, flt.Filters(announced_by="2013-11"))) == ["p13"]
    assert flt.filters_from_values(announced_by="March 2015").announced_by == "2015-03"
    assert flt.filters_from_values(announced_by="September 2015").is_default()  # the last step is everything
    assert "announced by March 2015" in flt.Filters(announced_by="2015-03").describe()
    checked = flt.check_query({"by": ["March 2015"]}, [], (0, 100))
    assert checked.values["by"] == ["March 2015"] and not checked.notices
    assert flt.check_query({"by": ["2016"]}, [], (0, 100)).notices
    assert "Acute care collaboration" in flt.CARE_MODELS and "Urgent and emergency care" in flt.CARE_MODELS
