"""Policy eligibility as data: conditions over household, member and assessment fields.

A condition is JSON, one of

    {"all": [condition, ...]}       every part holds
    {"any": [condition, ...]}       at least one part holds
    {"member": condition}           some member of the household meets it
    {"no_member": condition}        no member meets it (e.g. nobody able to work)
    {"field": "circle", "op": "in", "value": [1, 2]}      a test on one field

Fields are named in FIELDS (each with its Chinese label, kind and level) and
operators in OPERATORS. Nothing is executed: a condition is checked against the
catalogue (`validate`) and then interpreted, either for one household with the
outcome of every test (`evaluate`), as the whole tree with each group and test
met or not (`explain`, which a clerk reads), or compiled to Polars
expressions that decide a million households at once (`expression`). Both give
the same answer; tests check it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from .inputs import SERIOUS_DISEASES
from .model import FACTOR_LABELS, FACTORS
from .needs import NEED_LABELS

HOUSEHOLD, MEMBER = "household", "member"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # bool, int, num, code (one value), codes (a list of values)
    level: str = HOUSEHOLD
    unit: str = ""


def _f(name, label, kind, level=HOUSEHOLD, unit=""):
    return Field(name, label, kind, level, unit)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        # The household and its status tags.
        _f("size", "家庭人口", "int", unit="人"),
        _f("rural", "农村家庭", "bool"),
        _f("tag_tekun", "特困人员", "bool"),
        _f("tag_dibao", "低保对象", "bool"),
        _f("tag_dibao_edge", "低保边缘家庭", "bool"),
        _f("tag_orphan", "孤儿", "bool"),
        _f("tag_unsupported_child", "事实无人抚养儿童", "bool"),
        _f("tag_monitored", "防止返贫监测对象", "bool"),
        _f("tag_rigid_expense", "刚性支出困难家庭", "bool"),
        _f("housing_safety", "住房安全状况", "code"),
        _f("housing_tenure", "住房性质", "code"),
        _f("rent_expense", "租房支出", "num", unit="元/年"),
        _f("serious_illness_expense", "大病医疗自付支出", "num", unit="元/年"),
        _f("daily_medical_expense", "日常医药费支出", "num", unit="元/年"),
        _f("disaster_loss", "灾害或意外损失", "num", unit="元"),
        _f("deposits", "家庭存款", "num", unit="元"),
        _f("vehicles", "机动车", "int", unit="辆"),
        _f("special_circumstances", "其他特殊情况", "codes"),
        _f("assistance_received", "已享受救助帮扶", "codes"),
        # The latest assessment.
        _f("circle", "圈层", "int"),
        _f("index", "困难指数", "num"),
        _f("causes", "致困原因", "codes"),
        _f("cause_count", "致困因子数", "int"),
        _f("multi_cause", "多因致困", "bool"),
        _f("needs", "需求", "codes"),
        _f("monthly_income_per_capita", "月人均收入", "num", unit="元"),
        _f("below_standard", "低于低保标准", "bool"),
        _f("below_edge", "低于低保边缘标准(1.5倍)", "bool"),
        _f("assets_ok", "财产在限额内", "bool"),
        _f("rigid_share", "刚性支出占收入比例", "num"),
        *[_f(f"score_{f}", f"{FACTOR_LABELS[f]}因子得分", "num", unit="分") for f in FACTORS],
        # One member.
        _f("age", "年龄", "int", MEMBER, "岁"),
        _f("relation", "与户主关系", "code", MEMBER),
        _f("occupation", "职业", "code", MEMBER),
        _f("labour_ability", "劳动能力", "code", MEMBER),
        _f("skill", "技能", "code", MEMBER),
        _f("health_status", "健康状况", "code", MEMBER),
        _f("disease", "疾病", "code", MEMBER),
        _f("seriously_ill", "患重病", "bool", MEMBER),
        _f("self_care", "自理程度", "code", MEMBER),
        _f("dibao_status", "享受低保情况", "code", MEMBER),
        _f("disability_type", "残疾类型", "code", MEMBER),
        _f("disability_grade", "残疾等级", "int", MEMBER, "级"),
        _f("disability_subsidy", "残疾补贴", "code", MEMBER),
        _f("school_stage", "就学阶段", "code", MEMBER),
        _f("elderly_level", "老年人能力等级", "int", MEMBER, "级"),
        _f("sex", "性别", "code", MEMBER),
        _f("veteran", "退役军人", "bool", MEMBER),
    ]
}

OPERATORS = {
    "eq": "等于",
    "ne": "不等于",
    "lt": "小于",
    "le": "不超过",
    "gt": "大于",
    "ge": "不低于",
    "in": "属于",
    "not_in": "不属于",
    "contains": "包含",
    "not_contains": "不包含",
    "any_of": "包含其一",
}
# Which operators each kind of field takes.
KIND_OPERATORS = {
    "bool": {"eq"},
    "int": {"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"},
    "num": {"eq", "ne", "lt", "le", "gt", "ge"},
    "code": {"eq", "ne", "in", "not_in"},
    "codes": {"contains", "not_contains", "any_of"},
}
# Codes some fields take whatever the registry's choices (checked when known).
KNOWN_CODES = {"causes": set(FACTORS), "needs": set(NEED_LABELS)}


class ConditionError(ValueError):
    """A condition that does not fit the catalogue; the message is for a person."""


# ---------------------------------------------------------------------------
# Checking


def validate(
    condition: Any, *, codes: Mapping[str, set[str]] | None = None, _path: str = "条件"
) -> None:
    """Raise ConditionError (in Chinese, naming the place) unless `condition` is well formed.

    `codes` maps code fields to their allowed values (the registry's choices).
    """
    known = {**KNOWN_CODES, **(codes or {})}
    _validate(condition, known, _path, in_member=False)


def _validate(node: Any, codes: Mapping[str, set[str]], path: str, *, in_member: bool) -> None:
    if not isinstance(node, dict) or len(node) == 0:
        raise ConditionError(f"{path}:应为一个条件对象")
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        parts = node[key]
        if set(node) != {key} or not isinstance(parts, list) or not parts:
            raise ConditionError(f"{path}:“{key}”应为非空的条件列表")
        for i, part in enumerate(parts, start=1):
            _validate(part, codes, f"{path}第{i}项", in_member=in_member)
        return
    kind = _member_kind(node)
    if kind:
        if set(node) != {kind}:
            raise ConditionError(f"{path}:“{kind}”不能与其他键并列")
        if in_member:
            raise ConditionError(f"{path}:成员条件不能嵌套")
        _validate(node[kind], codes, f"{path}(成员)", in_member=True)
        return
    if set(node) != {"field", "op", "value"}:
        raise ConditionError(f"{path}:应包含 field、op、value 三项")
    name, op, value = node["field"], node["op"], node["value"]
    spec = FIELDS.get(name)
    if spec is None:
        raise ConditionError(f"{path}:未知字段“{name}”")
    if (spec.level == MEMBER) != in_member:
        where = "成员条件(member)之内" if spec.level == MEMBER else "成员条件之外"
        raise ConditionError(f"{path}:字段“{spec.label}”只能用在{where}")
    if op not in KIND_OPERATORS[spec.kind]:
        allowed = "、".join(OPERATORS[o] for o in sorted(KIND_OPERATORS[spec.kind]))
        raise ConditionError(f"{path}:字段“{spec.label}”不能用“{op}”,可用:{allowed}")
    _validate_value(spec, op, value, codes, path)


def _validate_value(spec: Field, op: str, value: Any, codes, path: str) -> None:
    many = op in ("in", "not_in", "any_of")
    values = value if many else [value]
    if many and (not isinstance(value, list) or not value):
        raise ConditionError(f"{path}:“{spec.label}”{OPERATORS[op]}需要一个非空列表")
    for v in values:
        if spec.kind == "bool" and not isinstance(v, bool):
            raise ConditionError(f"{path}:“{spec.label}”的值应为 true 或 false")
        if spec.kind == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            raise ConditionError(f"{path}:“{spec.label}”的值应为整数")
        if spec.kind == "num" and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ConditionError(f"{path}:“{spec.label}”的值应为数字")
        if spec.kind in ("code", "codes"):
            if not isinstance(v, str):
                raise ConditionError(f"{path}:“{spec.label}”的值应为代码文本")
            allowed = codes.get(spec.name)
            if allowed is not None and v not in allowed:
                raise ConditionError(f"{path}:“{spec.label}”没有代码“{v}”")


def fields_of(condition: Mapping) -> set[str]:
    """Every field a condition reads."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any")
        return set().union(*(fields_of(p) for p in parts))
    if _member_kind(condition):
        return fields_of(condition[_member_kind(condition)])
    return {condition["field"]}


