"""Alkire–Foster multidimensional poverty: pure, no database.

The properties are checked against a deliberately naive oracle (a Python loop
over units straight from the paper's definitions), not against the code's own
formulas.
"""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.engine import alkire_foster
from jiuzhu.engine.alkire_foster import AlkireFosterResult

pytestmark = pytest.mark.core

# The illustration of Alkire & Foster (2011), section 2: four persons, four
# dimensions (income, years of schooling, a health scale, health insurance 0/1),
# cutoffs z = (13, 12, 3, 1), deprived when strictly below the cutoff.
#
#   person  achievements        deprived in        count
#   1       13.1  14  4  1      —                  0
#   2       15.2   7  5  0      school, insurance  2
#   3       12.5  10  1  0      all four           4
#   4       20    11  3  1      school             1      (3 is not < 3)
#
# Equal weights 1/4, so the weighted scores are c = (0, 0.5, 1, 0.25), and the
# paper's k = 2 dimensions is k = 0.5 here. Poor: persons 2 and 3.
#   H  = 2/4 = 0.5
#   A  = (0.5 + 1) / 2 = 0.75
#   M0 = H·A = 0.375   (the paper: M0 = 6/16, six censored deprivations of 16)
# Censored headcounts h_j(k) (poor and deprived in j, over 4 persons):
#   income 1/4 (p3), school 2/4 (p2, p3), health 1/4 (p3), insurance 2/4 (p2, p3)
# Uncensored: income 1/4, school 3/4 (p2, p3, p4), health 1/4, insurance 2/4.
# Contributions w_j·h_j(k)/M0: 0.0625/0.375 = 1/6, 0.125/0.375 = 1/3, 1/6, 1/3.
PAPER_VALUES = [
    [13.1, 14, 4, 1],
    [15.2, 7, 5, 0],
    [12.5, 10, 1, 0],
    [20, 11, 3, 1],
]
PAPER_CUTOFFS = [13, 12, 3, 1]
EQUAL = [0.25, 0.25, 0.25, 0.25]


def test_the_four_person_example_of_alkire_and_foster_gives_h_a_and_m0_worked_by_hand():
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 0.5)

    assert (r.n, r.poor_count) == (4, 2)
    assert pytest.approx(0.5) == r.H
    assert pytest.approx(0.75) == r.A
    assert pytest.approx(0.375) == r.M0
    assert r.censored_headcount.tolist() == pytest.approx([0.25, 0.5, 0.25, 0.5])
    assert r.uncensored_headcount.tolist() == pytest.approx([0.25, 0.75, 0.25, 0.5])
    assert r.contribution.tolist() == pytest.approx([1 / 6, 1 / 3, 1 / 6, 1 / 3])
    assert r.scores.tolist() == pytest.approx([0, 0.5, 1, 0.25])
    assert r.poor.tolist() == [False, True, True, False]
    assert r.censored_scores.tolist() == pytest.approx([0, 0.5, 1, 0])


def test_the_example_with_the_union_cutoff_counts_everyone_deprived_in_anything_as_poor():
    # k = 1/4: persons 2, 3, 4 are poor; H = 3/4, A = (0.5 + 1 + 0.25)/3 = 7/12,
    # M0 = 1.75/4 = 0.4375 and the censored headcounts equal the uncensored ones.
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 0.25)
    assert pytest.approx((0.75, 7 / 12, 0.4375)) == (r.H, r.A, r.M0)
    assert r.censored_headcount.tolist() == pytest.approx(r.uncensored_headcount.tolist())


def test_the_example_with_the_intersection_cutoff_keeps_only_the_person_deprived_in_all():
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 1)
    assert pytest.approx((0.25, 1.0, 0.25)) == (r.H, r.A, r.M0)
    assert r.contribution.tolist() == pytest.approx([0.25] * 4)


