"""Writes to household files. Each service is atomic, takes the acting user,
and leaves its history row (django-simple-history) in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Length

from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.roles import can_edit_households, can_reveal_id
from jiuzhu.accounts.scope import code_in_scope
from jiuzhu.accounts.services import access_log_write
from jiuzhu.core import idnumber
from jiuzhu.regions.models import Region

from . import choices as c
from .crypto import decrypt, encrypt, lookup_hash
from .hooks import household_changed
from .models import Household, Member


def _require_editor(actor) -> None:
    if not can_edit_households(actor):
        raise PermissionDenied("您的角色不能修改家庭档案")


def _require_scope(actor, household: Household) -> None:
    # The pages and the API already fetch through selectors; checking here too
    # keeps every other caller (imports, scripts) inside the actor's regions.
    if not code_in_scope(user=actor, code=household.village_id or ""):
        raise PermissionDenied("该家庭不在您的管辖范围内")


def household_number_next(*, village: Region) -> str:
    """Next household number in a village: the village code and a 4-digit sequence."""
    # Longest first: past 9999 the sequence has 5 digits and "…10000" < "…9999" as text.
    last = (
        Household.objects.filter(number__startswith=village.code)
        .annotate(width=Length("number"))
        .order_by("-width", "-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(village.code) :]) + 1 if last else 1
    return f"{village.code}{seq:04d}"


def _apply_id(member: Member, number: str) -> None:
    parsed = idnumber.parse(number)
    member.id_cipher = encrypt(parsed.number)
    member.id_hash = lookup_hash(parsed.number)
    member.id_masked = parsed.masked
    member.sex = parsed.sex
    member.birth_date = parsed.birth_date


def _refresh_summary(household: Household) -> None:
    # Derived columns: updated without a history row of their own.
    head = household.members.filter(relation=c.Relation.HEAD).values_list("name", flat=True).first()
    Household.objects.filter(pk=household.pk).update(
        head_name=head or "", member_count=household.members.count()
    )
    household.head_name, household.member_count = head or "", household.members.count()


def _after_change(household: Household, actor) -> None:
    # Registered callables (the re-assessment) run in this same transaction.
    household_changed.run(household=household, actor=actor)


def _head_id(household: Household) -> int | None:
    # Read from the database: a validated form has already changed the instance.
    return household.members.filter(relation=c.Relation.HEAD).values_list("pk", flat=True).first()


def _set(obj, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


@transaction.atomic
def household_create(*, actor, fields: dict[str, Any], members: list[dict[str, Any]]) -> Household:
    """Create a household file with its members."""
    _require_editor(actor)
    village = Region.objects.select_for_update().get(pk=fields["village"].pk)
    household = Household(created_by=actor, number=household_number_next(village=village))
    _set(household, fields)
    _require_scope(actor, household)
    household._history_user = actor
    household._change_reason = "新建档案"
    household.save()
    for member_fields in members:
        _member_save(actor=actor, household=household, member=Member(), fields=member_fields)
    _refresh_summary(household)
    _after_change(household, actor)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, fields: dict[str, Any]) -> Household:
    """Change household-level information."""
    _household_fields_save(actor=actor, household=household, fields=fields)
    _after_change(household, actor)
    return household


def _household_fields_save(*, actor, household: Household, fields: dict[str, Any]) -> None:
    _require_editor(actor)
    _require_scope(actor, household)
    _set(household, fields)
    _require_scope(actor, household)
    household._history_user = actor
    household.save()


def _member_save(*, actor, household: Household, member: Member, fields: dict[str, Any]) -> Member:
    fields = dict(fields)
    number = fields.pop("id_number", "") or ""
    _set(member, fields)
    member.household = household
    if number:
        _apply_id(member, number)
    member._history_user = actor
    member.save()
    return member


@transaction.atomic
def member_add(*, actor, household: Household, fields: dict[str, Any]) -> Member:
    """Add a member to a household."""
    _require_editor(actor)
    _require_scope(actor, household)
    member = _member_save(actor=actor, household=household, member=Member(), fields=fields)
    _refresh_summary(household)
    _after_change(household, actor)
    return member


@transaction.atomic
def member_update(*, actor, member: Member, fields: dict[str, Any]) -> Member:
    """Change a member; an empty id_number keeps the stored one."""
    _require_editor(actor)
    _require_scope(actor, member.household)
    member = _member_save(actor=actor, household=member.household, member=member, fields=fields)
    _refresh_summary(member.household)
    _after_change(member.household, actor)
    return member


@transaction.atomic
def member_remove(*, actor, member: Member) -> None:
    """Remove a member (moved out, deceased); the history keeps the record."""
    _require_editor(actor)
    _require_scope(actor, member.household)
    household = member.household
    if member.pk == _head_id(household):
        raise PermissionDenied("不能删除户主,请先变更户主")
    member._history_user = actor
    member.delete()
    _refresh_summary(household)
    _after_change(household, actor)


@transaction.atomic
def id_number_reveal(*, actor, member: Member) -> str:
    """Return the full ID number to a role that needs it, and log the reveal."""
    if not can_reveal_id(actor):
        raise PermissionDenied("您的角色无权查看完整身份证号")
    _require_scope(actor, member.household)
    access_log_write(
        user=actor,
        action=AccessAction.REVEAL_ID,
        object_type="member",
        object_id=str(member.pk),
        detail=f"{member.household.number} {member.name}",
    )
    return decrypt(member.id_cipher)


@transaction.atomic
def household_visit_save(
    *,
    actor,
    household: Household | None,
    fields: dict[str, Any],
    members_new: list[dict[str, Any]],
    members_changed: list[tuple[Member, dict[str, Any]]] = (),
    members_removed: list[Member] = (),
) -> Household:
    """Save one home-visit form: the household and all its member changes at once."""
    if household is None:
        return household_create(actor=actor, fields=fields, members=members_new)
    _household_fields_save(actor=actor, household=household, fields=fields)
    # At most one head may exist at any moment (database constraint), so a
    # change of head saves the outgoing head first and the incoming one last.
    becomes_head, stays_other = [], []
    for member, member_fields in members_changed:
        is_head = member_fields.get("relation", member.relation) == c.Relation.HEAD
        (becomes_head if is_head else stays_other).append((member, member_fields))
    head_id = _head_id(household)
    new_head = any(m.pk != head_id for m, _ in becomes_head) or any(
        f.get("relation") == c.Relation.HEAD for f in members_new
    )
    for member, member_fields in stays_other:
        _member_save(actor=actor, household=household, member=member, fields=member_fields)
    for member in members_removed:
        if member.pk == head_id and not new_head:
            raise PermissionDenied("不能删除户主,请先变更户主")
        # When the visit names a new head in the same save, removing the old one is fine.
        member._history_user = actor
        member.delete()
    for member, member_fields in becomes_head:
        _member_save(actor=actor, household=household, member=member, fields=member_fields)
    for member_fields in members_new:
        _member_save(actor=actor, household=household, member=Member(), fields=member_fields)
    _refresh_summary(household)
    _after_change(household, actor)
    return household
