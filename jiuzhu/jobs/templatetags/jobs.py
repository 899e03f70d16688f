"""{% job_progress job %}: the progress box of a job, polled by htmx while it runs."""

from django import template

from ..registry import find
from ..selectors import job_list
from ..services import job_file_path

register = template.Library()


def progress_context(job, *, user=None) -> dict:
    kind = find(job.kind)
    return {
        "job": job,
        "result_template": kind.result_template if kind else "",
        "page_url": kind.page_url(job) if kind and kind.page_url else "",
        "downloadable": job_file_path(job=job) is not None
        and user is not None
        and job.actor_id == user.pk,
    }


@register.inclusion_tag("jobs/_progress.html", takes_context=True)
def job_progress(context, job):
    request = context.get("request")
    return progress_context(job, user=getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def recent_jobs(context, kind: str, limit: int = 1):
    """{% recent_jobs "reassess" 3 as jobs %}: the newest jobs of a kind the user may see."""
    request = context.get("request")
    if request is None:
        return []
    return job_list(user=request.user, kind=kind, limit=limit)
