"""What the case and hotline services share: scope, numbering, the timeline row, notes."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.regions.models import Region
from jiuzhu.validators import text_error

from .. import workflow as wf
from ..codes import RECEIPT_ALPHABET, RECEIPT_LENGTH
from ..models import (
    Case,
    CaseEvent,
)
from ..workflow import DuplicateCase

NOTE_MAX = 1000
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


def region_of(case: Case) -> str:
    return case.household.village_id if case.household_id else case.village_id


def require_scope(actor, code: str, what: str = "该个案") -> None:
    # Pages and the API fetch through selectors already (a 404 outside the scope);
    # checking here too keeps scripts and later callers inside the actor's regions.
    if not code_in_scope(user=actor, code=code or ""):
        raise PermissionDenied(f"{what}不在您的管辖范围内")


def next_number(model, letters: str, village_code: str) -> str:
    """AJ530128-2026-000123: letters, county code, year, sequence within county and year."""
    county = village_code[:6]
    # Lock the county row so that two windows never take the same number.
    list(Region.objects.select_for_update().filter(pk=county + "000000"))
    prefix = f"{letters}{county}-{timezone.localdate().year}-"
    last = (
        model.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def receipt_code_new() -> str:
    """A random receipt code no case has yet (31^10 ≈ 8×10^14 codes)."""
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not Case.objects.filter(receipt_code=code).exists():
            return code


def case_event(case: Case, *, action: str, from_status: str, actor, note: str = "", at=None):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor if role_of(actor) else None,
        note=note,
        at=at or timezone.now(),
    )


def case_save(case: Case, *, actor, reason: str) -> None:
    case._history_user = actor if role_of(actor) else None
    case._change_reason = reason
    case.save()


def clean_note(note: str, *, label: str = "说明") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"{label}:不能超过{NOTE_MAX}字"})
    problem = text_error(note, label=label)
    if problem:
        raise ValidationError({"note": problem})
    return note


def open_case_of(household_id: int, *, excluding: int | None = None) -> Case | None:
    qs = Case.objects.open().filter(household_id=household_id)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.first()


def refuse_duplicate(existing: Case) -> None:
    label = wf.STATUS_LABELS.get(existing.status, existing.status)
    raise DuplicateCase(
        f"该户已有在办个案 {existing.number}(当前状态:{label}),不能重复受理",
        number=existing.number,
    )
