"""Conditions and their outcomes in Chinese, as the 一本通 and a clerk read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jiuzhu.engine.conditions import FIELDS, OPERATORS, Explained, Test
from jiuzhu.engine.model import FACTOR_LABELS
from jiuzhu.engine.needs import CIRCLE_LABELS, NEED_LABELS

from .codes import CODE_LABELS


def value_text(field: str, value: Any) -> str:
    """A value of a field as a clerk reads it (codes by their labels, yes/no, units)."""
    spec = FIELDS[field]
    if isinstance(value, list | tuple):
        return "、".join(value_text(field, v) for v in value) or "无"
    if value is None:
        return "未评估" if field == "elderly_level" else "无"
    if spec.kind == "bool":
        return "是" if value else "否"
    if field == "circle":
        return CIRCLE_LABELS.get(value, str(value))
    if field == "rigid_share":
        return "无收入" if value == float("inf") else f"{value:.0%}"
    if field == "causes":
        return FACTOR_LABELS.get(value, value)
    if field == "needs":
        return NEED_LABELS.get(value, value)
    if spec.kind in ("code", "codes"):
        return CODE_LABELS.get(field, {}).get(value, value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text}{spec.unit}" if spec.unit else text


# Yes/no fields whose label is a noun read better with a verb: “有家庭成员是退役军人”.
_BOOL_TEXT = {"veteran": ("是退役军人", "不是退役军人")}


def leaf_text(node: Mapping) -> str:
    spec = FIELDS[node["field"]]
    op, value = node["op"], node["value"]
    if spec.kind == "bool" and op == "eq":
        yes, no = _BOOL_TEXT.get(spec.name, (spec.label, f"非{spec.label}"))
        return yes if value else no
    if spec.kind == "code" and op in ("eq", "ne"):
        return f"{spec.label}{'为' if op == 'eq' else '不为'}{value_text(node['field'], value)}"
    return f"{spec.label}{OPERATORS[op]}{value_text(node['field'], value)}"


def condition_text(node: Mapping) -> str:
    """The whole condition as one sentence."""
    if "all" in node:
        parts = [condition_text(p) for p in node["all"]]
        return parts[0] if len(parts) == 1 else "同时满足:" + ";".join(parts)
    if "any" in node:
        parts = [condition_text(p) for p in node["any"]]
        return parts[0] if len(parts) == 1 else "(满足其一:" + " 或 ".join(parts) + ")"
    if "member" in node:
        return "有家庭成员" + condition_text(node["member"])
    if "no_member" in node:
        return "没有家庭成员" + condition_text(node["no_member"])
    return leaf_text(node)


def condition_lines(node: Mapping) -> list[str]:
    """The parts of a top-level "all" as a list (one line each); otherwise one line."""
    parts = node.get("all", [node])
    return [condition_text(p) for p in parts]


def test_text(test: Test) -> str:
    """One test with the household's value: “家庭人口不超过2人(实际 3人)”."""
    rule = leaf_text({"field": test.field, "op": test.op, "value": test.value})
    if test.member:
        actual = "、".join(value_text(test.field, v) for v in test.actual) or "无成员"
        return f"{'没有成员' if test.none else '成员'}{rule}(各成员:{actual})"
    return f"{rule}(实际:{value_text(test.field, test.actual)})"


# ---------------------------------------------------------------------------
# One household's outcome, as a tree a clerk reads (一户一策)

MET, UNMET, MUTED = "met", "unmet", "muted"

# What a yes/no field says about the household, when it is true and when it is false.
_BOOL_FACTS = {
    "rural": ("农村家庭", "城镇家庭"),
    "assets_ok": ("家庭财产在规定限额内", "家庭财产超过规定限额"),
    "multi_cause": ("多因致困", "不属多因致困"),
    "seriously_ill": ("患重病", "未患重病"),
    "veteran": ("是退役军人", "不是退役军人"),
}


@dataclass(frozen=True)
class Line:
    """One line of an explanation: a test read as a sentence, or a group of lines.

    state is "met" (✓), "unmet" (✗) or "muted" (another way the condition could have been
    met: shown as an alternative, not as a failure); note says how a group counts
    ("满足其一", "尚缺1项")."""

    text: str
    state: str
    parts: tuple[Line, ...] = ()
    note: str = ""


