"""Uploaded ledgers kept server-side between the preview and the commit (they hold
personal data: private files, a time limit, a claim so a file is committed once)."""

from __future__ import annotations

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

from .columns import STALE_CLAIM_SECONDS, UPLOAD_TTL_SECONDS
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


def _purge_old(folder: Path) -> None:
    # Uploaded ledgers hold personal data: keep them no longer than a day.
    limit = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue


def upload_save(*, data: bytes, user, filename: str) -> Upload:
    folder = _upload_dir()
    _purge_old(folder)
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


def upload_claim(*, upload: Upload) -> Path:
    """Move the file aside so that a second commit of the same upload finds
    nothing (rename is atomic); raise UploadNotFound if already claimed."""
    claimed = upload.path.with_suffix(".committing")
    try:
        upload.path.rename(claimed)
    except FileNotFoundError:
        raise UploadNotFound from None
    return claimed


def upload_in_progress(*, upload: Upload) -> bool:
    """True while a commit of this upload runs (its file is claimed)."""
    if upload.path.exists():
        return False
    claimed = upload.path.with_suffix(".committing")
    try:
        claimed_at = claimed.stat().st_ctime  # rename sets ctime, not mtime
    except FileNotFoundError:
        return False
    if time.time() - claimed_at > STALE_CLAIM_SECONDS:
        # The transaction of a dead worker was rolled back: the file can be retried.
        claimed.rename(upload.path)
        return False
    return True


def upload_release(*, upload: Upload, claimed: Path) -> None:
    claimed.rename(upload.path)


def upload_finish(*, upload: Upload, claimed: Path, result: ImportResult) -> None:
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
    claimed.unlink(missing_ok=True)
