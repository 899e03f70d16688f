"""Committing a validated ledger: its good households in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jiuzhu.accounts.models import AccessAction, AccessLog

from .. import services
from .validation import Report


@dataclass
class ImportResult:
    imported: list[dict[str, Any]]
    members: int
    skipped: int
    problems: list[str]


def import_commit(*, actor, report: Report, token: str = "", filename: str = "") -> ImportResult:
    """Write every good household of a validated report in one transaction.

    A household with any bad row is skipped whole; the access log records the
    counts. Any database error rolls the whole import back."""
    imported = []
    members = 0
    with transaction.atomic():
        for h in report.good:
            household = services.household_create(
                actor=actor,
                fields=h.cleaned,
                members=[m.cleaned for m in h.members],
            )
            members += len(h.members)
            imported.append(
                {
                    "id": household.pk,
                    "number": household.number,
                    "head_name": household.head_name,
                    "member_count": household.member_count,
                    "key": h.key,
                }
            )
        skipped = len(report.bad)
        AccessLog.objects.create(
            user=actor,
            action=AccessAction.IMPORT,
            object_type="import",
            object_id=token[:64],
            detail=f"{filename}:导入{len(imported)}户{members}人,跳过{skipped}户(有错误)"[-255:],
        )
    return ImportResult(imported, members, skipped, [p.text for p in report.problems()])
