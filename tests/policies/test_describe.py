"""Conditions and one household's outcome in plain Chinese (policies/describe.py)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings

from jiuzhu.engine.assess import assess
from jiuzhu.engine.conditions import explain, record_of
from jiuzhu.engine.inputs import HouseholdInput, MemberInput
from jiuzhu.policies.describe import MET, MUTED, UNMET, explanation
from tests.support.strategies import conditions, households

pytestmark = pytest.mark.core

TEKUN_LIKE = {"all": [
    {"field": "below_standard", "op": "eq", "value": True},
    {"member": {"any": [{"field": "age", "op": "ge", "value": 60},
                        {"field": "age", "op": "lt", "value": 16},
                        {"field": "disability_grade", "op": "in", "value": [1, 2]}]}},
]}  # fmt: skip
EITHER = {"any": [{"field": "tag_tekun", "op": "eq", "value": True},
                  {"field": "size", "op": "le", "value": 1}]}  # fmt: skip


def _lines(condition, h: HouseholdInput):
    record, members = record_of(h, assess(h))
    return explanation(explain(condition, record, members), record, members)


def _walk(lines, depth=0):
    for line in lines:
        yield depth, line
        yield from _walk(line.parts, depth + 1)


def test_income_reads_as_a_sentence_with_the_amount_and_the_standard():
    poor = HouseholdInput(members=(MemberInput(age=50, wage_income=5040),))
    (income, _elder) = _lines(TEKUN_LIKE, poor)
    assert income.state == MET
    assert income.text == "月人均收入 420 元,低于低保标准 590 元"


def test_a_met_any_group_says_one_is_enough_and_mutes_the_others():
    elder = HouseholdInput(members=(MemberInput(age=40, wage_income=0, name="甲"),
                                    MemberInput(age=72, name="乙", relation="parent")))  # fmt: skip
    _income, member = _lines(TEKUN_LIKE, elder)
    assert member.state == MET and member.text.startswith("有家庭成员")
    (who,) = member.parts
    assert who.text == "父母乙符合下列条件之一" and who.note == "满足其一"
    assert [(p.state, p.text) for p in who.parts] == [
        (MET, "年龄 72岁,不低于 60岁"),
        (MUTED, "年龄小于16岁"),
        (MUTED, "残疾等级属于1级、2级"),
    ]


def test_an_unmet_any_group_marks_every_branch_and_says_none_holds():
    (line,) = _lines(EITHER, HouseholdInput(members=(MemberInput(age=30), MemberInput(age=3))))
    assert line.state == UNMET and line.note == "满足其一即可,均未满足"
    assert [(p.state, p.text) for p in line.parts] == [
        (UNMET, "不是特困人员(需为特困人员)"),
        (UNMET, "家庭人口 2人(需家庭人口不超过1人)"),
    ]


def test_an_unmet_all_group_counts_what_is_missing():
    nested = {"any": [{"all": [{"field": "size", "op": "le", "value": 1},
                               {"field": "tag_dibao", "op": "eq", "value": True},
                               {"field": "rural", "op": "eq", "value": True}]},
                      {"field": "tag_orphan", "op": "eq", "value": True}]}  # fmt: skip
    (line,) = _lines(nested, HouseholdInput(members=(MemberInput(age=30), MemberInput(age=3))))
    group = line.parts[0]
    assert group.state == UNMET and group.note == "尚缺2项"
    assert [p.state for p in group.parts] == [UNMET, UNMET, MET]
    assert group.parts[2].text == "农村家庭"


def test_a_member_test_nobody_meets_lists_each_members_value_on_one_line():
    child = {"member": {"field": "age", "op": "lt", "value": 18}}
    family = HouseholdInput(members=(MemberInput(age=44, relation="head", name="龙祥"),
                                     MemberInput(age=46, relation="spouse")))  # fmt: skip
    (line,) = _lines(child, family)
    assert line.state == UNMET and line.note == "没有成员符合"
    assert line.text == "年龄:户主龙祥 44岁、配偶 46岁(需有家庭成员年龄小于18岁)"


def test_no_member_able_to_work_names_the_members_who_are():
    able = {"no_member": {"field": "labour_ability", "op": "in", "value": ["full", "skilled"]}}
    family = HouseholdInput(members=(MemberInput(age=80, labour_ability="lost", relation="head"),
                                     MemberInput(age=40, labour_ability="full", relation="child",
                                                 name="丙")))  # fmt: skip
    (line,) = _lines(able, family)
    assert line.state == UNMET and line.note == "1人不符合"
    assert [(p.state, p.text) for p in line.parts] == [(UNMET, "子女丙 劳动能力为普通劳动力")]


CODE = re.compile(r"[a-z_]{3,}|>=|<=|==|!=")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households, conditions)
def test_no_cross_under_a_tick_and_no_field_name_or_operator_in_any_line(item, condition):
    lines = _lines(condition, item)
    for _depth, line in _walk(lines):
        assert line.state in (MET, UNMET, MUTED)
        assert not CODE.search(line.text + line.note), line.text
        if line.state in (MET, MUTED):  # nothing under a met line or an alternative is a ✗
            assert all(p.state != UNMET for _d, p in _walk(line.parts)), line
        if line.note.startswith("尚缺"):
            assert line.note == f"尚缺{sum(p.state == UNMET for p in line.parts)}项"
    record, members = record_of(item, assess(item))
    top = explain(condition, record, members)
    if top.kind != "all":
        assert lines[0].state == (MET if top.ok else UNMET)
    else:
        assert [x.state for x in lines] == [MET if p.ok else UNMET for p in top.parts]
