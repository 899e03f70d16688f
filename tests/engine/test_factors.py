"""The 9-factor model, the economic check, circles and needs: pure, no database."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.engine.assess import assess
from jiuzhu.engine.economic import economic_check
from jiuzhu.engine.factors import score_household
from jiuzhu.engine.inputs import HouseholdInput, MemberInput
from jiuzhu.engine.model import DEFAULT_MODEL, FACTORS, FactorModel, ModelError

pytestmark = pytest.mark.core


def adult(**kw) -> MemberInput:
    return MemberInput(age=kw.pop("age", 40), **kw)


def household(*members: MemberInput, **kw) -> HouseholdInput:
    return HouseholdInput(members=tuple(members), **kw)


def test_a_household_with_nobody_ill_scores_zero_for_illness_whatever_it_spends():
    h = household(adult(), adult(), daily_medical_expense=50000)
    assert score_household(h).factors["illness"].score == 0


def test_one_seriously_ill_member_makes_illness_a_cause():
    result = score_household(household(adult(health_status="serious", name="甲"), adult()))
    assert result.factors["illness"].score >= 2
    assert "illness" in result.causes
    assert any("甲" in reason for reason in result.factors["illness"].reasons)


def test_several_seriously_ill_members_score_higher_than_one():
    one = score_household(household(adult(disease="cancer"), adult()))
    two = score_household(household(adult(disease="cancer"), adult(disease="leukemia")))
    assert two.factors["illness"].score > one.factors["illness"].score


def test_one_grade_2_disabled_member_makes_disability_a_cause():
    h = household(adult(disability_type="physical", disability_grade=2), adult())
    assert score_household(h).factors["disability"].score >= 2


def test_two_grade_3_disabled_members_make_disability_a_cause_but_one_does_not():
    one = household(adult(disability_type="visual", disability_grade=3), adult())
    two = household(
        adult(disability_type="visual", disability_grade=3),
        adult(disability_type="hearing", disability_grade=3),
    )
    assert score_household(one).factors["disability"].score < 2
    assert score_household(two).factors["disability"].score >= 2


def test_a_dropout_for_money_gives_the_highest_schooling_score():
    h = household(adult(), MemberInput(age=15, school_stage="dropout"))
    assert score_household(h).factors["schooling"].score == 5


def test_a_d_grade_dangerous_house_is_a_housing_cause_and_a_safe_one_is_not():
    assert score_household(household(adult(), housing_safety="d")).factors["housing"].score >= 2
    assert score_household(household(adult(), housing_safety="safe")).factors["housing"].score == 0


def test_a_household_without_labour_scores_five_for_labour():
    h = household(
        MemberInput(age=82, labour_ability="none"), MemberInput(age=79, labour_ability="lost")
    )
    assert score_household(h).factors["labour"].score == 5


def test_two_causes_make_a_multi_cause_household_and_the_highest_is_primary():
    h = household(
        adult(disease="cancer", name="甲"),
        adult(disability_type="physical", disability_grade=1, name="乙"),
        serious_illness_expense=40000,
    )
    result = score_household(h)
    assert result.multi_cause
    assert result.primary_cause == result.causes[0]
    assert result.factors[result.primary_cause].score == max(result.scores().values())


def test_the_hardship_index_is_the_weighted_mean_scaled_to_100():
    h = household(adult(disease="cancer"), adult(disability_type="physical", disability_grade=1))
    result = score_household(h)
    expected = sum(DEFAULT_MODEL["weights"][f] * result.scores()[f] for f in FACTORS) / 5 * 100
    assert result.index == pytest.approx(expected, abs=0.05)


def test_every_score_is_on_the_half_point_grid_and_explains_itself():
    h = household(
        adult(disease="hypertension"),
        MemberInput(age=10, school_stage="primary"),
        rent_expense=3000,
        housing_tenure="rent",
    )
    result = score_household(h)
    for name in FACTORS:
        assert result.factors[name].score * 2 == int(result.factors[name].score * 2)
        assert result.factors[name].reasons, name


def test_a_county_raising_the_cause_threshold_changes_the_causes_but_not_the_scores():
    h = household(adult(disability_type="physical", disability_grade=2), adult())
    strict = dict(DEFAULT_MODEL, cause_threshold=3.0)
    default = score_household(h)
    raised = score_household(h, FactorModel.from_data(strict, "v2"))
    assert default.scores() == raised.scores()
    assert "disability" in default.causes and "disability" not in raised.causes
    assert raised.model_version == "v2"


def test_model_data_with_weights_not_summing_to_one_is_refused_in_chinese():
    bad = dict(DEFAULT_MODEL, weights=dict(DEFAULT_MODEL["weights"], illness=0.5))
    with pytest.raises(ModelError, match="权重之和"):
        FactorModel.from_data(bad, "bad")


def test_the_economic_check_shows_its_arithmetic_and_compares_with_the_rural_standard():
    h = household(adult(wage_income=6000), adult(), subsidy_income=1200, daily_medical_expense=1200)
    econ = economic_check(h, {"rural_standard": 600})
    # (6000 + 1200 − 1200) / 12 / 2 = 250 per person per month
    assert econ.monthly_per_capita == 250
    assert econ.below_standard and econ.below_edge
    assert any("250.00" in line for line in econ.lines)


def test_an_urban_household_is_compared_with_the_urban_standard():
    h = household(adult(wage_income=9600), rural=False)  # 800 a month
    econ = economic_check(h, {"urban_standard": 900, "rural_standard": 500})
    assert econ.standard == 900 and econ.below_standard


def test_a_tekun_household_is_in_the_first_circle_and_a_dibao_one_in_the_second():
    assert assess(household(adult(), tag_tekun=True)).circle == 1
    assert assess(household(adult(wage_income=99999), tag_dibao=True)).circle == 2


def test_an_untagged_household_below_the_standard_is_flagged_in_the_second_circle():
    assessment = assess(household(adult(wage_income=1000)))
    assert assessment.circle == 2
    assert "低于低保标准" in assessment.circle_reason


def test_needs_name_their_reason():
    h = household(
        adult(disease="cancer", self_care="none"),
        adult(disability_type="physical", disability_grade=1),
        housing_safety="d",
    )
    needs = {n.category: n.reason for n in assess(h).needs}
    assert {"medical", "rehabilitation", "nursing", "housing", "basic_living"} <= set(needs)
    assert all(needs.values())


members = st.builds(
    MemberInput,
    age=st.integers(0, 100),
    occupation=st.sampled_from(
        ["farmer", "migrant_worker", "student", "unemployed", "none", "retired", "incapable"]
    ),
    labour_ability=st.sampled_from(["full", "skilled", "weak", "lost", "none"]),
    skill=st.sampled_from(["certified", "some", "none"]),
    wage_income=st.floats(0, 60000),
    health_status=st.sampled_from(["healthy", "weak", "chronic", "serious"]),
    disease=st.sampled_from(["none", "hypertension", "cancer", "stroke", "severe_mental"]),
    self_care=st.sampled_from(["full", "partial", "none"]),
    disability_type=st.sampled_from(["none", "physical", "visual"]),
    disability_grade=st.integers(0, 4),
    school_stage=st.sampled_from(["none", "primary", "senior", "undergraduate", "dropout"]),
    education_expense=st.floats(0, 20000),
).map(
    lambda m: (
        dataclasses.replace(m, disability_grade=0)
        if m.disability_type == "none"
        else dataclasses.replace(m, disability_grade=max(m.disability_grade, 1))
    )
)

households = st.builds(
    HouseholdInput,
    members=st.lists(members, min_size=1, max_size=6).map(tuple),
    serious_illness_expense=st.floats(0, 100000),
    daily_medical_expense=st.floats(0, 20000),
    housing_safety=st.sampled_from(["safe", "damaged", "c", "d", "none"]),
    disaster_loss=st.floats(0, 200000),
    special_circumstances=st.lists(
        st.sampled_from(["disaster", "death", "debt", "elder_alone"]), unique=True
    ).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(households, st.integers(0, 5))
def test_making_a_member_seriously_ill_never_lowers_any_illness_score(h, index):
    i = index % len(h.members)
    worse = list(h.members)
    worse[i] = dataclasses.replace(worse[i], health_status="serious")
    before = score_household(h).factors["illness"].score
    after = score_household(dataclasses.replace(h, members=tuple(worse))).factors["illness"].score
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(households, st.integers(0, 5), st.integers(1, 4))
def test_a_more_severe_disability_never_lowers_the_disability_score(h, index, grade):
    i = index % len(h.members)
    m = h.members[i]
    current = m.disability_grade or 5
    worse = list(h.members)
    worse[i] = dataclasses.replace(
        m, disability_type="physical", disability_grade=min(grade, current)
    )
    before = score_household(h).factors["disability"].score
    after = (
        score_household(dataclasses.replace(h, members=tuple(worse))).factors["disability"].score
    )
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(households, st.floats(0, 100000))
def test_more_medical_spending_or_disaster_loss_never_lowers_a_score(h, extra):
    worse = dataclasses.replace(
        h,
        serious_illness_expense=h.serious_illness_expense + extra,
        disaster_loss=h.disaster_loss + extra,
    )
    before, after = score_household(h).scores(), score_household(worse).scores()
    assert after["illness"] >= before["illness"]
    assert after["disaster"] >= before["disaster"]


@settings(max_examples=200, deadline=None)
@given(households)
def test_every_score_stays_between_0_and_5_and_the_index_between_0_and_100(h):
    result = score_household(h)
    assert all(0 <= s <= 5 for s in result.scores().values())
    assert 0 <= result.index <= 100


def test_a_model_needing_no_labour_per_person_is_refused_instead_of_dividing_by_zero():
    bad = dict(DEFAULT_MODEL, labour=dict(DEFAULT_MODEL["labour"], needed_per_person=0))
    with pytest.raises(ModelError, match="人均所需劳动力"):
        FactorModel.from_data(bad, "bad")