def _member_kind(node: Mapping) -> str | None:
    """ "member" (some member meets the inner condition), "no_member" (none does), or None."""
    for kind in ("member", "no_member"):
        if kind in node:
            return kind
    return None


# ---------------------------------------------------------------------------
# One household, explained


@dataclass(frozen=True)
class Test:
    """One field test and how it came out for this household."""

    field: str
    op: str
    value: Any
    ok: bool
    actual: Any  # the household's value; for a member test, the values of the members
    member: bool = False
    none: bool = False  # a "no member" test: ok when no member passes it


@dataclass(frozen=True)
class Outcome:
    ok: bool
    tests: tuple[Test, ...]  # every leaf, in order
    # For a condition whose top is "all" (or a single test): the parts that failed.
    failed_parts: tuple[Mapping, ...] = field(default_factory=tuple)
    parts: int = 1  # how many parts the top level has

    @property
    def near_miss(self) -> bool:
        """Missed by exactly one of two or more parts of the top-level "all"."""
        return not self.ok and self.parts >= 2 and len(self.failed_parts) == 1


def _compare(op: str, actual: Any, value: Any) -> bool:
    if actual is None:
        return op in ("ne", "not_in", "not_contains")
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "lt":
        return actual < value
    if op == "le":
        return actual <= value
    if op == "gt":
        return actual > value
    if op == "ge":
        return actual >= value
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if op == "contains":
        return value in actual
    if op == "not_contains":
        return value not in actual
    if op == "any_of":
        return any(v in actual for v in value)
    raise ConditionError(f"未知运算“{op}”")