def _money(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _fact(node: Mapping, actual: Any, household: Mapping, ok: bool) -> str:
    """What the household's value is, in words, for one test (without who has it);
    `ok` whether the test held (explain's answer)."""
    name, op, value = node["field"], node["op"], node["value"]
    spec = FIELDS[name]
    if name in ("below_standard", "below_edge"):
        income = household.get("monthly_income_per_capita")
        line = "低保标准" if name == "below_standard" else "低保边缘标准"
        standard = household.get("standard")
        if income is None:
            return "本户尚无经济状况核对结果"
        amount = f" {_money(standard)} 元" if standard and name == "below_standard" else ""
        return f"月人均收入 {_money(income)} 元,{'低于' if actual else '不低于'}{line}{amount}"
    if spec.kind == "bool":
        if name.startswith("tag_"):
            return f"是{spec.label}" if actual else f"不是{spec.label}"
        yes, no = _BOOL_FACTS.get(name, (spec.label, f"不属于“{spec.label}”"))
        return yes if actual else no
    shown = value_text(name, actual)
    if spec.kind in ("int", "num"):
        if actual is None or op in ("eq", "ne", "in", "not_in") or not ok:
            return f"{spec.label} {shown}"
        return f"{spec.label} {shown},{OPERATORS[op]} {value_text(name, value)}"
    if spec.kind == "code":
        return f"{spec.label}为{shown}"
    return f"{spec.label}:{shown}"


def _who(members: list[Mapping] | tuple, index: int | None) -> str:
    if index is None or index >= len(members):
        return "家庭成员"
    m = members[index]
    relation = CODE_LABELS["relation"].get(m.get("relation") or "", "家庭成员")
    name = (m.get("name") or "").strip()
    return f"{relation}{name}" if name else relation


def _test_line(e: Explained, household: Mapping, state: str, who: str = "") -> Line:
    fact = _fact(e.node, e.actual, household, e.ok)
    text = f"{who} {fact}" if who else fact
    if state == UNMET:
        text += f"(需{_requirement(e.node)})"
    return Line(text, state)


def _requirement(node: Mapping) -> str:
    """What a test asks for, after 需: “为低保对象”, “家庭人口不超过2人”."""
    name, op, value = node["field"], node["op"], node["value"]
    spec = FIELDS[name]
    if spec.kind == "bool" and op == "eq":
        if name.startswith("tag_"):
            return f"为{spec.label}" if value else f"不是{spec.label}"
        if name in _BOOL_FACTS:
            return _BOOL_FACTS[name][0 if value else 1]
        if name in ("below_standard", "below_edge"):
            return spec.label if value else f"不{spec.label}"
    return leaf_text(node)


def _state(e: Explained, muted: bool) -> str:
    return MUTED if muted else (MET if e.ok else UNMET)


def _lines(e: Explained, household: Mapping, members, *, muted: bool = False) -> Line:
    state = _state(e, muted)
    if state == MUTED:  # an alternative: the rule, not this household's value
        return Line(condition_text(e.node), MUTED)
    if e.kind == "test":
        return _test_line(e, household, state)
    if e.kind in ("all", "any"):
        return _group(e, household, members, state)
    return _members_line(e, household, members, state)


def _group(e: Explained, household: Mapping, members, state: str, who: str = "") -> Line:
    """An "any" group that holds: 满足其一, its met branches ✓ and the others muted; one
    that does not: every branch ✗. An "all" group: its parts, and what is missing."""
    if e.kind == "any":
        parts = tuple(
            _lines(p, household, members, muted=e.ok and not p.ok) for p in e.parts
        )  # fmt: skip
        note = "满足其一" if e.ok else "满足其一即可,均未满足"
        return Line(f"{who}符合下列条件之一" if who else "下列条件之一", state, parts, note)
    parts = tuple(_lines(p, household, members) for p in e.parts)
    note = "" if e.ok else f"尚缺{len(e.unmet)}项"
    return Line(f"{who}同时符合下列条件" if who else "同时符合下列条件", state, parts, note)


def _for_member(part: Explained, household: Mapping, members, state: str) -> Line:
    """The inner condition of a member node, for one member."""
    who = _who(members, part.member)
    if part.kind == "test":
        return _test_line(part, household, state, who)
    line = _group(part, household, members, state, who)
    return line


def _members_line(e: Explained, household: Mapping, members, state: str) -> Line:
    rule = condition_text(e.node[e.kind])
    if e.kind == "member":
        if e.ok:  # who meets it (the first such member), and how
            witness = e.met[0]
            line = _for_member(witness, household, members, MET)
            return Line(f"有家庭成员{rule}", MET, (line,))
        if not e.parts:
            return Line(f"有家庭成员{rule}", UNMET, (), "本户无成员")
        if all(p.kind == "test" for p in e.parts):  # one test: every member's value, one line
            spec = FIELDS[e.parts[0].node["field"]]
            values = "、".join(f"{_who(members, p.member)} {value_text(spec.name, p.actual)}"
                              for p in e.parts)  # fmt: skip
            return Line(f"{spec.label}:{values}(需有家庭成员{rule})", UNMET, (), "没有成员符合")
        parts = tuple(_for_member(p, household, members, UNMET) for p in e.parts)
        return Line(f"有家庭成员{rule}", UNMET, parts, "没有成员符合")
    if e.ok:  # nobody meets it: each member's value, as a fact
        parts = tuple(
            _for_member(p, household, members, MET) for p in e.parts if p.kind == "test"
        )  # fmt: skip
        return Line(f"没有家庭成员{rule}", MET, parts)
    offenders = tuple(_for_member(p, household, members, MET) for p in e.met)
    return Line(f"没有家庭成员{rule}", UNMET, tuple(Line(p.text, UNMET, p.parts) for p in offenders),
                f"{len(offenders)}人不符合")  # fmt: skip


def explanation(explained: Explained, household: Mapping, members) -> tuple[Line, ...]:
    """A policy's condition for one household (from jiuzhu.engine.conditions.explain),
    as lines: the parts of a top-level "all" one line each (as the 一本通 lists them),
    any other condition one line. Each test reads as a sentence with the household's
    value and field labels ("月人均收入 420 元,低于低保标准 590 元"); what is not met says
    what it needs; an "any" group that holds says 满足其一 and mutes its other branches."""
    if explained.kind == "all":
        return tuple(_lines(p, household, members) for p in explained.parts)
    return (_lines(explained, household, members),)
