"""Re-assessing a county as a background job: county staff start it from the model
page, the worker runs it with progress (jiuzhu.jobs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.jobs.services import job_start
from jiuzhu.regions.models import Region

from .batch import reassess_region
from .services import _require_model_editor


def assessment_reassess_start(*, actor, county: str):
    """Queue the re-assessment of a county with the model in force; the running one if started.

    Returns (job, created): one re-assessment per county at a time."""
    _require_model_editor(actor)
    if not code_in_scope(user=actor, code=county):
        raise PermissionDenied("该区域不在您的管辖范围内")
    return job_start(
        actor=actor,
        kind="reassess",
        key=f"reassess:{county[:6]}",
        region=county,
        params={"region": county},
    )


def assessment_reassess_run(*, actor, region: str, progress=None) -> dict:
    """Re-assess every household of a region with the active model, with progress."""
    result = reassess_region(actor=actor, region=region, progress=progress)
    return {
        "county_name": Region.objects.filter(code=region).values_list("name", flat=True).first()
        or region,
        "model_version": result["model_version"],
        "households": result["households"],
        "written": result["written"],
        "skipped_newer": result["skipped_newer"],
    }
