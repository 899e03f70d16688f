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
    explain,
    frames_of,
    match_frames,
    record_of,
    validate,
)
from jiuzhu.engine.inputs import HouseholdInput, MemberInput
from tests.support.strategies import conditions, households

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


# Random conditions over a sample of fields of every kind (tests/support/strategies.py).
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


# --- explain: the tree, met or not, per group and per test ------------------------------

MET_BY_AGE = {"all": [{"field": "below_standard", "op": "eq", "value": True},
                      {"any": [{"field": "tag_tekun", "op": "eq", "value": True},
                               {"member": {"field": "age", "op": "ge", "value": 60}}]}]}  # fmt: skip


def test_an_any_group_holds_by_one_branch_and_keeps_the_other_unmet():
    elder = HouseholdInput(members=(MemberInput(age=40, wage_income=0),
                                    MemberInput(age=72, name="甲")))  # fmt: skip
    tree = explain(MET_BY_AGE, *_record(elder))
    assert tree.ok and tree.kind == "all"
    below, group = tree.parts
    assert below.kind == "test" and below.ok and below.actual is True
    assert group.kind == "any" and group.ok
    tekun, member = group.parts
    assert not tekun.ok and member.ok and group.met == (member,) and group.unmet == (tekun,)
    assert [p.member for p in member.parts] == [0, 1]
    assert [(p.ok, p.actual) for p in member.parts] == [(False, 40), (True, 72)]


def test_an_unmet_all_group_names_exactly_the_parts_that_failed():
    saver = HouseholdInput(members=(MemberInput(age=50, wage_income=1000),), deposits=90_000)
    tree = explain(DIBAO, *_record(saver))
    assert not tree.ok
    assert [p.node["field"] for p in tree.unmet] == ["assets_ok"]
    assert [p.node["field"] for p in tree.met] == ["below_standard"]


def test_no_member_holds_when_no_members_part_does_and_lists_every_member():
    able = {"no_member": {"field": "labour_ability", "op": "in", "value": ["full", "skilled"]}}
    mixed = HouseholdInput(members=(MemberInput(age=80, labour_ability="lost"),
                                    MemberInput(age=40, labour_ability="full")))  # fmt: skip
    tree = explain(able, *_record(mixed))
    assert tree.kind == "no_member" and not tree.ok
    assert [p.ok for p in tree.parts] == [False, True]


def _consistent(e, members) -> None:
    """Each group's answer follows from its parts'; a member node has a part per member."""
    if e.kind == "all":
        assert e.ok == all(p.ok for p in e.parts)
    elif e.kind == "any":
        assert e.ok == any(p.ok for p in e.parts)
    elif e.kind in ("member", "no_member"):
        assert [p.member for p in e.parts] == list(range(len(members)))
        assert e.ok == (any(p.ok for p in e.parts) == (e.kind == "member"))
    else:
        assert e.parts == () and e.node is not None
    for p in e.parts:
        _consistent(p, members)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households, conditions)
def test_explain_agrees_with_evaluate_and_each_group_follows_from_its_parts(item, condition):
    record, members = _record(item)
    tree = explain(condition, record, members)
    assert tree.ok == evaluate(condition, record, members).ok
    _consistent(tree, members)