def _eval(node: Mapping, household: Mapping, members: Sequence[Mapping], tests: list) -> bool:
    if "all" in node:
        results = [_eval(p, household, members, tests) for p in node["all"]]
        return all(results)
    if "any" in node:
        results = [_eval(p, household, members, tests) for p in node["any"]]
        return any(results)
    kind = _member_kind(node)
    if kind:
        none = kind == "no_member"
        inner: list = []
        hits = [_eval(node[kind], m, (), inner) for m in members]
        # One line per member-level test, with every member's value.
        count = len(inner) // max(len(members), 1)
        for k in range(count):
            leaf = inner[k]
            values = tuple(inner[k + j * count].actual for j in range(len(members)))
            oks = [inner[k + j * count].ok for j in range(len(members))]
            tests.append(
                Test(leaf.field, leaf.op, leaf.value, any(oks) != none, values, True, none)
            )
        return any(hits) != none
    actual = household.get(node["field"])
    ok = _compare(node["op"], actual, node["value"])
    tests.append(Test(node["field"], node["op"], node["value"], ok, actual))
    return ok


def evaluate(condition: Mapping, household: Mapping, members: Sequence[Mapping]) -> Outcome:
    """Whether one household meets a condition, with the outcome of every test.

    `household` maps household and assessment fields to values (lists for
    code lists); `members` holds one mapping of member fields per member.
    """
    tests: list[Test] = []
    ok = _eval(condition, household, members, tests)
    parts = condition.get("all", [condition])
    failed = tuple(p for p in parts if not _eval(p, household, members, []))
    return Outcome(ok, tuple(tests), failed if not ok else (), len(parts))


@dataclass(frozen=True)
class Explained:
    """One node of a condition as it came out for one household: the tree itself, each
    group and each test marked met or not, for a clerk to read (policies.describe).

    kind is "all", "any", "member", "no_member" or "test". A test keeps its condition
    (`node`) and the value it read (`actual`). A member node has one part per member
    (the inner condition explained for that member, `member` its index in `members`);
    it holds when some part does ("member") or when none does ("no_member").
    """

    kind: str
    ok: bool
    parts: tuple[Explained, ...] = ()
    node: Mapping | None = None
    actual: Any = None
    member: int | None = None

    @property
    def met(self) -> tuple[Explained, ...]:
        return tuple(p for p in self.parts if p.ok)

    @property
    def unmet(self) -> tuple[Explained, ...]:
        return tuple(p for p in self.parts if not p.ok)


def _explain(node: Mapping, record: Mapping, members: Sequence[Mapping]) -> Explained:
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        parts = tuple(_explain(p, record, members) for p in node[kind])
        ok = all(p.ok for p in parts) if kind == "all" else any(p.ok for p in parts)
        return Explained(kind, ok, parts, node)
    kind = _member_kind(node)
    if kind:
        parts = tuple(
            replace(_explain(node[kind], m, ()), member=i) for i, m in enumerate(members)
        )  # fmt: skip
        hit = any(p.ok for p in parts)
        return Explained(kind, hit if kind == "member" else not hit, parts, node)
    actual = record.get(node["field"])
    return Explained("test", _compare(node["op"], actual, node["value"]), (), node, actual)


def explain(condition: Mapping, household: Mapping, members: Sequence[Mapping]) -> Explained:
    """The condition as a tree of met and unmet groups and tests for one household
    (the same answer as `evaluate`, kept in the condition's shape)."""
    return _explain(condition, household, members)


# ---------------------------------------------------------------------------
# A million households at once


def _leaf(node: Mapping) -> pl.Expr:
    column, op, value = pl.col(node["field"]), node["op"], node["value"]
    kind = FIELDS[node["field"]].kind
    if kind == "codes":
        if op == "contains":
            expr = column.list.contains(pl.lit(value))
        elif op == "not_contains":
            expr = ~column.list.contains(pl.lit(value))
        else:  # any_of
            expr = column.list.eval(pl.element().is_in(value)).list.any()
        return expr.fill_null(op == "not_contains")
    if kind == "code":
        column = column.cast(pl.String)
    expr = {
        "eq": lambda: column == value,
        "ne": lambda: column != value,
        "lt": lambda: column < value,
        "le": lambda: column <= value,
        "gt": lambda: column > value,
        "ge": lambda: column >= value,
        "in": lambda: column.is_in(value),
        "not_in": lambda: ~column.is_in(value),
    }[op]()
    # A missing value (an elderly level never assessed) meets only the negative tests.
    return expr.fill_null(op in ("ne", "not_in"))


def expression(condition: Mapping, member_columns: Mapping[int, str]) -> pl.Expr:
    """The condition as a boolean Polars expression over the households frame.

    A member test reads a household column already computed by `member_flags`
    (its name given by `member_columns`, keyed by id() of the member node).
    """
    if "all" in condition:
        return pl.all_horizontal([expression(p, member_columns) for p in condition["all"]])
    if "any" in condition:
        return pl.any_horizontal([expression(p, member_columns) for p in condition["any"]])
    if "member" in condition:
        return pl.col(member_columns[id(condition)]).fill_null(False)
    if "no_member" in condition:
        return ~pl.col(member_columns[id(condition)]).fill_null(False)
    return _leaf(condition)


def member_expression(condition: Mapping) -> pl.Expr:
    """A member-level condition as a boolean Polars expression over the members frame."""
    if "all" in condition:
        return pl.all_horizontal([member_expression(p) for p in condition["all"]])
    if "any" in condition:
        return pl.any_horizontal([member_expression(p) for p in condition["any"]])
    return _leaf(condition)


