"""The referral app's background jobs (registered from ReferralsConfig.ready)."""

from django.urls import reverse

from jiuzhu.jobs.registry import JobKind, register

from . import services


def push_job(*, job, progress) -> dict:
    return services.referral_push_run(progress=progress, **job.params)


register(
    JobKind(
        kind="push",
        label="季度推送",
        run=push_job,
        result_template="referrals/_push_result.html",
        page_url=lambda job: reverse("referrals:push"),
    )
)
