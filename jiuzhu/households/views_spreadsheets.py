"""Spreadsheet import (upload → validate → preview → commit) and ledger export.

The uploaded file stays server-side under VAR_DIR/imports with a random token,
bound to the uploader; the preview re-reads it, and the commit validates it once
more before writing, because the registry may have changed in between."""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiuzhu.accounts.access import NotFound, require_role
from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.roles import EXPORTERS, IMPORTERS
from jiuzhu.accounts.services import access_log_write
from jiuzhu.core import idnumber

from . import choices as c
from . import selectors, spreadsheets
from .searches import search_recall
from .spreadsheets import SpreadsheetError, UploadNotFound

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
    return FileResponse(
        out,
        as_attachment=True,
        filename="家庭档案导入模板.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )


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
    if spreadsheets.upload_in_progress(upload=upload):
        return render(request, "households/import_preview.html", {"upload": upload, "busy": True})
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
    problems = report.problems()
    good = report.good
    return render(
        request,
        "households/import_preview.html",
        {
            "upload": upload,
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
    try:
        claimed = spreadsheets.upload_claim(upload=upload)
    except UploadNotFound:
        # Already committed (double click) or being committed right now.
        return redirect("households:import_preview", token=upload.token)
    try:
        report = spreadsheets.validate(source=claimed, user=request.user)
        if not report.good:
            spreadsheets.upload_release(upload=upload, claimed=claimed)
            messages.error(request, "没有可以导入的家庭,请按检查结果修改文件后重新上传。")
            return redirect("households:import_preview", token=upload.token)
        result = spreadsheets.import_commit(
            actor=request.user,
            report=report,
            token=upload.token,
            filename=upload.meta.get("filename", ""),
        )
    except (SpreadsheetError, DatabaseError):
        # The transaction rolled back: nothing was written, the file can be retried.
        spreadsheets.upload_release(upload=upload, claimed=claimed)
        messages.error(
            request,
            "导入时档案库发生变化(例如同一身份证号刚被他人登记),本次未写入任何家庭,请重新检查后再提交。",
        )
        return redirect("households:import_preview", token=upload.token)
    spreadsheets.upload_finish(upload=upload, claimed=claimed, result=result)
    messages.success(request, f"已导入 {len(result.imported)} 户({result.members} 人)。")
    return redirect("households:import_preview", token=upload.token)


@login_required
def export_view(request):
    require_role(request.user, EXPORTERS)
    # The search text comes from the session by its token, as on the list (searches.py).
    q = search_recall(session=request.session, token=request.GET.get("s", "")) or ""
    region = request.GET.get("region", "")
    tag = request.GET.get("tag", "")
    households = selectors.household_list(user=request.user, q=q, region=region, tag=tag)
    conditions = [
        text
        for text in (
            f"搜索“{idnumber.mask_in_text(q)}”" if q else "",  # logged: never a full ID
            f"区划 {region}" if region else "",
            f"类别 {c.TAG_LABELS.get(tag, tag)}" if tag else "",
        )
        if text
    ]
    note = ";".join(conditions) or "全部授权区划"
    # On disk, not in memory: a county ledger can be tens of megabytes.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
    result = spreadsheets.export_ledger(households=households, out=out, note=note)
    access_log_write(
        user=request.user,
        action=AccessAction.EXPORT,
        object_type="household",
        detail=f"导出台账 {result.households}户{result.members}人({note})"[:255],
    )
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"家庭档案台账_{timezone.localdate():%Y%m%d}.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )
