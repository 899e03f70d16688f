"""The condition language of the policy library, without a database."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.engine.assess import assess
from jiuzhu.engine.batch import assess_frames, frames_from_inputs
from jiuzhu.engine.conditions import (
    ConditionError,
    evaluate,
    frames_of,
    match_frames,
    record_of,
    validate,
)
from jiuzhu.engine.inputs import HouseholdInput, MemberInput
from tests.assessment.test_batch import households

pytestmark = pytest.mark.core

DIBAO = {"all": [{"field": "below_standard", "op": "eq", "value": True},
                 {"field": "assets_ok", "op": "eq", "value": True}]}  # fmt: skip
SEVERE = {"member": {"field": "disability_grade", "op": "in", "value": [1, 2]}}
ELDER_ALONE = {"all": [{"field": "size", "op": "le", "value": 1},
                       {"member": {"field": "age", "op": "ge", "value": 60}}]}  # fmt: skip


def _record(h: HouseholdInput):
    return record_of(h, assess(h))


def test_a_household_below_the_standard_with_allowed_assets_meets_the_dibao_condition():
    poor = HouseholdInput(members=(MemberInput(age=50, wage_income=1000),))
    outcome = evaluate(DIBAO, *_record(poor))
    assert outcome.ok and [t.ok for t in outcome.tests] == [True, True]


def test_too_much_savings_misses_dibao_by_exactly_one_condition():
    saver = HouseholdInput(members=(MemberInput(age=50, wage_income=1000),), deposits=90_000)
    outcome = evaluate(DIBAO, *_record(saver))
    assert not outcome.ok and outcome.near_miss
    assert outcome.failed_parts == ({"field": "assets_ok", "op": "eq", "value": True},)


def test_a_member_condition_holds_when_one_member_meets_it_and_shows_every_members_value():
    family = HouseholdInput(members=(MemberInput(age=40), MemberInput(age=12, disability_grade=2)))
    outcome = evaluate(SEVERE, *_record(family))
    assert outcome.ok
    (test,) = outcome.tests
    assert test.member and test.actual == (0, 2)


def test_no_member_holds_only_when_nobody_meets_the_inner_condition():
    able = {"no_member": {"field": "labour_ability", "op": "in", "value": ["full", "skilled"]}}
    frail = HouseholdInput(members=(MemberInput(age=80, labour_ability="lost"),))
    mixed = HouseholdInput(members=(MemberInput(age=80, labour_ability="lost"),
                                    MemberInput(age=40, labour_ability="full")))  # fmt: skip
    assert evaluate(able, *_record(frail)).ok
    outcome = evaluate(able, *_record(mixed))
    assert not outcome.ok and outcome.tests[0].none and outcome.tests[0].actual == ("lost", "full")


def test_an_old_person_living_alone_is_found_and_a_couple_is_not():
    alone = HouseholdInput(members=(MemberInput(age=78),))
    couple = HouseholdInput(members=(MemberInput(age=78), MemberInput(age=75)))
    assert evaluate(ELDER_ALONE, *_record(alone)).ok
    missed = evaluate(ELDER_ALONE, *_record(couple))
    assert not missed.ok and missed.near_miss


def test_sex_and_veteran_are_member_fields_read_by_both_paths():
    woman_veteran = {"member": {"all": [{"field": "sex", "op": "eq", "value": "F"},
                                        {"field": "veteran", "op": "eq", "value": True}]}}  # fmt: skip
    family = HouseholdInput(members=(MemberInput(age=50, sex="M", veteran=True),
                                     MemberInput(age=48, sex="F")))  # fmt: skip
    served = HouseholdInput(members=(MemberInput(age=50, sex="M"),
                                     MemberInput(age=48, sex="F", veteran=True)))  # fmt: skip
    # Each part is met by some member, but not both by the same one.
    outcome = evaluate(woman_veteran, *_record(family))
    assert not outcome.ok
    assert [(t.field, t.actual, t.ok) for t in outcome.tests] == [
        ("sex", ("M", "F"), True), ("veteran", (True, False), True)
    ]  # fmt: skip
    assert evaluate(woman_veteran, *_record(served)).ok
    h_frame, m_frame = frames_from_inputs([family, served])
    h, m = frames_of(h_frame, m_frame, assess_frames(h_frame, m_frame))
    assert {"sex", "veteran"} <= set(m.columns)
    assert match_frames(h, m, {"c": woman_veteran})["c"].to_list() == [False, True]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "age", "op": "ge", "value": 60}, "只能用在成员条件(member)之内"),
        ({"member": {"field": "circle", "op": "eq", "value": 1}}, "只能用在成员条件之外"),
        ({"field": "circle", "op": "contains", "value": 1}, "不能用“contains”"),
        ({"field": "nonsense", "op": "eq", "value": 1}, "未知字段“nonsense”"),
        ({"field": "needs", "op": "contains", "value": "money"}, "没有代码“money”"),
        ({"all": []}, "非空的条件列表"),
        ({"field": "index", "op": "ge", "value": "50"}, "应为数字"),
        ({"member": {"member": {"field": "age", "op": "ge", "value": 1}}}, "不能嵌套"),
        ({"field": "housing_safety", "op": "in", "value": ["x"]}, "没有代码“x”"),
        ({"field": "veteran", "op": "eq", "value": True}, "只能用在成员条件(member)之内"),
        ({"member": {"field": "veteran", "op": "eq", "value": "是"}}, "应为 true 或 false"),
        ({"member": {"field": "sex", "op": "ge", "value": "F"}}, "不能用“ge”"),
    ],
)
def test_a_bad_condition_is_refused_with_a_chinese_message_naming_the_problem(condition, message):
    with pytest.raises(ConditionError, match=re.escape(message)):
        validate(condition, codes={"housing_safety": {"safe", "c", "d"}})


# Random conditions over a sample of fields of every kind.
leaves = st.one_of(
    st.builds(lambda v: {"field": "size", "op": "le", "value": v}, st.integers(1, 6)),
    st.builds(
        lambda v: {"field": "circle", "op": "in", "value": v},
        st.lists(st.integers(0, 3), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "index", "op": "ge", "value": v}, st.floats(0, 100)),
    st.builds(lambda v: {"field": "below_edge", "op": "eq", "value": v}, st.booleans()),
    st.builds(
        lambda v: {"field": "causes", "op": "contains", "value": v},
        st.sampled_from(["illness", "disability", "housing", "labour"]),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "needs", "op": "any_of", "value": v},
        st.lists(
            st.sampled_from(["medical", "housing", "nursing", "basic_living"]),
            min_size=1,
            unique=True,
        ),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "housing_safety", "op": "in", "value": v},
        st.lists(st.sampled_from(["c", "d", "safe"]), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "assistance_received", "op": "not_contains", "value": v},
        st.sampled_from(["dibao", "medical"]),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "rigid_share", "op": "gt", "value": v}, st.floats(0, 2)),
)
member_leaves = st.one_of(
    st.builds(lambda v: {"field": "age", "op": "ge", "value": v}, st.integers(0, 90)),
    st.builds(
        lambda v: {"field": "disability_grade", "op": "in", "value": v},
        st.lists(st.integers(1, 4), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "elderly_level", "op": "ge", "value": v}, st.integers(0, 4)),
    st.builds(lambda v: {"field": "seriously_ill", "op": "eq", "value": v}, st.booleans()),
    st.builds(
        lambda v: {"field": "school_stage", "op": "ne", "value": v},
        st.sampled_from(["none", "primary", "dropout"]),
    ),  # fmt: skip
    st.builds(
        lambda op, v: {"field": "sex", "op": op, "value": v},
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(["M", "F"]),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "sex", "op": "in", "value": v},
        st.lists(st.sampled_from(["M", "F"]), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "veteran", "op": "eq", "value": v}, st.booleans()),
)
member_nodes = st.builds(lambda parts, k: {k: parts},
                         st.lists(member_leaves, min_size=1, max_size=3),
                         st.sampled_from(["all", "any"]))  # fmt: skip
conditions = st.recursive(
    st.one_of(
        leaves,
        member_nodes.map(lambda n: {"member": n}),
        member_nodes.map(lambda n: {"no_member": n}),
    ),  # fmt: skip
    lambda inner: st.builds(
        lambda parts, k: {k: parts},
        st.lists(inner, min_size=1, max_size=4),
        st.sampled_from(["all", "any"]),
    ),  # fmt: skip
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households, min_size=1, max_size=12), st.lists(conditions, min_size=1, max_size=4))
def test_the_vectorised_match_agrees_with_the_explained_one_for_any_condition(items, tree):
    for condition in tree:
        validate(condition)
    h_frame, m_frame = frames_from_inputs(items)
    results = assess_frames(h_frame, m_frame)
    h, m = frames_of(h_frame, m_frame, results)
    matched = match_frames(h, m, {f"c{i}": c for i, c in enumerate(tree)})
    for row, item in enumerate(items):
        record, members = _record(item)
        for i, condition in enumerate(tree):
            assert matched[f"c{i}"][row] == evaluate(condition, record, members).ok, (
                condition, record, members)  # fmt: skip
