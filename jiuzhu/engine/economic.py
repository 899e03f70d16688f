"""家庭经济状况核对: the economic check against the local 低保 standard.

Monthly per-capita income after the deductions the county allows, compared with
the local standard and 1.5× it (the 低保边缘 line), the rigid-spending share,
and assets against the county's limits. The result carries its arithmetic as
lines a clerk can read out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .inputs import HouseholdInput

DEFAULT_STANDARD: dict = {
    # 昆明 2024-level figures, yuan per person per month; counties set their own.
    "urban_standard": 870.0,
    "rural_standard": 590.0,
    "edge_multiplier": 1.5,
    "deduct_medical": True,  # 刚性医疗支出
    "deduct_education": True,  # 教育支出
    "deduct_disability": True,  # 残疾人两项补贴 counted out, see excluded_transfers
    "excluded_transfers": ["disability_subsidy"],
    "asset_limit_per_person": 36000.0,  # deposits per person (元)
    "vehicle_limit": 0,  # vehicles allowed (excluding disability/agricultural vehicles)
    "rigid_share_threshold": 0.5,  # rigid spending ≥ 50% of income = 刚性支出困难
}


@dataclass(frozen=True)
class EconomicResult:
    annual_income: float
    deductions: float
    monthly_per_capita: float
    standard: float
    ratio_to_standard: float
    below_standard: bool
    below_edge: bool
    rigid_spending: float
    rigid_share: float
    rigid_hardship: bool
    assets_ok: bool
    lines: tuple[str, ...]


def _member_income(h: HouseholdInput) -> tuple[float, float]:
    wages = sum(m.wage_income for m in h.members)
    pensions = sum(m.pension_income for m in h.members)
    return wages, pensions


def economic_check(h: HouseholdInput, standard: dict | None = None) -> EconomicResult:
    """Compare the household's income and assets with the local 低保 standard."""
    cfg = {**DEFAULT_STANDARD, **(standard or {})}
    wages, pensions = _member_income(h)
    sources = [
        ("工资性收入", wages), ("养老金或退休金", pensions), ("经营性收入", h.business_income),
        ("出租房屋收入", h.rental_income), ("赡养费", h.support_income), ("政府补贴", h.subsidy_income),
        ("土地流转收入", h.land_transfer_income),
    ]  # fmt: skip
    annual = sum(v for _, v in sources)
    lines = [
        "家庭年收入 = "
        + " + ".join(f"{name}{v:,.0f}" for name, v in sources if v)
        + f" = {annual:,.0f}元"
    ]
    if not any(v for _, v in sources):
        lines = ["家庭年收入为0元"]
    medical = h.serious_illness_expense + h.daily_medical_expense
    education = sum(m.education_expense for m in h.members)
    deductions = 0.0
    parts = []
    if cfg["deduct_medical"] and medical:
        deductions += medical
        parts.append(f"刚性医疗支出{medical:,.0f}")
    if cfg["deduct_education"] and education:
        deductions += education
        parts.append(f"教育支出{education:,.0f}")
    if parts:
        lines.append("扣减 " + " + ".join(parts) + f" = {deductions:,.0f}元")
    net = max(annual - deductions, 0.0)
    monthly = net / 12.0 / h.size
    floor_note = "(扣减后不足0,按0计)" if annual < deductions else ""
    lines.append(
        f"月人均可支配收入 = ({annual:,.0f} − {deductions:,.0f}) ÷ 12 ÷ {h.size}人 = {monthly:,.2f}元{floor_note}"
    )
    std = float(cfg["rural_standard"] if h.rural else cfg["urban_standard"])
    ratio = monthly / std if std > 0 else math.inf
    below = monthly < std
    edge = monthly < std * float(cfg["edge_multiplier"])
    kind = "农村" if h.rural else "城市"
    lines.append(
        f"当地{kind}低保标准{std:,.0f}元/人·月,收入为标准的{ratio:.0%}:"
        + (
            "低于低保标准"
            if below
            else f"低于{cfg['edge_multiplier']:g}倍标准(低保边缘)"
            if edge
            else "高于低保边缘标准"
        )
    )
    rigid = medical + education
    rigid_share = rigid / annual if annual > 0 else (math.inf if rigid > 0 else 0.0)
    rigid_hardship = rigid > 0 and rigid_share >= float(cfg["rigid_share_threshold"])
    if rigid:
        share_text = "无收入" if math.isinf(rigid_share) else f"{rigid_share:.0%}"
        lines.append(
            f"刚性支出{rigid:,.0f}元,占家庭收入{share_text}"
            + (",属刚性支出困难" if rigid_hardship else "")
        )
    deposit_limit = float(cfg["asset_limit_per_person"]) * h.size
    assets_ok = h.deposits <= deposit_limit and h.vehicles <= int(cfg["vehicle_limit"])
    lines.append(
        f"存款{h.deposits:,.0f}元(限额{deposit_limit:,.0f}元),机动车{h.vehicles}辆:"
        + ("财产符合" if assets_ok else "财产超过限额")
    )
    return EconomicResult(
        annual_income=annual,
        deductions=deductions,
        monthly_per_capita=round(monthly, 2),
        standard=std,
        ratio_to_standard=round(ratio, 4) if not math.isinf(ratio) else ratio,
        below_standard=below,
        below_edge=edge,
        rigid_spending=rigid,
        rigid_share=rigid_share,
        rigid_hardship=rigid_hardship,
        assets_ok=assets_ok,
        lines=tuple(lines),
    )
