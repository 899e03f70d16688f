"""Writes to the policy library: each checked, atomic and kept in history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jiuzhu.accounts.models import Role
from jiuzhu.core import text
from jiuzhu.engine.conditions import ConditionError, validate
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households.choices import Assistance

from .codes import CODES
from .models import Department, Measure, Policy

LIBRARY_EDITORS = frozenset({Role.COUNTY_STAFF, Role.ADMIN})
FIELDS = ("name", "department", "measure", "needs", "condition", "summary", "benefit", "amount",
          "legal_basis", "how_to_apply", "receipt_code", "valid_from", "valid_to", "active")  # fmt: skip


class PolicyError(ValueError):
    """Bad policy data; the message names the field, in Chinese."""


def policy_check(data: dict) -> None:
    """Raise PolicyError unless the policy's data is complete and its condition well formed."""
    for name, label in (("name", "政策名称"), ("benefit", "救助帮扶内容"),
                        ("legal_basis", "政策依据")):  # fmt: skip
        if not str(data.get(name) or "").strip():
            raise PolicyError(f"{label}:不能为空")
    for name in ("name", "summary", "benefit", "amount", "legal_basis", "how_to_apply"):
        problem = text.text_problem(str(data.get(name) or ""), multiline=name != "name")
        if problem:
            raise PolicyError(f"{Policy._meta.get_field(name).verbose_name}:{problem}")
    if data.get("measure") not in Measure.values:
        raise PolicyError(f"措施类型:无效的值“{data.get('measure')}”")
    needs = data.get("needs") or []
    bad = [n for n in needs if n not in NEED_LABELS]
    if bad:
        raise PolicyError(f"对应需求:无效的需求“{'、'.join(map(str, bad))}”")
    receipt = data.get("receipt_code") or ""
    if receipt and receipt not in Assistance.values:
        raise PolicyError(f"已享受标记:无效的值“{receipt}”")
    try:
        validate(data.get("condition"), codes=CODES, _path="享受条件")
    except ConditionError as exc:
        raise PolicyError(str(exc)) from exc
    start, end = data.get("valid_from"), data.get("valid_to")
    if not isinstance(start, dt.date):
        raise PolicyError("生效日期:不能为空")
    if end is not None and end < start:
        raise PolicyError("失效日期:不能早于生效日期")


@transaction.atomic
def policy_save(*, actor, code: str, data: dict) -> Policy:
    """Create or change a policy; a change raises its version (history keeps the old one)."""
    if actor is not None and actor.role not in LIBRARY_EDITORS:
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
    from . import library

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
