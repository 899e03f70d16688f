"""Score one household on the 9 hardship factors (致困因子), with reasons.

Every rule reads its numbers from the FactorModel. Scores are 0–5 in steps of
0.5 (rounded down, so a score is only reached when fully earned). The Polars
path in batch.py mirrors these formulas operation for operation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .inputs import HouseholdInput, MemberInput
from .model import FACTOR_LABELS, FACTORS, FactorModel

EPS = 1e-9
ABLE = ("full", "skilled", "weak")
NOT_IN_LABOUR_MARKET = ("student", "preschool", "incapable", "retired")
STAGE_LABELS = {
    "preschool": "学前", "primary": "小学", "junior": "初中", "senior": "高中", "vocational": "中职",
    "college": "高职", "undergraduate": "本科", "postgraduate": "研究生",
}  # fmt: skip
SAFETY_LABELS = {
    "safe": "安全住房",
    "damaged": "一般损坏",
    "c": "C级危房",
    "d": "D级危房",
    "none": "无房",
}
CIRCUMSTANCE_LABELS = {
    "elder_alone": "独居老人", "elder_left_behind": "留守老人", "child_left_behind": "留守儿童",
    "single_parent": "单亲家庭", "prisoner_family": "服刑人员家庭", "death": "家庭成员死亡",
    "debt": "因病因学负债", "other": "其他特殊情况", "disaster": "遭受自然灾害", "accident": "突发意外事故",
}  # fmt: skip


def half_floor(x: float) -> float:
    """Clamp to 0–5 and round down to a multiple of 0.5."""
    return min(5.0, max(0.0, math.floor(x * 2 + EPS) / 2))


def step_points(value: float, steps) -> float:
    """Points of the highest step whose threshold the value reaches."""
    points = 0.0
    for threshold, score in steps:
        if value >= threshold:
            points = float(score)
    return points


def _step_reached(value: float, steps):
    reached = None
    for threshold, score in steps:
        if value >= threshold:
            reached = (threshold, score)
    return reached


@dataclass(frozen=True)
class FactorScore:
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FactorResult:
    factors: dict[str, FactorScore]
    index: float
    causes: tuple[str, ...]
    primary_cause: str | None
    multi_cause: bool
    model_version: str
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def scores(self) -> dict[str, float]:
        return {f: self.factors[f].score for f in FACTORS}


def total_income(h: HouseholdInput) -> float:
    """Household income per year from every source (indicators 3, 13–17, 19)."""
    members = sum(m.wage_income + m.pension_income for m in h.members)
    return (
        members + h.business_income + h.rental_income + h.support_income + h.subsidy_income
        + h.land_transfer_income
    )  # fmt: skip


def _share(part: float, whole: float) -> float:
    if part <= 0:
        return 0.0
    return part / whole if whole > 0 else math.inf


def _in_working_age(m: MemberInput, bounds) -> bool:
    return bounds[0] <= m.age <= bounds[1]


def _able_workers(h: HouseholdInput, bounds) -> list[MemberInput]:
    return [
        m for m in h.members
        if _in_working_age(m, bounds) and m.labour_ability in ABLE and m.occupation not in NOT_IN_LABOUR_MARKET
    ]  # fmt: skip


def _who(members: list[MemberInput]) -> str:
    names = [m.name for m in members if m.name]
    return f"({'、'.join(names)})" if names else ""


def score_illness(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["illness"]
    serious = [m for m in h.members if m.seriously_ill]
    chronic = [m for m in h.members if m.chronically_ill]
    if not serious and not chronic:
        return FactorScore(0.0, ("家庭成员均无疾病记录,因病得0分",))
    reasons = []
    base = 0.0
    if serious:
        # Each further seriously ill member adds (serious_many − serious_one), so
        # turning a chronic patient into a serious one can never lower the score.
        base = cfg["serious_one"] + (cfg["serious_many"] - cfg["serious_one"]) * (len(serious) - 1)
        reasons.append(f"{len(serious)}人患大病{_who(serious)},计{base:g}分")
    chronic_part = 0.0
    if len(chronic) >= 2:
        chronic_part = cfg["chronic_many"]
    elif chronic:
        chronic_part = cfg["chronic_one"]
    if chronic:
        factor = 0.5 if serious else 1.0
        chronic_part *= factor
        reasons.append(
            f"{len(chronic)}人患慢性病或体弱{_who(chronic)},加{chronic_part:g}分"
            + ("(已有大病,减半计)" if serious else "")
        )
    spending = h.serious_illness_expense + h.daily_medical_expense
    extra = step_points(spending, cfg["expense_steps"])
    reached = _step_reached(spending, cfg["expense_steps"])
    if reached:
        reasons.append(f"年医疗自付支出{spending:,.0f}元,达到{reached[0]:,.0f}元档,加{extra:g}分")
    if base + chronic_part + extra > 5:
        reasons.append("合计超过5分,按5分计")
    score = half_floor(base + chronic_part + extra)
    return FactorScore(score, tuple(reasons))


def score_disability(h: HouseholdInput, model: FactorModel) -> FactorScore:
    points = model["disability"]["grade_points"]
    disabled = [
        m for m in h.members if m.disability_type != "none" and m.disability_grade in (1, 2, 3, 4)
    ]
    if not disabled:
        return FactorScore(0.0, ("家庭成员无残疾,因残得0分",))
    total = 0.0
    reasons = []
    for m in disabled:
        p = float(points[str(m.disability_grade)])
        total += p
        reasons.append(f"{m.name or '1名成员'}{m.disability_grade}级残疾,计{p:g}分")
    score = half_floor(total)
    if total > 5:
        reasons.append("合计超过5分,按5分计")
    return FactorScore(score, tuple(reasons))


def score_schooling(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["schooling"]
    dropouts = [m for m in h.members if m.school_stage == "dropout"]
    if dropouts:
        return FactorScore(
            half_floor(cfg["dropout_score"]),
            (f"有成员因经济困难辍学{_who(dropouts)},得{cfg['dropout_score']:g}分",),
        )
    students = [m for m in h.members if m.school_stage in cfg["stage_points"]]
    if not students:
        return FactorScore(0.0, ("无在学成员,因学得0分",))
    stage_total = sum(float(cfg["stage_points"][m.school_stage]) for m in students)
    capped = min(stage_total, float(cfg["stage_cap"]))
    stages = "、".join(STAGE_LABELS.get(m.school_stage, m.school_stage) for m in students)
    reasons = [
        f"{len(students)}人在学({stages}),计{capped:g}分"
        + ("(已封顶)" if stage_total > capped else "")
    ]
    spending = sum(m.education_expense for m in h.members)
    share = _share(spending, total_income(h))
    extra = step_points(share, cfg["expense_share_steps"])
    if extra:
        reasons.append(f"教育支出{spending:,.0f}元占家庭收入{_pct(share)},加{extra:g}分")
    return FactorScore(half_floor(capped + extra), tuple(reasons))


def _pct(share: float) -> str:
    return "全部(无收入)" if math.isinf(share) else f"{share:.0%}"


def score_housing(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["housing"]
    base = float(cfg["safety_points"].get(h.housing_safety, 0.0))
    reasons = [f"住房为{SAFETY_LABELS.get(h.housing_safety, h.housing_safety)},计{base:g}分"]
    extra = 0.0
    if h.housing_tenure == "rent" and h.rent_expense > 0:
        share = _share(h.rent_expense, total_income(h))
        extra = step_points(share, cfg["rent_share_steps"])
        if extra:
            reasons.append(f"租房支出{h.rent_expense:,.0f}元占家庭收入{_pct(share)},加{extra:g}分")
    return FactorScore(half_floor(base + extra), tuple(reasons))


def score_disaster(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["disaster"]
    events = [c for c in h.special_circumstances if c in ("disaster", "accident")]
    event_points = float(cfg["event_points"]) if events else 0.0
    loss_points = step_points(h.disaster_loss, cfg["loss_steps"])
    if not events and loss_points == 0:
        return FactorScore(0.0, ("未遭受灾害或意外,因灾得0分",))
    reasons = []
    if events:
        reasons.append(
            f"登记有{'、'.join(CIRCUMSTANCE_LABELS[e] for e in events)},计{event_points:g}分"
        )
    if loss_points:
        reasons.append(f"灾害或意外损失{h.disaster_loss:,.0f}元,按损失档计{loss_points:g}分")
    return FactorScore(half_floor(max(event_points, loss_points)), tuple(reasons))


def score_employment(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["employment"]
    workers = _able_workers(h, cfg["working_age"])
    if not workers:
        return FactorScore(0.0, ("无劳动年龄段有劳动能力的成员,就业得0分(见劳动力因子)",))
    idle = [m for m in workers if m.occupation in ("unemployed", "none")]
    score = half_floor(cfg["scale"] * len(idle) / len(workers))
    lo, hi = cfg["working_age"]
    return FactorScore(
        score,
        (
            f"{lo}–{hi}岁有劳动能力的{len(workers)}人中{len(idle)}人未就业{_who(idle)},得{score:g}分",
        ),
    )


def score_skills(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["skills"]
    workers = _able_workers(h, cfg["working_age"])
    if not workers:
        return FactorScore(0.0, ("无劳动年龄段有劳动能力的成员,技术得0分",))
    unskilled = [m for m in workers if m.skill == "none"]
    idle = [m for m in unskilled if m.occupation in ("unemployed", "none")]
    share_points = cfg["scale"] * len(unskilled) / len(workers)
    reasons = [f"有劳动能力的{len(workers)}人中{len(unskilled)}人无专业技能,计{share_points:.2g}分"]
    if idle:
        reasons.append(
            f"其中{len(idle)}人无技能且未就业{_who(idle)},每人加{cfg['unskilled_idle_points']:g}分"
        )
    score = half_floor(share_points + cfg["unskilled_idle_points"] * len(idle))
    return FactorScore(score, tuple(reasons))


def score_labour(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["labour"]
    units = sum(float(cfg["units"].get(m.labour_ability, 0.0)) for m in h.members)
    needed = h.size * float(cfg["needed_per_person"])
    coverage = min(1.0, units / needed)
    score = half_floor(cfg["scale"] * (1.0 - coverage))
    return FactorScore(
        score,
        (
            f"{h.size}口之家折合劳动力{units:g}个(需{needed:g}个),劳动力满足{coverage:.0%},得{score:g}分",
        ),
    )


def score_other(h: HouseholdInput, model: FactorModel) -> FactorScore:
    cfg = model["other"]
    listed = [c for c in h.special_circumstances if c in cfg["circumstance_points"]]
    total = sum(float(cfg["circumstance_points"][c]) for c in listed)
    reasons = [
        f"{CIRCUMSTANCE_LABELS.get(c, c)},计{float(cfg['circumstance_points'][c]):g}分"
        for c in listed
    ]
    dependent = [m for m in h.members if m.self_care == "none"]
    if dependent:
        total += float(cfg["no_self_care_points"])
        reasons.append(
            f"有完全不能自理的成员{_who(dependent)},加{float(cfg['no_self_care_points']):g}分"
        )
    if not reasons:
        reasons.append("无其他特殊情况,得0分")
    return FactorScore(half_floor(total), tuple(reasons))


SCORERS = {
    "illness": score_illness,
    "disability": score_disability,
    "schooling": score_schooling,
    "housing": score_housing,
    "disaster": score_disaster,
    "employment": score_employment,
    "skills": score_skills,
    "labour": score_labour,
    "other": score_other,
}


def hardship_index(scores: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean of the factor scores, scaled to 0–100, one decimal."""
    total = 0.0
    for f in FACTORS:
        total += float(weights[f]) * scores[f]
    return round(total * 20.0, 1)


def rank_causes(scores: dict[str, float], threshold: float) -> tuple[str, ...]:
    """Factors at or above the threshold, highest first, ties in model order."""
    hits = [f for f in FACTORS if scores[f] >= threshold]
    return tuple(sorted(hits, key=lambda f: (-scores[f], FACTORS.index(f))))


def score_household(h: HouseholdInput, model: FactorModel | None = None) -> FactorResult:
    """Score one household on the 9 factors and explain every score."""
    model = model or FactorModel.default()
    factors = {name: SCORERS[name](h, model) for name in FACTORS}
    scores = {f: factors[f].score for f in FACTORS}
    causes = rank_causes(scores, float(model["cause_threshold"]))
    return FactorResult(
        factors=factors,
        index=hardship_index(scores, model["weights"]),
        causes=causes,
        primary_cause=causes[0] if causes else None,
        multi_cause=len(causes) >= int(model["multi_cause_min"]),
        model_version=model.version,
        reasons={FACTOR_LABELS[f]: list(factors[f].reasons) for f in FACTORS},
    )
