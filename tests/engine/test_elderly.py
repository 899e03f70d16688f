"""老年人能力评估 (GB/T 42195-2022): 26 items, total 90, five levels; pure, no database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.engine import elderly_ability
from jiuzhu.engine.elderly import DIMENSIONS, ITEMS, LEVEL_NAMES, MAX_TOTAL, level_for_total

pytestmark = pytest.mark.core

FULL = {code: item.max_score for code, item in ITEMS.items()}


def items_with_total(total: int) -> dict:
    """All items at their best, then points taken off item by item until `total`."""
    items = dict(FULL)
    missing = MAX_TOTAL - total
    for code in items:
        take = min(items[code], missing)
        items[code] -= take
        missing -= take
    assert sum(items.values()) == total
    return items


def test_the_table_has_the_26_items_of_annex_b_with_maxima_summing_to_90():
    per_dimension = {dim: [c for c in ITEMS if c.startswith(dim + ".")] for dim in DIMENSIONS}
    assert [len(codes) for codes in per_dimension.values()] == [8, 4, 9, 5]
    assert {dim: sum(FULL[c] for c in codes) for dim, codes in per_dimension.items()} == {
        "B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15,
    }  # fmt: skip
    assert MAX_TOTAL == 90
    assert ITEMS["B.1.3"].name == "洗澡"
    assert ITEMS["B.2.4"].scores == (0, 1, 2, 3)
    assert ITEMS["B.3.7"].scores == (0, 1)
    assert ITEMS["B.3.9"].scores == (0, 1, 2)
    assert ITEMS["B.4.4"].scores == (0, 1, 2, 3)
    assert all(text for item in ITEMS.values() for _, text in item.options)


def test_all_items_at_their_best_give_90_and_ability_intact():
    r = elderly_ability(FULL)
    assert (r.total, r.initial_level, r.level, r.level_name) == (90, 0, 0, "能力完好")
    assert r.subtotals == {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}
    assert (r.self_care, r.motor, r.mental, r.perception_social) == (32, 15, 28, 15)
    assert r.reasons[-1] == "最终等级:0 级 能力完好"


@pytest.mark.parametrize(
    ("total", "level"),
    [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
)
def test_the_total_falls_in_the_standards_bands(total, level):
    r = elderly_ability(items_with_total(total))
    assert (r.total, r.initial_level, r.level) == (total, level, level)
    assert r.level_name == LEVEL_NAMES[level]


def test_the_reasons_say_which_total_and_which_band_gave_the_level():
    r = elderly_ability(items_with_total(70))
    assert r.reasons[1] == "总分 70 分在 66–89 分之间,初步等级为 1 级 能力轻度受损(轻度失能)"
    assert "自理能力" in r.reasons[0]


@settings(max_examples=50, deadline=None)
@given(st.fixed_dictionaries({code: st.sampled_from(item.scores) for code, item in ITEMS.items()}))
def test_a_person_in_a_coma_is_rated_completely_disabled_whatever_the_scores(items):
    r = elderly_ability(items, coma=True)
    assert (r.level, r.level_name) == (4, "能力完全丧失(完全失能)")
    assert r.initial_level == level_for_total(sum(items.values()))
    assert any("昏迷" in line for line in r.reasons)


def test_a_coma_with_a_clear_consciousness_score_is_flagged_for_checking():
    r = elderly_ability(FULL, coma=True)
    assert any("B.3.9" in line and "请核实" in line for line in r.reasons)


@pytest.mark.parametrize("flag", ["dementia", "mental_disorder"])
def test_dementia_or_another_mental_disorder_raises_the_level_by_one(flag):
    r = elderly_ability(items_with_total(50), **{flag: True})
    assert (r.initial_level, r.level, r.raised) == (2, 3, True)
    assert r.level_name == "能力重度受损(重度失能)"
    assert any("提高一个等级" in line for line in r.reasons)


def test_two_risk_events_in_30_days_raise_the_level_and_one_does_not():
    two = elderly_ability(FULL, risk_events_30d=2)
    one = elderly_ability(FULL, risk_events_30d=1)
    assert (two.level, one.level) == (1, 0)
    assert any("2 次照护风险事件" in line for line in two.reasons)
    assert any("未达 2 次" in line for line in one.reasons)


def test_several_raising_reasons_together_raise_the_level_only_once():
    r = elderly_ability(FULL, dementia=True, mental_disorder=True, risk_events_30d=5)
    assert (r.initial_level, r.level) == (0, 1)
    assert any("只在原有能力级别上提高一个等级" in line for line in r.reasons)


def test_a_raise_from_severe_reaches_complete_and_a_raise_from_complete_stays_there():
    from_severe = elderly_ability(items_with_total(35), dementia=True)
    from_complete = elderly_ability(items_with_total(10), dementia=True, risk_events_30d=3)
    assert (from_severe.initial_level, from_severe.level) == (3, 4)
    assert (from_complete.initial_level, from_complete.level, from_complete.raised) == (4, 4, False)
    assert any("不再提高" in line for line in from_complete.reasons)


def test_numpy_integers_are_accepted_as_scores():
    r = elderly_ability({code: np.int64(score) for code, score in FULL.items()})
    assert r.total == 90


@pytest.mark.parametrize(
    ("code", "score", "message"),
    [
        ("B.1.3", 7, "B.1.3 洗澡 的分值应为 0–4 的整数,收到 7"),
        ("B.1.1", -1, "B.1.1 进食 的分值应为 0–4 的整数,收到 -1"),
        ("B.2.4", 4, "B.2.4 上下楼梯 的分值应为 0–3 的整数,收到 4"),
        ("B.3.7", 2, "B.3.7 攻击行为 的分值应为 0–1 的整数,收到 2"),
        ("B.3.9", 3, "B.3.9 意识水平 的分值应为 0–2 的整数,收到 3"),
        ("B.4.1", 1.5, "B.4.1 视力 的分值应为 0–2 的整数,收到 1.5"),
        ("B.4.5", "3", "B.4.5 社会交往能力 的分值应为 0–4 的整数,收到 '3'"),
        ("B.3.8", True, "B.3.8 抑郁症状 的分值应为 0–1 的整数,收到 True"),
        ("B.4.3", None, "B.4.3 执行日常事务 的分值应为 0–4 的整数,收到 None"),
    ],
)
def test_a_score_that_the_item_does_not_allow_is_rejected_naming_the_item(code, score, message):
    with pytest.raises(ValueError) as caught:
        elderly_ability({**FULL, code: score})
    assert str(caught.value) == message


def test_a_missing_item_is_rejected_naming_it():
    items = dict(FULL)
    del items["B.2.4"]
    del items["B.4.5"]
    with pytest.raises(ValueError, match="缺少评估项目:B.2.4 上下楼梯、B.4.5 社会交往能力"):
        elderly_ability(items)


def test_an_unknown_item_number_is_rejected_naming_it():
    with pytest.raises(ValueError, match="未知的评估项目编号:B.5.1"):
        elderly_ability({**FULL, "B.5.1": 2})


@pytest.mark.parametrize("events", [-1, 1.5, "2", True])
def test_a_risk_event_count_that_is_not_a_non_negative_integer_is_rejected(events):
    with pytest.raises(ValueError, match="照护风险事件次数应为非负整数"):
        elderly_ability(FULL, risk_events_30d=events)


flags = st.fixed_dictionaries(
    {
        "coma": st.booleans(),
        "dementia": st.booleans(),
        "mental_disorder": st.booleans(),
        "risk_events_30d": st.integers(0, 4),
    }
)
any_items = st.fixed_dictionaries(
    {code: st.sampled_from(item.scores) for code, item in ITEMS.items()}
)


@settings(max_examples=300, deadline=None)
@given(any_items, flags, st.sampled_from(sorted(ITEMS)), st.data())
def test_the_level_never_improves_when_an_item_score_gets_worse(items, kw, code, data):
    lower = data.draw(st.sampled_from([s for s in ITEMS[code].scores if s <= items[code]]))
    before = elderly_ability(items, **kw)
    after = elderly_ability({**items, code: lower}, **kw)
    assert after.total <= before.total
    assert after.initial_level >= before.initial_level
    assert after.level >= before.level


@settings(max_examples=300, deadline=None)
@given(any_items, flags)
def test_the_final_level_is_the_initial_one_raised_at_most_once_and_capped_at_4(items, kw):
    r = elderly_ability(items, **kw)
    assert r.initial_level == level_for_total(r.total)
    raising = kw["dementia"] or kw["mental_disorder"] or kw["risk_events_30d"] >= 2
    expected = 4 if kw["coma"] else min(4, r.initial_level + (1 if raising else 0))
    assert r.level == expected
    assert r.reasons[-1] == f"最终等级:{r.level} 级 {LEVEL_NAMES[r.level]}"
