"""Spreadsheet import (upload → validate → preview → commit) and ledger export.

The uploaded file stays server-side under VAR_DIR/imports with a random token,
bound to the uploader; the preview re-reads it, and the commit (a background
job, see spreadsheets/importing.py) validates it once more before writing,
because the registry may have changed in between."""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiuzhu.accounts.access import NotFound, require_role
from jiuzhu.accounts.roles import EXPORTERS, IMPORTERS
from jiuzhu.core import downloads
from jiuzhu.jobs import selectors as job_selectors
from jiuzhu.jobs.models import JobStatus

from . import spreadsheets
from .searches import search_recall
from .spreadsheets import SpreadsheetError, UploadNotFound, exporting

# Enough for a clerk to work through; the rest is counted, not listed.
MAX_PROBLEMS_SHOWN = 1000
MAX_HOUSEHOLDS_SHOWN = 200


def _require_importer(user) -> None:
    require_role(user, IMPORTERS)


@login_required
def import_template_view(request):
    _require_importer(request.user)
    out = io.BytesIO()
    spreadsheets.build_template(user=request.user, out=out)
    out.seek(0)
    response = FileResponse(out, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    return downloads.attachment(response, "家庭档案导入模板.xlsx")


@login_required
def import_upload_view(request):
    _require_importer(request.user)
    error_lines: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error_lines = ["请选择要上传的 .xlsx 文件。"]
        elif upload.size > spreadsheets.MAX_UPLOAD_BYTES:
            error_lines = [
                f"文件过大(超过 {spreadsheets.MAX_UPLOAD_BYTES // 1024 // 1024} MB),请拆分后分批导入。"
            ]
        else:
            data = upload.read()
            try:
                # Reject an unusable file at once; row checks come on the preview page.
                spreadsheets.read_workbook(source=data)
            except SpreadsheetError as exc:
                error_lines = [str(exc)]
            else:
                saved = spreadsheets.upload_save(
                    data=data, user=request.user, filename=upload.name or ""
                )
                return redirect("households:import_preview", token=saved.token)
        if error_lines:
            error_lines.append("未写入任何数据。")
    return render(
        request,
        "households/import.html",
        {"error_lines": error_lines, "max_households": spreadsheets.MAX_HOUSEHOLD_ROWS},
    )


def _get_upload(request, token: str) -> spreadsheets.Upload:
    try:
        return spreadsheets.upload_get(token=token, user=request.user)
    except UploadNotFound:
        raise NotFound("导入文件不存在或已过期") from None


@login_required
def import_preview_view(request, token: str):
    _require_importer(request.user)
    upload = _get_upload(request, token)
    if upload.committed:
        imported = upload.meta.get("imported", [])
        return render(
            request,
            "households/import_done.html",
            {
                **upload.meta,
                "upload": upload,
                "imported_count": len(imported),
                "imported": imported[:MAX_HOUSEHOLDS_SHOWN],
                "households_hidden": max(len(imported) - MAX_HOUSEHOLDS_SHOWN, 0),
            },
        )
    job = job_selectors.job_latest(
        user=request.user, kind="import", key=spreadsheets.import_key(upload.token)
    )
    if job is not None and job.is_active:
        return render(request, "households/import_preview.html", {"upload": upload, "job": job})
    if request.method == "POST":
        return _commit(request, upload)
    try:
        report = spreadsheets.validate(source=upload.path, user=request.user)
    except FileNotFoundError:
        raise NotFound("导入文件不存在或已过期") from None
    except SpreadsheetError as exc:
        return render(
            request,
            "households/import.html",
            {"error_lines": [str(exc), "未写入任何数据。"]},
        )
    # After an interrupted import: what it already wrote is kept and not shown as errors.
    done = spreadsheets.imported_keys(token=upload.token)
    report = report.without(done)
    problems = report.problems()
    good = report.good
    return render(
        request,
        "households/import_preview.html",
        {
            "upload": upload,
            "job": job,
            "already_imported": len(done),
            "report": report,
            "good": good[:MAX_HOUSEHOLDS_SHOWN],
            "good_count": len(good),
            "good_members": report.member_count,
            "bad_count": len(report.bad),
            "orphan_count": len(report.orphans),
            "problems": problems[:MAX_PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "problems_hidden": max(len(problems) - MAX_PROBLEMS_SHOWN, 0),
            "households_hidden": max(len(good) - MAX_HOUSEHOLDS_SHOWN, 0),
        },
    )


def _commit(request, upload: spreadsheets.Upload):
    """Start the import job; when it already ended (no separate worker), say how."""
    job, created = spreadsheets.import_start(actor=request.user, upload=upload)
    job.refresh_from_db()
    if job.status == JobStatus.DONE:
        result = job.result or {}
        messages.success(request, f"已导入 {result.get('imported', 0)} 户({result.get('members', 0)} 人)。")
    elif job.status == JobStatus.FAILED:
        messages.error(request, job.error)
    elif created:
        messages.success(request, "已开始导入,在后台执行,可离开本页,稍后回来查看结果。")
    return redirect("households:import_preview", token=upload.token)


@login_required
def export_view(request):
    require_role(request.user, EXPORTERS)
    filters = {name: request.GET.get(name, "") for name in ("region", "tag")}
    # The search text comes from the session by its token, as on the list (searches.py).
    filters["q"] = search_recall(session=request.session, token=request.GET.get("s", "")) or ""
    households = exporting.export_households(actor=request.user, **filters)
    if households.count() > exporting.EXPORT_INLINE_MAX:
        job, created = exporting.export_start(actor=request.user, **filters)
        if not created:
            messages.error(request, "相同条件的导出正在进行中,请等待其完成。")
        return redirect("jobs:detail", job_id=job.pk)
    # On disk, not in memory: a ledger can be tens of megabytes.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    exporting.export_write(actor=request.user, out=out, **filters)
    out.seek(0)
    response = FileResponse(out, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    return downloads.attachment(response, f"家庭档案台账_{timezone.localdate():%Y%m%d}.xlsx")
