"""Pages of the jobs app: the user's recent jobs, one job, its progress box (polled
by htmx each second while the job runs) and the download of a job's file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render

from jiuzhu.accounts.access import NotFound
from jiuzhu.core import downloads

from . import selectors, services
from .models import Job
from .templatetags.jobs import progress_context


def _job(request, job_id: int) -> Job:
    return selectors.access_job_by_id(user=request.user, job_id=job_id)


@login_required
def job_list_view(request):
    return render(request, "jobs/list.html", {"jobs": selectors.job_list(user=request.user)})


@login_required
def job_detail_view(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "jobs/detail.html", {"job": job})


@login_required
def job_progress_view(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "jobs/_progress.html", progress_context(job, user=request.user))


@login_required
def job_download_view(request, job_id: int):
    job = _job(request, job_id)
    try:
        path = services.job_file_download(actor=request.user, job=job)
    except (PermissionDenied, FileNotFoundError):
        raise NotFound(selectors.JOB_MISSING) from None
    response = FileResponse(path.open("rb"), as_attachment=True)
    return downloads.attachment(response, job.file_name or f"{job.kind_label}结果{path.suffix}")
