"""Reads of jobs. A user sees the jobs they started; county staff also see the
jobs about regions under their grants. Anything else looks missing."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.accounts.access import NotFound, pk_of
from jiuzhu.accounts.roles import can_oversee_jobs
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.regions.models import under_codes_q

from .models import Job

RECENT = 50
JOB_MISSING = "任务不存在"


def job_scope(*, user) -> QuerySet[Job]:
    """Every job the user may see."""
    if not (user.is_authenticated and user.is_active):
        return Job.objects.none()
    visible = Q(actor=user)
    if can_oversee_jobs(user):
        codes = user_scope_codes(user)
        if codes:
            visible |= ~Q(region="") & under_codes_q("region", codes)
    return Job.objects.filter(visible)


def job_list(*, user, kind: str = "", limit: int = RECENT) -> list[Job]:
    """The user's most recent visible jobs (of one kind if given), newest first."""
    qs = job_scope(user=user).select_related("actor")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs[:limit])


def access_job_by_id(*, user, job_id) -> Job:
    """The job if the user may see it; NotFound for a missing and a hidden one alike."""
    pk = pk_of(job_id, message=JOB_MISSING)
    try:
        return job_scope(user=user).select_related("actor").get(pk=pk)
    except Job.DoesNotExist:
        raise NotFound(JOB_MISSING) from None


def job_latest(*, user, kind: str, key: str) -> Job | None:
    """The newest visible job of this kind and key (what a page shows beside its button)."""
    return job_scope(user=user).filter(kind=kind, key=key).order_by("-created_at", "-id").first()
