"""The assessment app's background jobs (registered from AssessmentConfig.ready)."""

from django.urls import reverse

from jiuzhu.jobs.registry import JobKind, register

from .reassess import assessment_reassess_run


def reassess_job(*, job, progress) -> dict:
    return assessment_reassess_run(actor=job.actor, progress=progress, **job.params)


register(
    JobKind(
        kind="reassess",
        label="批量重新评估",
        run=reassess_job,
        result_template="assessment/_reassess_result.html",
        page_url=lambda job: reverse("assessment:model"),
    )
)
