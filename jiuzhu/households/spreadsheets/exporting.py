"""The registry export for a user: the ledger of the households they may read under
their filters. A small one is written within the request; a large one (more than
EXPORT_INLINE_MAX households) by a background job, whose file the page offers
for download until it expires (jobs.services.job_file_download logs each one)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.roles import can_export
from jiuzhu.accounts.scope import user_scope_codes
from jiuzhu.accounts.services import access_log_write
from jiuzhu.core import idnumber
from jiuzhu.jobs.models import Job
from jiuzhu.jobs.services import job_start

from .. import choices as c
from .. import selectors
from ..models import Household
from .export import export_ledger

KIND = "export"
# Above this many households the export runs as a job (a county ledger: ~1 minute).
EXPORT_INLINE_MAX = 2000


def export_note(*, q: str = "", region: str = "", tag: str = "") -> str:
    conditions = [
        f"搜索“{idnumber.mask_in_text(q)}”" if q else "",  # logged: never a full ID
        f"区划 {region}" if region else "",
        f"类别 {c.TAG_LABELS.get(tag, tag)}" if tag else "",
    ]
    return ";".join(text for text in conditions if text) or "全部授权区划"


def export_households(*, actor, q: str = "", region: str = "", tag: str = "") -> QuerySet[Household]:
    return selectors.household_list(user=actor, q=q, region=region, tag=tag)


def export_detail(result: dict[str, Any]) -> str:
    """The access-log line of an export."""
    return f"导出台账 {result['households']}户{result['members']}人({result['note']})"[:255]


def export_write(
    *,
    actor,
    out: IO[bytes],
    q: str = "",
    region: str = "",
    tag: str = "",
    progress: Callable[[int, int, str], None] | None = None,
    log: bool = True,
) -> dict[str, Any]:
    """Write the actor's ledger under the filters to `out`; log it unless a download will."""
    note = export_note(q=q, region=region, tag=tag)
    households = export_households(actor=actor, q=q, region=region, tag=tag)
    result = export_ledger(households=households, out=out, note=note, progress=progress)
    summary = {"households": result.households, "members": result.members, "note": note}
    if log:
        access_log_write(
            user=actor,
            action=AccessAction.EXPORT,
            object_type="household",
            detail=export_detail(summary),
        )
    return summary


def export_start(*, actor, q: str = "", region: str = "", tag: str = "") -> tuple[Job, bool]:
    """Queue a large export; the one already running for the same user and filters if any."""
    if not can_export(actor):
        raise PermissionDenied("您的角色不能导出台账")
    params = {"q": q, "region": region, "tag": tag}
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    scope = min(user_scope_codes(actor), default="")
    return job_start(
        actor=actor, kind=KIND, key=f"{KIND}:{actor.pk}:{digest}", region=scope, params=params
    )
