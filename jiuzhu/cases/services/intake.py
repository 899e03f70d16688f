"""Intake (受理): the one way a case is made, and its three doors — a window, the
public page, a hotline call (hotline.ticket_open_case)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.accounts import roles
from jiuzhu.accounts.roles import role_of
from jiuzhu.households.models import Household
from jiuzhu.regions.models import Level, Region
from jiuzhu.validators import text_error

from .. import workflow as wf
from ..codes import public_county
from ..models import (
    PUBLIC_CHANNELS,
    STAFF_CHANNELS,
    Case,
    CaseEvent,
    Channel,
    Proxy,
)
from .common import (
    PHONE,
    case_event,
    case_save,
    clean_note,
    next_number,
    open_case_of,
    receipt_code_new,
    refuse_duplicate,
    require_scope,
)

DUPLICATE_DAYS = 30  # a public report repeating an open case this recent is merged into it
PHONE_DAILY_LIMIT = 3  # public reports per phone number in 24 hours
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 500


@transaction.atomic
def case_create(
    *,
    actor,
    channel: str,
    reason: str,
    household: Household | None = None,
    village_code: str = "",
    proxy: str = "",
    note: str = "",
    applicant_name: str = "",
    applicant_phone: str = "",
    applicant_address: str = "",
    description: str = "",
    duplicate_of: Case | None = None,
) -> Case:
    """Bring a case into being: its number, its receipt code, its history row and its
    first timeline row (受理, or 群众申报 when the public reports it; actor None).

    The one way a case is made — a window (case_open), the public page
    (case_report_public), a hotline call (ticket_open_case); each checks its own
    input first. A household gets no second open case: refused here, and by the
    database constraint when two windows open one at the same moment. A case with
    `duplicate_of` is a repeated public report, kept merged into that case.
    """
    if household is not None:
        # Lock the household: two windows opening a case for it queue here.
        household = Household.objects.select_for_update().get(pk=household.pk)
        existing = open_case_of(household.pk)
        if existing is not None:
            refuse_duplicate(existing)
        village_code = household.village_id
    staff = bool(role_of(actor))
    case = Case(
        number=next_number(Case, "AJ", village_code),
        receipt_code=receipt_code_new(),
        household=household,
        village_id=village_code,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_address=applicant_address,
        description=description,
        channel=channel,
        proxy=proxy,
        note=note,
        status=wf.Status.MERGED if duplicate_of is not None else wf.Status.RECEIVED,
        duplicate_of=duplicate_of,
        created_by=actor if staff else None,
    )
    try:
        with transaction.atomic():
            case_save(case, actor=actor, reason=reason)
    except IntegrityError:
        existing = open_case_of(household.pk) if household is not None else None
        if existing is None:
            raise
        refuse_duplicate(existing)
    case_event(case, action="open" if staff else "report", from_status="", actor=actor, note=note,
           at=case.created_at)  # fmt: skip
    return case


@transaction.atomic
def case_open(
    *,
    actor,
    household: Household,
    channel: str = Channel.WINDOW,
    proxy: str = Proxy.IN_PERSON,
    note: str = "",
) -> Case:
    """Open a case for a household at a window, in the village, or from the hotline."""
    if role_of(actor) not in roles.CASE_OPENERS:
        raise PermissionDenied("您的角色不能受理个案")
    require_scope(actor, household.village_id, "该家庭")
    if channel not in STAFF_CHANNELS:
        raise ValidationError({"channel": "受理渠道:请选择窗口受理、村级代办、热线或主动发现"})
    if channel in (Channel.WINDOW, Channel.VILLAGE):
        if proxy not in Proxy.values:
            raise ValidationError({"proxy": "办理方式:请选择本人申请、代办或陪办"})
    else:
        proxy = ""
    note = clean_note(note, label="受理说明")
    return case_create(
        actor=actor, household=household, channel=channel, proxy=proxy, note=note, reason="受理"
    )


def _public_errors(*, name: str, phone: str, village_code: str, description: str,
                   address: str) -> tuple[dict[str, str], Region | None]:  # fmt: skip
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "姓名:请填写"
    elif len(name) > 32:
        errors["name"] = "姓名:不能超过32个字"
    elif problem := text_error(name, label="姓名", name=True):
        errors["name"] = problem
    if not phone:
        errors["phone"] = "联系电话:请填写"
    elif not PHONE.match(phone):
        errors["phone"] = "联系电话:请填写11位手机号或带区号的固定电话"
    village = None
    if not village_code:
        errors["village"] = "所在村(社区):请选择"
    else:
        prefix = public_county()[:6]
        village = Region.objects.filter(
            pk=village_code, level=Level.VILLAGE, code__startswith=prefix
        ).first()
        if village is None:
            errors["village"] = "所在村(社区):请从列表中选择本县的村(社区)"
    if len(address) > 128:
        errors["address"] = "住址:不能超过128个字"
    elif problem := text_error(address, label="住址", multiline=False):
        errors["address"] = problem
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = f"困难情况:请至少写{DESCRIPTION_MIN}个字,说明遇到了什么困难"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"困难情况:不能超过{DESCRIPTION_MAX}字"
    elif problem := text_error(description, label="困难情况"):
        errors["description"] = problem
    return errors, village


def _recent_report_match(*, name: str, phone: str, village: Region) -> Case | None:
    """An open, recent case the report repeats: same phone, or same name in the same village."""
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    same_person = (
        Q(applicant_phone=phone)
        | Q(household__phone=phone)
        | Q(village=village, applicant_name=name)
        | Q(village=village, household__head_name=name)
        | Q(village=village, household__members__name=name)
    )
    return (
        Case.objects.open()
        .filter(duplicate_of__isnull=True, created_at__gte=since)
        .filter(same_person)
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def case_report_public(
    *,
    name: str,
    phone: str,
    village_code: str,
    description: str,
    about_self: bool,
    address: str = "",
) -> Case:
    """Register a report from the public page (no login); return it with its receipt code.

    A report that repeats a recent open case is kept, merged into that case, and
    its receipt code shows the original's progress.
    """
    name, phone, address = (name or "").strip(), (phone or "").strip(), (address or "").strip()
    description = (description or "").strip()
    errors, village = _public_errors(
        name=name, phone=phone, village_code=village_code, description=description,
        address=address,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    # Lock the village: two reports of the same family at once are compared in turn.
    village = Region.objects.select_for_update().get(pk=village.pk)
    day_ago = timezone.now() - timedelta(hours=24)
    if (
        Case.objects.filter(applicant_phone=phone, created_by__isnull=True, created_at__gte=day_ago)
        .filter(channel__in=PUBLIC_CHANNELS)
        .count()
        >= PHONE_DAILY_LIMIT
    ):
        raise ValidationError(
            {"phone": "联系电话:该号码24小时内已提交多次,请勿重复提交;情况紧急请拨打社会救助热线"}
        )
    original = _recent_report_match(name=name, phone=phone, village=village)
    case = case_create(
        actor=None, village_code=village.code, applicant_name=name, applicant_phone=phone,
        applicant_address=address, description=description,
        channel=Channel.SELF if about_self else Channel.REPORT, duplicate_of=original,
        reason="群众申报",
    )  # fmt: skip
    if original is not None:
        CaseEvent.objects.create(
            case=original,
            action="merge",
            from_status=original.status,
            to_status=original.status,
            note=f"群众再次申报({case.get_channel_display()},{case.number}),已并入本案",
        )
    return case
