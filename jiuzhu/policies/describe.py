"""Conditions and their outcomes in Chinese, as the 一本通 and a clerk read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiuzhu.engine.conditions import FIELDS, OPERATORS, Test
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
