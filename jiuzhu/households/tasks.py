"""The households app's background jobs and housekeeping (registered from
HouseholdsConfig.ready)."""

from django.urls import reverse

from jiuzhu.jobs.registry import JobKind, register, register_cleanup

from .spreadsheets import importing, uploads
from .spreadsheets.reading import SpreadsheetError


def import_job(*, job, progress) -> dict:
    return importing.import_run(actor=job.actor, progress=progress, **job.params)


register(
    JobKind(
        kind=importing.KIND,
        label="台账导入",
        run=import_job,
        refusals=(SpreadsheetError,),
        result_template="households/_import_result.html",
        page_url=lambda job: reverse("households:import_preview", args=[job.params["token"]]),
    )
)
register_cleanup("uploads", uploads.uploads_purge)
