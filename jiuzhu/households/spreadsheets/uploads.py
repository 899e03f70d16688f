"""Uploaded ledgers kept server-side between the preview and the commit (they hold
personal data: private files, deleted by housekeeping after a time limit, and
deleted at once when committed). That a file is committed once is the import
job's rule (one active job per upload), not the file's."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..models import ImportedHousehold
from .columns import UPLOAD_TTL_SECONDS
from .commit import ImportResult


class UploadNotFound(Exception):
    """No upload with this token for this user (also when it belongs to someone else)."""


@dataclass
class Upload:
    token: str
    path: Path
    meta: dict[str, Any]

    @property
    def committed(self) -> bool:
        return self.meta.get("status") == "committed"


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _upload_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def uploads_purge() -> int:
    """Delete uploads never confirmed (and the records of committed ones) past their
    time limit: they hold ID numbers. Housekeeping runs this; returns files deleted."""
    limit = time.time() - UPLOAD_TTL_SECONDS
    removed = 0
    for path in _upload_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    # What an import wrote is in the households' history; the bookkeeping can go.
    cutoff = timezone.now() - dt.timedelta(seconds=UPLOAD_TTL_SECONDS)
    ImportedHousehold.objects.filter(created_at__lt=cutoff).delete()
    return removed


def upload_save(*, data: bytes, user, filename: str) -> Upload:
    folder = _upload_dir()
    token = secrets.token_urlsafe(32)
    path = folder / f"{token}.xlsx"
    # Personal data: readable by the service account only, from the first byte.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        fh.write(data)
    meta = {
        "user_id": user.pk,
        "filename": Path(filename).name[:128],
        "uploaded_at": timezone.now().isoformat(),
        "status": "uploaded",
    }
    _write_meta(folder / f"{token}.json", meta)
    return Upload(token, path, meta)


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False))
    tmp.chmod(0o600)
    tmp.replace(path)


def upload_get(*, token: str, user) -> Upload:
    """The user's own upload; someone else's looks exactly like a missing one."""
    if not _TOKEN.match(token or ""):
        raise UploadNotFound
    folder = _upload_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        raise UploadNotFound from None
    if meta.get("user_id") != user.pk:
        raise UploadNotFound
    return Upload(token, folder / f"{token}.xlsx", meta)


def upload_finish(*, upload: Upload, result: ImportResult) -> None:
    """Record the import's result with the upload and delete the uploaded file."""
    upload.meta.update(
        status="committed",
        committed_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        imported=result.imported,
        members=result.members,
        skipped=result.skipped,
        problems=result.problems[:500],
        problem_total=len(result.problems),
    )
    _write_meta(upload.path.with_suffix(".json"), upload.meta)
    upload.path.unlink(missing_ok=True)