def member_nodes(condition: Mapping) -> list[Mapping]:
    """The {"member": …} and {"no_member": …} nodes of a condition, outermost first."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any")
        return [n for p in parts for n in member_nodes(p)]
    if _member_kind(condition):
        return [condition]
    return []


def match_frames(
    households: pl.DataFrame, members: pl.DataFrame, conditions: Mapping[str, Mapping]
) -> pl.DataFrame:
    """One boolean column per condition (keyed as given): which households meet it.

    `households` has household_id and the household/assessment fields;
    `members` has household_id and the member fields. Member tests of all the
    conditions are aggregated in one group-by.
    """
    names: dict[int, str] = {}
    aggregates = []
    for key, condition in conditions.items():
        for k, node in enumerate(member_nodes(condition)):
            name = f"_m_{key}_{k}"
            names[id(node)] = name
            inner = node[_member_kind(node)]
            aggregates.append(member_expression(inner).any().alias(name))
    frame = households
    if aggregates:
        flags = members.group_by("household_id").agg(aggregates)
        frame = households.join(flags, on="household_id", how="left", maintain_order="left")
    return frame.select(
        "household_id",
        *[expression(c, names).alias(key) for key, c in conditions.items()],
    )


# ---------------------------------------------------------------------------
# What the conditions read, from the engine's inputs and results

HOUSEHOLD_INPUT_FIELDS = (
    "rural", "tag_tekun", "tag_dibao", "tag_dibao_edge", "tag_orphan", "tag_unsupported_child",
    "tag_monitored", "tag_rigid_expense", "housing_safety", "housing_tenure", "rent_expense",
    "serious_illness_expense", "daily_medical_expense", "disaster_loss", "deposits", "vehicles",
    "special_circumstances", "assistance_received",
)  # fmt: skip
MEMBER_INPUT_FIELDS = (
    "age", "relation", "occupation", "labour_ability", "skill", "health_status", "disease",
    "self_care", "dibao_status", "disability_type", "disability_grade", "disability_subsidy",
    "school_stage", "elderly_level", "sex", "veteran",
)  # fmt: skip


def record_of(h, result) -> tuple[dict, list[dict]]:
    """One household's values for the conditions: (household and assessment fields, members).

    `h` is a HouseholdInput and `result` the engine's Assessment of it.
    """
    household = {name: getattr(h, name) for name in HOUSEHOLD_INPUT_FIELDS}
    household["special_circumstances"] = list(h.special_circumstances)
    household["assistance_received"] = list(h.assistance_received)
    econ, factors = result.economic, result.factors
    household.update(
        size=h.size,
        circle=result.circle,
        index=factors.index,
        causes=list(factors.causes),
        cause_count=len(factors.causes),
        multi_cause=factors.multi_cause,
        needs=sorted({n.category for n in result.needs}),
        monthly_income_per_capita=econ.monthly_per_capita,
        below_standard=econ.below_standard,
        below_edge=econ.below_edge,
        assets_ok=econ.assets_ok,
        rigid_share=econ.rigid_share,
        **{f"score_{f}": factors.factors[f].score for f in FACTORS},
    )
    # Read by the explanation only (no condition tests them): the local standard.
    household["standard"] = econ.standard
    members = []
    for m in h.members:
        row = {name: getattr(m, name) for name in MEMBER_INPUT_FIELDS}
        row["seriously_ill"] = m.seriously_ill
        row["name"] = m.name  # for the explanation only
        members.append(row)
    return household, members


def frames_of(
    households: pl.DataFrame, members: pl.DataFrame, results: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same values for many households at once, from the batch path's frames.

    `households`/`members` are the engine's input frames (jiuzhu.engine.batch),
    `results` what `assess_frames` returned for them (with needs_json), all in
    household order.
    """
    size = members.group_by("household_id").len("size")
    h = households.select(
        "household_id", *[c for c in HOUSEHOLD_INPUT_FIELDS if c in households.columns]
    ).join(size, on="household_id", how="left", maintain_order="left")
    # The needs' categories, in catalogue order (one substring test per category).
    text = pl.col("needs_json")
    needs = pl.concat_list(
        [
            pl.when(text.str.contains(f'"category": "{c}"', literal=True)).then(pl.lit(c))
            for c in sorted(NEED_LABELS)
        ]  # fmt: skip
    ).list.drop_nulls()
    r = results.select(
        "household_id",
        "circle",
        "index",
        "causes",
        "cause_count",
        "multi_cause",
        pl.col("monthly_per_capita").alias("monthly_income_per_capita"),
        "below_standard",
        "below_edge",
        "assets_ok",
        "rigid_share",
        *[pl.col(f).alias(f"score_{f}") for f in FACTORS],
        needs.alias("needs"),
    )
    h = h.with_columns(pl.col("size").fill_null(0).clip(lower_bound=1)).join(
        r, on="household_id", how="left", maintain_order="left"
    )
    m = members.select(
        "household_id", *[c for c in MEMBER_INPUT_FIELDS if c in members.columns]
    ).with_columns(
        seriously_ill=(pl.col("health_status").cast(pl.String) == "serious")
        | pl.col("disease").cast(pl.String).is_in(sorted(SERIOUS_DISEASES))
    )
    return h, m
