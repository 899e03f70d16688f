"""Circles (圈层, seed 003) and the needs list by category, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from .economic import EconomicResult
from .factors import FactorResult
from .inputs import HouseholdInput

NEED_LABELS = {
    "basic_living": "基本生活",
    "rehabilitation": "康复",
    "caring": "关怀",
    "nursing": "照护",
    "psychological": "心理",
    "health": "健康",
    "education": "资助",
    "employment": "就业",
    "housing": "住房",
    "medical": "医疗",
}
CIRCLE_LABELS = {0: "未分层", 1: "第一圈层", 2: "第二圈层", 3: "第三圈层"}


@dataclass(frozen=True)
class Need:
    category: str
    reason: str

    @property
    def label(self) -> str:
        return NEED_LABELS[self.category]


def circle_of(h: HouseholdInput, econ: EconomicResult, factors: FactorResult) -> tuple[int, str]:
    """The circle and why: tags first, then the economic check, then the causes."""
    first = [label for flag, label in ((h.tag_tekun, "特困人员"), (h.tag_orphan, "孤儿"),
             (h.tag_unsupported_child, "事实无人抚养儿童")) if flag]  # fmt: skip
    if first:
        return 1, f"{'、'.join(first)},属第一圈层"
    second = [label for flag, label in ((h.tag_dibao, "低保对象"), (h.tag_monitored, "防止返贫监测对象"),
              (h.tag_dibao_edge, "低保边缘家庭")) if flag]  # fmt: skip
    if second:
        return 2, f"{'、'.join(second)},属第二圈层"
    if econ.below_edge and econ.assets_ok:
        what = "低于低保标准" if econ.below_standard else "低于低保边缘标准"
        return (
            2,
            f"未登记类别,但月人均收入{econ.monthly_per_capita:,.0f}元{what},财产符合,按第二圈层关注",
        )
    if h.tag_rigid_expense or econ.rigid_hardship:
        return 3, "刚性支出困难家庭,属第三圈层"
    if factors.causes:
        return 3, "存在致困因子,属第三圈层(其他困难家庭)"
    return 0, "无类别标签,收入高于低保边缘标准且无致困因子"


def needs_of(
    h: HouseholdInput, econ: EconomicResult, factors: FactorResult, *, cause_threshold: float = 2.0
) -> list[Need]:
    """The needs list (seed 003 categories), each need with the fact behind it."""
    s = factors.scores()
    needs: list[Need] = []

    def add(category: str, reason: str) -> None:
        if not any(n.category == category for n in needs):
            needs.append(Need(category, reason))

    if econ.below_standard:
        add(
            "basic_living",
            f"月人均收入{econ.monthly_per_capita:,.0f}元,低于低保标准{econ.standard:,.0f}元",
        )
    elif econ.below_edge:
        add("basic_living", f"月人均收入{econ.monthly_per_capita:,.0f}元,低于低保边缘标准")
    elif s["labour"] >= 4:
        add("basic_living", "家庭缺乏劳动力,基本生活难以自给")
    if s["illness"] >= cause_threshold:
        add("medical", f"因病得分{s['illness']:g},需要医疗救助")
    elif h.serious_illness_expense + h.daily_medical_expense >= 10000:
        add("medical", "年医疗自付支出较高")
    disabled = [m for m in h.members if m.disability_type != "none"]
    if disabled:
        add("rehabilitation", f"{len(disabled)}名成员残疾,需要康复服务或辅具")
    elif any(m.disease == "stroke" for m in h.members):
        add("rehabilitation", "有成员患脑卒中后遗症,需要康复")
    dependent = [m for m in h.members if m.self_care in ("none", "partial")]
    frail = [m for m in h.members if m.elderly_level is not None and m.elderly_level >= 2]
    if dependent or frail:
        who = dependent or frail
        add("nursing", f"{len(who)}名成员生活不能完全自理或老年人能力中度以上受损,需要照护")
    lonely = [
        c
        for c in h.special_circumstances
        if c in ("elder_alone", "elder_left_behind", "child_left_behind")
    ]
    if lonely or h.tag_orphan or h.tag_unsupported_child:
        add("caring", "有独居、留守老人或留守、困境儿童,需要探访关爱")
    if any(
        c in h.special_circumstances
        for c in ("death", "prisoner_family", "accident", "single_parent")
    ) or any(m.disease == "severe_mental" for m in h.members):
        add("psychological", "家庭遭遇变故或有成员患精神障碍,需要心理疏导")
    if any(m.chronically_ill for m in h.members):
        add("health", "有成员患慢性病,需要健康管理")
    if s["schooling"] >= cause_threshold:
        add("education", f"因学得分{s['schooling']:g},需要教育资助")
    elif econ.below_edge and any(m.school_stage not in ("none", "dropout") for m in h.members):
        add("education", "低收入家庭有在学子女,符合教育资助条件")
    if s["employment"] >= cause_threshold or s["skills"] >= cause_threshold:
        add("employment", "有劳动能力成员未就业或缺乏技能,需要就业帮扶或技能培训")
    if s["housing"] >= cause_threshold:
        add("housing", f"因房得分{s['housing']:g},需要住房救助或危房改造")
    return needs
