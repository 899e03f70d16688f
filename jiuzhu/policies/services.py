"""Writes to the policy library: each checked, atomic and kept in history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

__all__ = ["FIELDS", "PolicyError", "library_load", "policy_check", "policy_save"]

from jiuzhu.accounts import roles

from . import library
from .models import FIELDS, Department, Policy, PolicyError, policy_check


@transaction.atomic
def policy_save(*, actor, code: str, data: dict) -> Policy:
    """Create or change a policy; a change raises its version (history keeps the old one)."""
    if actor is not None and actor.role not in roles.LIBRARY_EDITORS:
        raise PermissionDenied("只有县民政局可以维护政策一本通")
    data = {k: v for k, v in data.items() if k in FIELDS}
    department = data.get("department")
    if isinstance(department, str):
        department = Department.objects.filter(code=department).first()
        if department is None:
            raise PolicyError(f"责任部门:无此部门“{data.get('department')}”")
        data["department"] = department
    policy = Policy.objects.select_for_update().filter(code=code).first()
    merged = {f: getattr(policy, f) for f in FIELDS} if policy else {}
    merged.update(data)
    if merged.get("department") is None:
        raise PolicyError("责任部门:不能为空")
    policy_check(merged)
    if policy is None:
        policy = Policy(code=code, **merged)
    else:
        if all(getattr(policy, f) == merged[f] for f in FIELDS):
            return policy  # nothing changed: no new version
        for name, value in merged.items():
            setattr(policy, name, value)
        policy.version += 1
    policy.updated_by = actor
    policy._history_user = actor
    policy.save()
    return policy


@transaction.atomic
def library_load(*, actor=None) -> dict:
    """Load the demo library (departments and policies in jiuzhu.policies.library)."""
    for row in library.DEPARTMENTS:
        Department.objects.update_or_create(code=row["code"], defaults={
            k: v for k, v in row.items() if k != "code"})  # fmt: skip
    saved = 0
    for row in library.POLICIES:
        data = {k: v for k, v in row.items() if k not in ("code", "department")}
        data["department"] = row["department"]
        for key in ("valid_from", "valid_to"):
            if isinstance(data.get(key), str):
                data[key] = dt.date.fromisoformat(data[key])
        policy_save(actor=actor, code=row["code"], data=data)
        saved += 1
    return {"departments": len(library.DEPARTMENTS), "policies": saved}