def test_a_polars_frame_a_numpy_array_and_lists_give_the_same_result_and_the_frame_names_columns():
    frame = pl.DataFrame(
        {"income": [13.1, 15.2, 12.5, 20.0], "school": [14, 7, 10, 11], "health": [4, 5, 1, 3],
         "insurance": [1, 0, 0, 1]}
    )  # fmt: skip
    from_frame = alkire_foster(frame, PAPER_CUTOFFS, EQUAL, 0.5)
    from_array = alkire_foster(np.array(PAPER_VALUES), PAPER_CUTOFFS, EQUAL, 0.5)

    assert (
        from_frame.M0 == from_array.M0 == alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 0.5).M0
    )
    assert from_frame.names == ("income", "school", "health", "insurance")
    assert from_frame.contribution_by_name["school"] == pytest.approx(1 / 3)
    assert from_array.names is None
    assert from_array.censored_headcount_by_name == pytest.approx(
        {0: 0.25, 1: 0.5, 2: 0.25, 3: 0.5}
    )


def test_cutoffs_and_weights_can_be_given_by_indicator_name_in_any_order():
    names = ["income", "school", "health", "insurance"]
    r = alkire_foster(
        PAPER_VALUES,
        {"insurance": 1, "health": 3, "school": 12, "income": 13},
        {"school": 0.25, "income": 0.25, "insurance": 0.25, "health": 0.25},
        0.5,
        names=names,
    )
    assert pytest.approx(0.375) == r.M0
    assert r.uncensored_headcount_by_name["school"] == pytest.approx(0.75)


def test_named_cutoffs_that_do_not_match_the_indicators_are_rejected():
    with pytest.raises(ValueError, match="缺少"):
        alkire_foster(PAPER_VALUES, {"income": 13}, EQUAL, 0.5, names=["income", "b", "c", "d"])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([0.5, 0.5], "应有 4 个"),
        ([0.5, 0.5, 0.5, -0.5], "不能为负"),
        ([0.3, 0.3, 0.3, 0.3], "之和应为 1"),
        ([0.25, 0.25, 0.25, 0.25 + 2e-9], "之和应为 1"),
    ],
)
def test_weights_of_the_wrong_length_negative_or_not_summing_to_one_are_rejected(weights, message):
    with pytest.raises(ValueError, match=message):
        alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, weights, 0.5)


def test_weights_off_by_less_than_a_billionth_are_accepted():
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, [0.25, 0.25, 0.25, 0.25 + 5e-10], 0.5)
    assert pytest.approx(0.375) == r.M0


@pytest.mark.parametrize("k", [0, -0.1, 1.01, float("nan"), "half"])
def test_a_poverty_cutoff_outside_zero_to_one_is_rejected(k):
    with pytest.raises(ValueError, match="k 应为"):
        alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, k)


def test_a_missing_value_is_refused_by_default_and_names_the_row():
    values = [row[:] for row in PAPER_VALUES]
    values[2][1] = float("nan")
    with pytest.raises(ValueError, match="缺失值:1 个单位\\(行 2\\)"):
        alkire_foster(values, PAPER_CUTOFFS, EQUAL, 0.5)


def test_a_null_in_a_polars_frame_is_a_missing_value_too():
    frame = pl.DataFrame({"a": [1, None, 3], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="缺失值"):
        alkire_foster(frame, [2, 2], [0.5, 0.5], 0.5)


def test_dropping_missing_values_measures_the_complete_units_only_and_reports_how_many_went():
    # Person 3 (the only one deprived in all four) is dropped: persons 1, 2, 4
    # remain, only person 2 is poor at k = 0.5, with score 0.5.
    values = [row[:] for row in PAPER_VALUES]
    values[2][0] = float("nan")
    r = alkire_foster(
        values, PAPER_CUTOFFS, EQUAL, 0.5, population_weights=[1, 1, 5, 1],
        groups=["x", "y", "z", "x"], missing="drop",
    )  # fmt: skip
    assert (r.n, r.dropped, r.poor_count) == (3, 1, 1)
    assert pytest.approx((1 / 3, 0.5, 1 / 6)) == (r.H, r.A, r.M0)
    assert set(r.groups) == {"x", "y"}  # the dropped unit's group is gone with it


def test_nobody_poor_gives_zero_intensity_and_zero_contributions_rather_than_dividing_by_zero():
    r = alkire_foster([[5, 5], [6, 7]], [1, 1], [0.5, 0.5], 0.5, groups=["a", "b"])
    assert (r.H, r.A, r.M0, r.poor_count) == (0.0, 0.0, 0.0, 0)
    assert r.contribution.tolist() == [0.0, 0.0]
    assert r.group_shares == {"a": 0.0, "b": 0.0}


def test_the_example_split_in_two_groups_decomposes_m0_by_population_share():
    # Group a = persons 1 and 3 (scores 0 and 1): H 1/2, A 1, M0 1/2.
    # Group b = persons 2 and 4 (scores 0.5 and 0.25): H 1/2, A 1/2, M0 1/4.
    # Shares of M0 = 0.375: a 0.5·0.5/0.375 = 2/3, b 0.5·0.25/0.375 = 1/3.
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 0.5, groups=["a", "b", "a", "b"])
    a, b = r.groups["a"], r.groups["b"]
    assert pytest.approx((0.5, 1.0, 0.5)) == (a.H, a.A, a.M0)
    assert pytest.approx((0.5, 0.5, 0.25)) == (b.H, b.A, b.M0)
    assert r.group_shares == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    assert a.scores.tolist() == [0.0, 1.0]  # a's own units, in input order
    assert isinstance(a, AlkireFosterResult) and a.groups is None


