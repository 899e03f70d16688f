"""The households app's background jobs and housekeeping (registered from
HouseholdsConfig.ready)."""

from django.urls import reverse
from django.utils import timezone

from jiuzhu.jobs.registry import JobKind, register, register_cleanup
from jiuzhu.jobs.services import job_file_open

from .spreadsheets import exporting, importing, uploads
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


def export_job(*, job, progress) -> dict:
    name = f"家庭档案台账_{timezone.localdate():%Y%m%d}.xlsx"
    with job_file_open(job=job, name=name) as out:
        return exporting.export_write(actor=job.actor, out=out, progress=progress, log=False,
                                      **job.params)  # fmt: skip


register(
    JobKind(
        kind=exporting.KIND,
        label="台账导出",
        run=export_job,
        result_template="households/_export_result.html",
        download_detail=lambda job: exporting.export_detail(job.result),
    )
)
