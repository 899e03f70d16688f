"""Reads of stored assessments, scoped like the household file.

A household outside the user's regions is answered exactly like one that does
not exist (NotFound from the household's access helper; the latest stored row
alone, `assessment_latest`, raises Assessment.DoesNotExist for both), so a page
or an API response never tells a village worker that another village's
household is there.

Rows written by the batch job carry no reasons (`reasons` is null): they are
recomputed here from the row's stored inputs with the row's own model version
and the economic standard as it stood when the row was written, which gives
the same text as the per-household path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import NotFound, require_role
from jiuzhu.engine.assess import Assessment as EngineAssessment
from jiuzhu.engine.assess import assess
from jiuzhu.engine.economic import DEFAULT_STANDARD
from jiuzhu.engine.model import FACTOR_LABELS, FACTORS, FactorModel
from jiuzhu.engine.needs import CIRCLE_LABELS, NEED_LABELS
from jiuzhu.households.models import Household, Member
from jiuzhu.households.selectors import access_household_by_id, household_scope
from jiuzhu.regions.models import village_kind

from .inputs import from_json, household_input
from .models import (
    Assessment,
    EconomicStandard,
    ElderlyAssessment,
    LatestAssessment,
    ModelStatus,
    ModelVersion,
)
from .services import active_model_version, assessment_fields, economic_standard_for, explain

VERSION_NOT_FOUND = "模型版本不存在"
TRIGGER_LABELS = {
    "manual": "人工评估",
    "change": "档案变更后自动评估",
    "batch": "批量重新评估",
    "elderly": "老年人能力评估后",
}


def assessment_latest(*, user, household_id) -> Assessment:
    """The latest stored assessment of a household in scope; DoesNotExist otherwise."""
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise Assessment.DoesNotExist from None
    return (
        Assessment.objects.select_related("model_version", "assessed_by", "household")
        .filter(household__in=household_scope(user=user))
        .latest_only()
        .get(household_id=pk)
    )


def assessment_history(*, user, household_id) -> QuerySet[Assessment]:
    """Every stored assessment of a household in scope, newest first (empty otherwise)."""
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        return Assessment.objects.none()
    latest = LatestAssessment.objects.filter(household_id=pk, assessment_id=OuterRef("pk"))
    return (
        Assessment.objects.select_related("model_version", "assessed_by")
        .filter(household__in=household_scope(user=user), household_id=pk)
        .annotate(is_latest=Exists(latest))
        .order_by("-assessed_at", "-id")
    )


def assessment_current(*, user, household_id) -> Assessment:
    """The latest assessment, or — for a household never assessed — one computed now.

    The computed one is not saved (a read must not write; `pk` is None), so two
    clerks opening the same file at once cannot race to store it. Raises
    NotFound for a household out of scope or missing.
    """
    household = access_household_by_id(user=user, household_id=household_id)
    try:
        return assessment_latest(user=user, household_id=household.pk)
    except Assessment.DoesNotExist:
        return assessment_compute(household=household)


def assessment_compute(*, household: Household) -> Assessment:
    """Assess a household with the active model without storing the result."""
    version = active_model_version()
    result = assess(
        household_input(household),
        FactorModel.from_data(version.data, version.version),
        economic_standard_for(household.village_id),
    )
    row = Assessment(
        household=household,
        model_version=version,
        reasons={**explain(result), "standard": result.economic.standard},
        assessed_at=timezone.now(),
        trigger="manual",
        **assessment_fields(result),
    )
    row._engine_result = result
    return row


def standard_as_of(*, code: str, at: dt.datetime) -> dict:
    """The economic-check settings of the county containing `code` as they stood at `at`."""
    county = code[:6] + "000000"
    record = (
        EconomicStandard.history.filter(county_id=county, history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is not None:
        return {} if record.history_type == "-" else record.instance.as_engine_dict()
    if not EconomicStandard.history.filter(county_id=county).exists():
        # A row saved without history (fixtures, raw SQL): it is all we know.
        current = EconomicStandard.objects.filter(county_id=county).first()
        return current.as_engine_dict() if current else {}
    return {}  # the county set its standard after `at`: the engine's defaults applied


def _recompute(assessment: Assessment) -> EngineAssessment | None:
    cached = getattr(assessment, "_engine_result", None)
    if cached is not None:
        return cached
    inputs = assessment.input_data()
    if not inputs:
        return None
    version = assessment.model_version
    code = assessment.household.village_id
    result = assess(
        from_json(inputs),
        FactorModel.from_data(version.data, version.version),
        standard_as_of(code=code, at=assessment.assessed_at),
    )
    assessment._engine_result = result
    return result


def assessment_reasons(*, assessment: Assessment) -> dict:
    """{"factors": {key: [lines]}, "economic": [lines], "circle": text} for a stored row."""
    stored = assessment.reasons
    if stored and stored.get("factors"):
        return {
            "factors": {f: list(stored["factors"].get(f, [])) for f in FACTORS},
            "economic": list(stored.get("economic", [])),
            "circle": stored.get("circle", ""),
        }
    result = _recompute(assessment)
    if result is None:
        return {"factors": {f: [] for f in FACTORS}, "economic": [], "circle": ""}
    return {
        "factors": {f: list(result.factors.factors[f].reasons) for f in FACTORS},
        "economic": list(result.economic.lines),
        "circle": result.circle_reason,
    }


def _standard_of(assessment: Assessment) -> float:
    stored = assessment.reasons or {}
    if "standard" in stored:
        return float(stored["standard"])
    rural = (assessment.input_data() or {}).get("rural")
    if rural is None:
        rural = village_kind(assessment.household.village_id) == "村委会"
    cfg = {
        **DEFAULT_STANDARD,
        **standard_as_of(code=assessment.household.village_id, at=assessment.assessed_at),
    }
    return float(cfg["rural_standard"] if rural else cfg["urban_standard"])


def _assets_ok(assessment: Assessment) -> bool | None:
    """Deposits and vehicles within the county's limits (None: inputs not kept)."""
    result = _recompute(assessment)
    return None if result is None else bool(result.economic.assets_ok)