def test_the_result_is_immutable_and_serialises_to_plain_numbers():
    r = alkire_foster(PAPER_VALUES, PAPER_CUTOFFS, EQUAL, 0.5, groups=[1, 1, 2, 2])
    with pytest.raises(ValueError):
        r.contribution[0] = 1.0
    with pytest.raises(AttributeError):
        r.H = 0.9
    data = r.to_dict()
    assert data["M0"] == pytest.approx(0.375)
    assert set(data["groups"]) == {"1", "2"}
    assert "M0=0.3750" in repr(r)


def test_a_tiny_k_never_makes_a_unit_deprived_in_nothing_poor():
    r = alkire_foster([[5, 5], [0, 5]], [1, 1], [0.5, 0.5], 1e-12)
    assert r.poor.tolist() == [False, True]


# ---- properties --------------------------------------------------------------


@st.composite
def problems(draw, *, min_units=1):
    n = draw(st.integers(min_units, 25))
    d = draw(st.integers(1, 6))
    values = draw(
        st.lists(st.lists(st.integers(0, 4), min_size=d, max_size=d), min_size=n, max_size=n)
    )
    cutoffs = draw(st.lists(st.integers(0, 5), min_size=d, max_size=d))
    raw = draw(st.lists(st.integers(1, 5), min_size=d, max_size=d))
    weights = [x / sum(raw) for x in raw]
    k = draw(st.sampled_from([*weights, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1.0]))
    pop = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    labels = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    return values, cutoffs, weights, k, pop, labels


def oracle(values, cutoffs, weights, k, pop):
    """H, A, M0 straight from the definitions, one unit at a time."""
    total = poor_total = censored_total = 0.0
    for row, p in zip(values, pop, strict=True):
        c = sum(w for x, z, w in zip(row, cutoffs, weights, strict=True) if x < z)
        total += p
        if c > 0 and c >= k - 1e-9:
            poor_total += p
            censored_total += p * c
    H = poor_total / total
    A = censored_total / poor_total if poor_total else 0.0
    return H, A, censored_total / total


@settings(max_examples=150, deadline=None)
@given(problems())
def test_h_a_and_m0_match_the_definitions_and_m0_is_h_times_a_and_the_mean_censored_score(p):
    values, cutoffs, weights, k, pop, _ = p
    r = alkire_foster(values, cutoffs, weights, k, population_weights=pop)

    assert pytest.approx(oracle(values, cutoffs, weights, k, pop), abs=1e-12) == (r.H, r.A, r.M0)
    assert pytest.approx(r.H * r.A, abs=1e-12) == r.M0
    assert pytest.approx(np.average(r.censored_scores, weights=pop), abs=1e-12) == r.M0
    assert pytest.approx(float(np.dot(weights, r.censored_headcount)), abs=1e-12) == r.M0


@settings(max_examples=150, deadline=None)
@given(problems())
def test_contributions_sum_to_one_whenever_there_is_poverty(p):
    values, cutoffs, weights, k, pop, _ = p
    r = alkire_foster(values, cutoffs, weights, k, population_weights=pop)
    if r.M0 > 0:
        assert math.fsum(r.contribution) == pytest.approx(1.0, abs=1e-12)
    else:
        assert not r.contribution.any()


