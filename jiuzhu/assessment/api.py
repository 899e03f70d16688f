"""GET /api/households/{id}/assessment: the latest assessment of one household.

Mounted at the same /households prefix as the household router (ninja merges
the two; the OpenAPI schema lists both). A household never assessed is scored
now with the active model and returned with "stored": false — a GET does not
write, so two clients asking at once cannot race to store it.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from jiuzhu.accounts.api import BearerAuth
from jiuzhu.api_schema import responses

from . import selectors

router = Router(tags=["综合评估"], auth=BearerAuth())


class FactorsOut(Schema):
    illness: float
    disability: float
    schooling: float
    housing: float
    disaster: float
    employment: float
    skills: float
    labour: float
    other: float


class ReasonsOut(Schema):
    illness: list[str]
    disability: list[str]
    schooling: list[str]
    housing: list[str]
    disaster: list[str]
    employment: list[str]
    skills: list[str]
    labour: list[str]
    other: list[str]
    economic: list[str]
    circle: str


class NeedOut(Schema):
    category: str
    label: str
    reason: str


class EconomicOut(Schema):
    monthly_income_per_capita: float
    standard: float
    below_standard: bool
    below_edge: bool


class AssessmentOut(Schema):
    household_id: int
    factors: FactorsOut
    index: float
    causes: list[str]
    primary_cause: str | None
    multi_cause: bool
    circle: int
    circle_label: str
    needs: list[NeedOut]
    reasons: ReasonsOut
    economic: EconomicOut
    model_version: str
    assessed_at: dt.datetime
    assessed_by: str | None
    trigger: str
    stored: bool


@router.get(
    "/{household_id}/assessment",
    response=responses(AssessmentOut, 401, 404, 422),
    summary="一户家庭的最新综合评估(九因子得分、困难指数、圈层、需求及评分依据)",
    description=(
        "factors 的键为 illness(因病)、disability(因残)、schooling(因学)、housing(因房)、"
        "disaster(因灾)、employment(就业)、skills(技术)、labour(劳动力)、other(其他),"
        "分值 0–5,步长 0.5。causes 为致困因子的键,按得分从高到低。circle 为圈层 1/2/3,0 为未分层。"
        "从未评估的家庭按现行模型即时计算,不保存,stored 为 false。"
    ),
)
def assessment_get(request, household_id: int):
    assessment = selectors.assessment_current(user=request.user, household_id=household_id)
    return selectors.assessment_data(assessment=assessment)