def assessment_data(*, assessment: Assessment) -> dict:
    """The assessment as the API returns it (and the page shows it): numbers, keys, reasons."""
    reasons = assessment_reasons(assessment=assessment)
    return {
        "household_id": assessment.household_id,
        "factors": {f: float(getattr(assessment, f)) for f in FACTORS},
        "index": float(assessment.index),
        "causes": list(assessment.causes),
        "primary_cause": assessment.primary_cause or None,
        "multi_cause": assessment.multi_cause,
        "circle": int(assessment.circle),
        "circle_label": CIRCLE_LABELS.get(int(assessment.circle), ""),
        "needs": [
            {
                "category": n["category"],
                "label": NEED_LABELS.get(n["category"], n["category"]),
                "reason": n["reason"],
            }
            for n in assessment.needs
        ],
        "reasons": {
            **reasons["factors"],
            "economic": reasons["economic"],
            "circle": reasons["circle"],
        },
        "economic": {
            "monthly_income_per_capita": float(assessment.monthly_income_per_capita),
            "standard": _standard_of(assessment),
            "below_standard": assessment.below_standard,
            "below_edge": assessment.below_edge,
            "assets_ok": _assets_ok(assessment),
        },
        "model_version": assessment.model_version.version,
        "assessed_at": assessment.assessed_at,
        "assessed_by": str(assessment.assessed_by) if assessment.assessed_by_id else None,
        "trigger": assessment.trigger,
        "stored": assessment.pk is not None,
    }


@dataclass(frozen=True)
class FactorRow:
    key: str
    label: str
    score: float
    is_cause: bool
    reasons: list[str]


def factor_rows(*, assessment: Assessment, reasons: dict) -> list[FactorRow]:
    """The nine factors in model order, each with its score, cause flag and reasons."""
    causes = set(assessment.causes)
    return [
        FactorRow(
            key=f,
            label=FACTOR_LABELS[f],
            score=float(getattr(assessment, f)),
            is_cause=f in causes,
            reasons=reasons.get(f, []),
        )
        for f in FACTORS
    ]


# ---- Model versions -------------------------------------------------------


def model_versions() -> QuerySet[ModelVersion]:
    """Every model version, newest first, with who made and who activated it."""
    return ModelVersion.objects.select_related(
        "created_by", "activated_by", "previewed_by", "discarded_by"
    ).order_by("-created_at", "-id")


def access_model_version(*, user, version: str) -> ModelVersion:
    """A model version, for the roles that edit the model; NotFound otherwise."""
    require_role(user, roles.MODEL_EDITORS, message=VERSION_NOT_FOUND)
    try:
        return model_versions().get(version=version)
    except ModelVersion.DoesNotExist:
        raise NotFound(VERSION_NOT_FOUND) from None


def model_version_active() -> ModelVersion:
    return active_model_version()


def model_version_drafts() -> QuerySet[ModelVersion]:
    return model_versions().filter(status=ModelStatus.DRAFT)


# ---- Elderly ability -------------------------------------------------------


def elderly_assessments(*, member: Member) -> QuerySet[ElderlyAssessment]:
    return member.elderly_assessments.select_related("assessed_by").order_by("-assessed_at", "-id")


def elderly_latest_levels(*, household: Household) -> dict[int, ElderlyAssessment]:
    """Member id → that member's latest elderly-ability assessment."""
    latest: dict[int, ElderlyAssessment] = {}
    for row in ElderlyAssessment.objects.filter(member__household=household).order_by(
        "member_id", "-assessed_at", "-id"
    ):
        latest.setdefault(row.member_id, row)
    return latest