@settings(max_examples=150, deadline=None)
@given(problems())
def test_subgroups_decompose_m0_by_population_share_and_their_shares_sum_to_one(p):
    values, cutoffs, weights, k, pop, labels = p
    r = alkire_foster(values, cutoffs, weights, k, population_weights=pop, groups=labels)

    assert set(r.groups) == set(labels)
    assert math.fsum(g.population_share for g in r.groups.values()) == pytest.approx(1.0)
    assert math.fsum(g.population_share * g.M0 for g in r.groups.values()) == pytest.approx(
        r.M0, abs=1e-12
    )
    if r.M0 > 0:
        assert math.fsum(r.group_shares.values()) == pytest.approx(1.0, abs=1e-12)
    for label, g in r.groups.items():
        mine = [i for i, x in enumerate(labels) if x == label]
        expected = oracle([values[i] for i in mine], cutoffs, weights, k, [pop[i] for i in mine])
        assert pytest.approx(expected, abs=1e-12) == (g.H, g.A, g.M0)
        assert g.n == len(mine)


@settings(max_examples=150, deadline=None)
@given(problems(), st.data())
def test_making_a_poor_unit_more_deprived_never_lowers_m0(p, data):
    values, cutoffs, weights, k, pop, _ = p
    before = alkire_foster(values, cutoffs, weights, k, population_weights=pop)
    poor_units = np.flatnonzero(before.poor).tolist()
    if not poor_units:
        return
    i = data.draw(st.sampled_from(poor_units))
    j = data.draw(st.integers(0, len(cutoffs) - 1))
    worse = [row[:] for row in values]
    worse[i][j] = min(worse[i][j], cutoffs[j] - 1)  # now deprived in j

    after = alkire_foster(worse, cutoffs, weights, k, population_weights=pop)
    assert after.M0 >= before.M0 - 1e-12
    assert after.H >= before.H - 1e-12


@settings(max_examples=150, deadline=None)
@given(problems())
def test_k_at_the_smallest_weight_is_the_union_approach_and_k_one_the_intersection(p):
    values, cutoffs, weights, _, _, _ = p
    deprived = np.array(values) < np.array(cutoffs)

    union = alkire_foster(values, cutoffs, weights, min(weights))
    intersection = alkire_foster(values, cutoffs, weights, 1.0)

    assert union.poor.tolist() == deprived.any(axis=1).tolist()
    assert intersection.poor.tolist() == deprived.all(axis=1).tolist()


@settings(max_examples=100, deadline=None)
@given(problems())
def test_duplicating_every_unit_leaves_every_measure_unchanged(p):
    values, cutoffs, weights, k, _, labels = p
    once = alkire_foster(values, cutoffs, weights, k, groups=labels)
    twice = alkire_foster(values + values, cutoffs, weights, k, groups=labels + labels)

    assert pytest.approx((once.H, once.A, once.M0), abs=1e-12) == (twice.H, twice.A, twice.M0)
    assert twice.censored_headcount == pytest.approx(once.censored_headcount, abs=1e-12)
    assert twice.uncensored_headcount == pytest.approx(once.uncensored_headcount, abs=1e-12)
    assert twice.contribution == pytest.approx(once.contribution, abs=1e-12)
    assert twice.group_shares == pytest.approx(once.group_shares, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_a_population_weight_of_two_counts_exactly_like_two_copies_of_the_unit(p):
    values, cutoffs, weights, k, _, labels = p
    weighted = alkire_foster(
        values, cutoffs, weights, k, population_weights=[2] * len(values), groups=labels
    )
    copies = alkire_foster(values + values, cutoffs, weights, k, groups=labels + labels)

    assert pytest.approx((copies.H, copies.A, copies.M0), abs=1e-12) == (
        weighted.H,
        weighted.A,
        weighted.M0,
    )
    assert weighted.contribution == pytest.approx(copies.contribution, abs=1e-12)
    assert weighted.population == copies.population
    for label, g in weighted.groups.items():
        assert pytest.approx(copies.groups[label].M0, abs=1e-12) == g.M0
        assert g.share == pytest.approx(copies.groups[label].share, abs=1e-12)
