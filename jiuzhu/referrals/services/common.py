"""What the referral services share: the note rule and the civil-affairs check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.validators import text_error

NOTE_MAX = 1000


def clean_note(note: str, *, label: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"{label}:不能超过{NOTE_MAX}字"})
    problem = text_error(note, label=label)
    if problem:
        raise ValidationError({"note": problem})
    return note


def require_civil_affairs(actor, village_code: str, what: str = "该家庭") -> None:
    if role_of(actor) not in roles.CIVIL_AFFAIRS:
        raise PermissionDenied("只有乡镇或县民政部门可以转介、重新转介和结案")
    if not code_in_scope(user=actor, code=village_code or ""):
        raise PermissionDenied(f"{what}不在您的管辖范围内")
