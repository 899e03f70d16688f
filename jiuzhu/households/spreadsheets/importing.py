"""The import of an uploaded ledger as a background job: the preview page starts
it (import_start), the worker runs it (import_run: validate once more, commit in
batches, record the result with the upload). One active job per upload, so a
double click or a second tab cannot commit it twice; a failed or interrupted
one is started again from the same page and continues where it stopped."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from jiuzhu.accounts.roles import can_import
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.jobs.models import Job
from jiuzhu.jobs.services import job_start

from .commit import Progress, import_commit, imported_keys
from .reading import SpreadsheetError
from .uploads import Upload, UploadNotFound, upload_finish, upload_get
from .validation import validate

KIND = "import"


def import_key(token: str) -> str:
    return f"{KIND}:{token}"


def import_start(*, actor, upload: Upload) -> tuple[Job, bool]:
    """Queue the commit of the actor's upload; the job already running if there is one."""
    if not can_import(actor):
        raise PermissionDenied("您的角色不能导入台账")
    scope = min(user_scope_codes(actor), default="")
    return job_start(
        actor=actor,
        kind=KIND,
        key=import_key(upload.token),
        region=scope,
        params={"token": upload.token, "filename": upload.meta.get("filename", "")},
    )


def import_run(*, actor, token: str, filename: str = "", progress: Progress | None = None):
    """Validate the upload once more and commit its good households (what the job runs)."""
    try:
        upload = upload_get(token=token, user=actor)
    except UploadNotFound:
        raise SpreadsheetError("上传的文件已不存在(可能已超过保留时间被删除),请重新上传") from None
    if upload.committed:
        return _summary(upload.meta)
    if not upload.path.exists():
        raise SpreadsheetError("上传的文件已不存在(可能已超过保留时间被删除),请重新上传")
    if progress is not None:
        progress(0, 1, "正在再次检查文件")
    # The registry may have changed since the preview: check every row again.
    report = validate(source=upload.path, user=actor).without(imported_keys(token=token))
    if not report.good and not imported_keys(token=token):
        raise SpreadsheetError("没有可以导入的家庭,请按检查结果修改文件后重新上传。")
    result = import_commit(
        actor=actor, report=report, token=token, filename=filename, progress=progress
    )
    upload_finish(upload=upload, result=result)
    return _summary(upload.meta)


def _summary(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "imported": len(meta.get("imported", [])),
        "members": meta.get("members", 0),
        "skipped": meta.get("skipped", 0),
    }
