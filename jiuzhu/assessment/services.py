"""Writes of the assessment app: run and store assessments, manage model versions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.engine.assess import Assessment as EngineAssessment
from jiuzhu.engine.assess import assess
from jiuzhu.engine.elderly import elderly_ability
from jiuzhu.engine.model import DEFAULT_MODEL, FACTOR_LABELS, FACTORS, FactorModel, ModelError
from jiuzhu.households.models import Household

from .inputs import household_input, to_json
from .models import (
    Assessment,
    EconomicStandard,
    ElderlyAssessment,
    LatestAssessment,
    ModelStatus,
    ModelVersion,
)


def active_model_version() -> ModelVersion:
    """The model version in force; the default model is created on first use."""
    version = ModelVersion.objects.filter(status=ModelStatus.ACTIVE).first()
    if version is None:
        version, _ = ModelVersion.objects.get_or_create(
            version="v1",
            defaults={
                "name": DEFAULT_MODEL["name"],
                "data": DEFAULT_MODEL,
                "status": ModelStatus.ACTIVE,
                "activated_at": timezone.now(),
                "note": "按原州区试点模型设定的默认参数",
            },
        )
    return version


def engine_model(version: ModelVersion) -> FactorModel:
    return FactorModel.from_data(version.data, version.version)


def economic_standard_for(code: str) -> dict:
    """The economic-check settings of the county containing `code`."""
    county = code[:6] + "000000"
    standard = EconomicStandard.objects.filter(county_id=county).first()
    return standard.as_engine_dict() if standard else {}


def explain(result: EngineAssessment) -> dict:
    return {
        "factors": {f: list(result.factors.factors[f].reasons) for f in FACTORS},
        "economic": list(result.economic.lines),
        "circle": result.circle_reason,
    }


def assessment_fields(result: EngineAssessment) -> dict:
    f = result.factors
    return {
        **{name: f.factors[name].score for name in FACTORS},
        "index": f.index,
        "causes": list(f.causes),
        "primary_cause": f.primary_cause or "",
        "multi_cause": f.multi_cause,
        "cause_count": len(f.causes),
        "circle": result.circle,
        "monthly_income_per_capita": result.economic.monthly_per_capita,
        "below_standard": result.economic.below_standard,
        "below_edge": result.economic.below_edge,
        "needs": [{"category": n.category, "reason": n.reason} for n in result.needs],
    }


@transaction.atomic
def assessment_run(*, actor, household: Household, trigger: str = "manual") -> Assessment:
    """Assess one household with the active model and store the result as the latest."""
    if actor is not None and actor.role not in roles.ASSESSORS:
        raise PermissionDenied("您的角色不能发起评估")
    version = active_model_version()
    inputs = household_input(household)
    result = assess(inputs, engine_model(version), economic_standard_for(household.village_id))
    row = Assessment.objects.create(
        household=household,
        model_version=version,
        reasons=explain(result),
        inputs=to_json(inputs),
        assessed_by=actor,
        assessed_at=timezone.now(),
        trigger=trigger,
        **assessment_fields(result),
    )
    latest_point(row)
    return row


def assessment_on_change(*, household: Household, actor) -> Assessment:
    """Re-assess a household whose file just changed (households.hooks.household_changed)."""
    return assessment_run(actor=None, household=household, trigger="change")


def latest_point(row: Assessment) -> LatestAssessment:
    """Make a stored assessment its household's latest (inside the caller's transaction)."""
    pointer, _ = LatestAssessment.objects.update_or_create(
        household_id=row.household_id,
        defaults={
            "assessment": row,
            "inputs_id": row.inputs_source_id or row.pk,
            **LatestAssessment.values_of(row),
        },
    )
    return pointer


def _require_model_editor(actor) -> None:
    if actor.role not in roles.MODEL_EDITORS:
        raise PermissionDenied("只有县民政局可以修改评估模型")


@transaction.atomic
def model_version_create(*, actor, data: dict, name: str, note: str = "") -> ModelVersion:
    """Save a draft model version after checking every parameter."""
    _require_model_editor(actor)
    try:
        FactorModel.from_data(data, "draft")
    except (ModelError, KeyError, TypeError) as exc:
        raise ModelError(str(exc)) from exc
    number = ModelVersion.objects.count() + 1
    while ModelVersion.objects.filter(version=f"v{number}").exists():
        number += 1
    version = ModelVersion(version=f"v{number}", name=name, data=data, note=note, created_by=actor)
    version._history_user = actor
    version.save()
    return version


@transaction.atomic
def model_version_activate(*, actor, version: ModelVersion) -> ModelVersion:
    """Make a draft the model in force; the previous one is retired, nothing is deleted."""
    _require_model_editor(actor)
    if version.status != ModelStatus.DRAFT:
        raise ModelError("只能启用草稿状态的模型版本")
    for old in ModelVersion.objects.select_for_update().filter(status=ModelStatus.ACTIVE):
        old.status = ModelStatus.RETIRED
        old._history_user = actor
        old.save()
    version.status = ModelStatus.ACTIVE
    version.activated_by = actor
    version.activated_at = timezone.now()
    version._history_user = actor
    version.save()
    return version


@transaction.atomic
def model_version_discard(*, actor, version: ModelVersion) -> ModelVersion:
    """Mark a draft discarded (已废弃): kept with its history, never activated.

    Only a draft: an active or retired version produced assessments and stays as it is,
    and so does any version an assessment names (none should be a draft; checked anyway).
    """
    _require_model_editor(actor)
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ModelStatus.DRAFT:
        raise ModelError(
            f"只能废弃草稿:{version.version}{version.get_status_display()},不能废弃"
        )
    if Assessment.objects.filter(model_version=version).exists():
        raise ModelError(f"已有评估结果注明使用 {version.version},不能废弃")
    version.status = ModelStatus.DISCARDED
    version.discarded_by = actor
    version.discarded_at = timezone.now()
    version._history_user = actor
    version._change_reason = "废弃草稿"
    version.save()
    return version


__all__ = [
    "FACTOR_LABELS",
    "assessment_run",
    "model_version_activate",
    "model_version_create",
    "model_version_discard",
]


# ---- Added with the assessment pages: preview record, 低保 standard, elderly ability ----


@transaction.atomic
def model_version_preview_save(*, actor, version: ModelVersion, preview: dict) -> ModelVersion:
    """Record that the actor saw a draft's impact on the county (and what it showed)."""
    _require_model_editor(actor)
    if version.status != ModelStatus.DRAFT:
        raise ModelError("只能预览草稿状态的模型版本")
    version.preview = preview
    version.previewed_by = actor
    version.previewed_at = timezone.now()
    version._history_user = actor
    version.save()
    return version


@transaction.atomic
def economic_standard_save(*, actor, county, fields: dict) -> EconomicStandard:
    """Set a county's 低保 standard and check rules; the old values stay in its history."""
    if actor.role not in roles.MODEL_EDITORS:
        raise PermissionDenied("只有县民政局可以修改低保标准")
    standard = EconomicStandard.objects.select_for_update().filter(county=county).first()
    standard = standard or EconomicStandard(county=county)
    for name, value in fields.items():
        setattr(standard, name, value)
    standard._history_user = actor
    standard.save()
    return standard


@transaction.atomic
def elderly_assessment_record(
    *,
    actor,
    member,
    items: dict[str, int],
    coma: bool = False,
    dementia: bool = False,
    mental_disorder: bool = False,
    risk_events_30d: int = 0,
):
    """Grade an older member's ability (GB/T 42195-2022), store it, re-assess the household.

    Raises ValueError naming the item when a score is out of range; nothing is saved.
    """
    if actor.role not in roles.ASSESSORS:
        raise PermissionDenied("您的角色不能录入老年人能力评估")
    result = elderly_ability(
        items,
        coma=coma,
        dementia=dementia,
        mental_disorder=mental_disorder,
        risk_events_30d=risk_events_30d,
    )
    record = ElderlyAssessment.objects.create(
        member=member,
        items={code: int(score) for code, score in items.items()},
        coma=coma,
        dementia=dementia,
        mental_disorder=mental_disorder,
        risk_events_30d=risk_events_30d,
        total=result.total,
        initial_level=result.initial_level,
        level=result.level,
        level_name=result.level_name,
        reasons=list(result.reasons),
        assessed_by=actor,
    )
    # The level feeds the 照护 need (MemberInput.elderly_level), so the household's
    # assessment is out of date the moment this row exists.
    assessment_run(actor=actor, household=member.household, trigger="elderly")
    return record
