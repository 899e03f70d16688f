"""Committing a validated ledger: its good households, each all-or-nothing, in
small batches that record what they wrote (ImportedHousehold), so an import
interrupted by a crash continues where it stopped and never writes a household
twice. The page starts it as a background job (import_start → import_run)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.services import access_log_write

from .. import services
from ..models import Household, ImportedHousehold
from .columns import IMPORT_BATCH
from .validation import HouseholdRow, Report

Progress = Callable[[int, int, str], None]

# A batch also ends after this long, so that other writers wait well under a second.
BATCH_SECONDS = 0.5
SQLITE_PAUSE_SECONDS = 0.1


@dataclass
class ImportResult:
    imported: list[dict[str, Any]]
    members: int
    skipped: int
    problems: list[str]


def _summary(household: Household, key: str) -> dict[str, Any]:
    return {
        "id": household.pk,
        "number": household.number,
        "head_name": household.head_name,
        "member_count": household.member_count,
        "key": key,
    }


def imported_keys(*, token: str) -> dict[str, int]:
    """户序号 → household id of what earlier runs of this upload's import wrote."""
    if not token:
        return {}
    return dict(ImportedHousehold.objects.filter(token=token).values_list("key", "household_id"))


@transaction.atomic  # a savepoint: the household and its record, or neither
def _write_one(*, actor, h: HouseholdRow, token: str) -> Household:
    household = services.household_create(
        actor=actor, fields=h.cleaned, members=[m.cleaned for m in h.members]
    )
    if token:
        ImportedHousehold.objects.create(token=token, key=h.key[:255], household=household)
    return household


def import_commit(
    *,
    actor,
    report: Report,
    token: str = "",
    filename: str = "",
    progress: Progress | None = None,
    batch_size: int = IMPORT_BATCH,
) -> ImportResult:
    """Write every good household of a validated report, `batch_size` per transaction
    (fewer when a batch has taken BATCH_SECONDS).

    A household with any bad row is skipped whole; one that the registry refuses
    at write time (its ID number was just registered by someone else) is skipped
    whole too and reported. Households an earlier run of the same upload wrote
    are counted, not written again. The access log records the counts."""
    done = imported_keys(token=token)
    earlier = {
        h.pk: h
        for h in Household.objects.filter(pk__in=done.values()).only(
            "pk", "number", "head_name", "member_count"
        )
    }
    imported = [_summary(earlier[pk], key) for key, pk in done.items() if pk in earlier]
    members = sum(item["member_count"] for item in imported)
    todo = [h for h in report.good if h.key not in done]
    total = len(todo) + len(imported)
    refused: list[str] = []
    at = 0
    while at < len(todo):
        if progress is not None:
            progress(len(imported), total, f"正在导入第 {len(imported) + 1} 户,共 {total} 户")
        started, in_batch = time.monotonic(), 0
        with transaction.atomic():
            while at < len(todo) and in_batch < batch_size:
                if in_batch and time.monotonic() - started > BATCH_SECONDS:
                    break
                h = todo[at]
                at += 1
                in_batch += 1
                try:
                    household = _write_one(actor=actor, h=h, token=token)
                except DatabaseError:
                    # Its savepoint rolled back: nothing of this household was written.
                    refused.append(
                        f"家庭 第{h.row}行 户序号“{h.key}”:写入时档案库已有相同身份证号的人员"
                        "(可能刚被他人登记),该户未导入"
                    )
                    continue
                members += len(h.members)
                imported.append(_summary(household, h.key))
        if connection.vendor == "sqlite" and at < len(todo):
            # SQLite's waiting writers poll; without a pause the next batch would
            # take the lock again at once and a page's save could wait many batches.
            time.sleep(SQLITE_PAUSE_SECONDS)
    skipped = len(report.bad) + len(refused)
    with transaction.atomic():
        access_log_write(
            user=actor,
            action=AccessAction.IMPORT,
            object_type="import",
            object_id=token[:64],
            detail=f"{filename}:导入{len(imported)}户{members}人,跳过{skipped}户(有错误)"[-255:],
        )
    if progress is not None:
        progress(len(imported), max(total, len(imported)), f"已导入 {len(imported)} 户")
    return ImportResult(imported, members, skipped, refused + [p.text for p in report.problems()])
