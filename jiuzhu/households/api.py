"""Household API. Field codes are those of choices.py; amounts are yuan per year.

Validation runs through the same forms as the home-visit page, so every 422
names the field in Chinese, and nothing is saved when any field is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from jiuzhu.accounts.api import BearerAuth
from jiuzhu.accounts.roles import can_edit_households
from jiuzhu.accounts.scope import village_choices
from jiuzhu.api_schema import MAX_PAGE, MAX_PAGE_SIZE, responses

from . import choices as c
from . import selectors, services
from .duplicates import DuplicateIdGuard
from .forms import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    HouseholdForm,
    MemberForm,
    errors_as_text,
    members_cross_check,
)
from .models import Household, Member

router = Router(tags=["家庭档案"], auth=BearerAuth())


class FieldError(Exception):
    """422 carrying {field path: Chinese message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class MemberIn(Schema):
    relation: str
    name: str
    id_number: str
    phone: str = ""
    occupation: str = c.Occupation.FARMER
    labour_ability: str = c.LabourAbility.FULL
    skill: str = c.Skill.NONE
    wage_income: Decimal = Decimal(0)
    pension_income: Decimal = Decimal(0)
    health_status: str = c.HealthStatus.HEALTHY
    disease: str = c.Disease.NONE
    self_care: str = c.SelfCare.FULL
    dibao_status: str = c.DibaoStatus.NONE
    disability_type: str = c.DisabilityType.NONE
    disability_grade: int = 0
    disability_subsidy: str = c.DisabilitySubsidy.NONE
    school_stage: str = c.SchoolStage.NOT_IN_SCHOOL
    education_expense: Decimal = Decimal(0)
    veteran: bool = False


class MemberPatch(Schema):
    id: int | None = None
    relation: str | None = None
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    occupation: str | None = None
    labour_ability: str | None = None
    skill: str | None = None
    wage_income: Decimal | None = None
    pension_income: Decimal | None = None
    health_status: str | None = None
    disease: str | None = None
    self_care: str | None = None
    dibao_status: str | None = None
    disability_type: str | None = None
    disability_grade: int | None = None
    disability_subsidy: str | None = None
    school_stage: str | None = None
    education_expense: Decimal | None = None
    veteran: bool | None = None
    remove: bool = False


class HouseholdIn(Schema):
    village: str
    group: str | None = None
    address: str = ""
    phone: str = ""
    source: str = c.Source.SURVEY
    tag_tekun: bool = False
    tag_dibao: bool = False
    tag_dibao_edge: bool = False
    tag_orphan: bool = False
    tag_unsupported_child: bool = False
    tag_monitored: bool = False
    tag_rigid_expense: bool = False
    business_income: Decimal = Decimal(0)
    rental_income: Decimal = Decimal(0)
    support_income: Decimal = Decimal(0)
    subsidy_income: Decimal = Decimal(0)
    land_planted_mu: Decimal = Decimal(0)
    land_transferred_mu: Decimal = Decimal(0)
    land_transfer_income: Decimal = Decimal(0)
    livestock_sheds: int = 0
    livestock_kind: str = c.Livestock.NONE
    livestock_count: int = 0
    deposits: Decimal = Decimal(0)
    vehicles: int = 0
    serious_illness_expense: Decimal = Decimal(0)
    daily_medical_expense: Decimal = Decimal(0)
    housing_safety: str = c.HousingSafety.SAFE
    housing_tenure: str = c.HousingTenure.OWN
    rent_expense: Decimal = Decimal(0)
    assistance_received: list[str] = []
    special_circumstances: list[str] = []
    disaster_loss: Decimal = Decimal(0)
    special_note: str = ""
    surveyed_on: dt.date | None = None
    members: list[MemberIn]


class HouseholdPatch(Schema):
    village: str | None = None
    group: str | None = None
    address: str | None = None
    phone: str | None = None
    source: str | None = None
    tag_tekun: bool | None = None
    tag_dibao: bool | None = None
    tag_dibao_edge: bool | None = None
    tag_orphan: bool | None = None
    tag_unsupported_child: bool | None = None
    tag_monitored: bool | None = None
    tag_rigid_expense: bool | None = None
    business_income: Decimal | None = None
    rental_income: Decimal | None = None
    support_income: Decimal | None = None
    subsidy_income: Decimal | None = None
    land_planted_mu: Decimal | None = None
    land_transferred_mu: Decimal | None = None
    land_transfer_income: Decimal | None = None
    livestock_sheds: int | None = None
    livestock_kind: str | None = None
    livestock_count: int | None = None
    deposits: Decimal | None = None
    vehicles: int | None = None
    serious_illness_expense: Decimal | None = None
    daily_medical_expense: Decimal | None = None
    housing_safety: str | None = None
    housing_tenure: str | None = None
    rent_expense: Decimal | None = None
    assistance_received: list[str] | None = None
    special_circumstances: list[str] | None = None
    disaster_loss: Decimal | None = None
    special_note: str | None = None
    surveyed_on: dt.date | None = None
    members: list[MemberPatch] | None = None


class MemberOut(Schema):
    id: int
    relation: str
    name: str
    id_number_masked: str
    sex: str
    birth_date: dt.date
    age: int
    phone: str
    occupation: str
    labour_ability: str
    skill: str
    wage_income: Decimal
    pension_income: Decimal
    health_status: str
    disease: str
    self_care: str
    dibao_status: str
    disability_type: str
    disability_grade: int
    disability_subsidy: str
    school_stage: str
    education_expense: Decimal
    veteran: bool


class HouseholdOut(Schema):
    id: int
    number: str
    village: str
    village_name: str
    group: str | None
    head_name: str
    member_count: int
    tags: list[str]
    address: str
    phone: str
    source: str
    tag_tekun: bool
    tag_dibao: bool
    tag_dibao_edge: bool
    tag_orphan: bool
    tag_unsupported_child: bool
    tag_monitored: bool
    tag_rigid_expense: bool
    business_income: Decimal
    rental_income: Decimal
    support_income: Decimal
    subsidy_income: Decimal
    land_planted_mu: Decimal
    land_transferred_mu: Decimal
    land_transfer_income: Decimal
    livestock_sheds: int
    livestock_kind: str
    livestock_count: int
    deposits: Decimal
    vehicles: int
    serious_illness_expense: Decimal
    daily_medical_expense: Decimal
    housing_safety: str
    housing_tenure: str
    rent_expense: Decimal
    assistance_received: list[str]
    special_circumstances: list[str]
    disaster_loss: Decimal
    special_note: str
    surveyed_on: dt.date | None
    updated_at: dt.datetime


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]


class HouseholdSummaryOut(Schema):
    id: int
    number: str
    village: str
    village_name: str
    head_name: str
    member_count: int
    tags: list[str]


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HouseholdSummaryOut]


def _member_out(m: Member) -> dict:
    data = {name: getattr(m, name) for name in MEMBER_FIELDS}
    data.update(
        id=m.pk, id_number_masked=m.id_masked, sex=m.sex, birth_date=m.birth_date, age=m.age
    )
    return data


def _household_out(h: Household, *, with_members: bool) -> dict:
    data = {name: getattr(h, name) for name in HOUSEHOLD_FIELDS if name not in ("village", "group")}
    data.update(
        id=h.pk,
        number=h.number,
        village=h.village_id,
        village_name=h.village.name,
        group=h.group_id,
        head_name=h.head_name,
        member_count=h.member_count,
        tags=h.tags,
        updated_at=h.updated_at,
    )
    if with_members:
        data["members"] = [_member_out(m) for m in h.members.all()]
    return data


def _validate_household(data: dict, *, user, instance: Household | None) -> dict:
    form = HouseholdForm(
        data=data, instance=instance, village_choices=village_choices(user=user)
    )
    if not form.is_valid():
        raise FieldError(errors_as_text(form))
    return form.cleaned_data


def _validate_member(
    data: dict, *, index: int, guard: DuplicateIdGuard, instance: Member | None = None
) -> dict:
    form = MemberForm(data=data, instance=instance or Member(), id_guard=guard)
    if not form.is_valid():
        raise FieldError(
            {
                f"members[{index}].{k}": f"第{index + 1}名成员 {v}"
                for k, v in errors_as_text(form).items()
            }
        )
    cleaned = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
    cleaned["id_number"] = form.cleaned_data.get("id_number", "")
    return cleaned


def _require_edit(user) -> None:
    if not can_edit_households(user):
        raise HttpError(403, "您的角色不能修改家庭档案")


def _get(user, household_id) -> Household:
    return selectors.access_household_by_id(user=user, household_id=household_id)


@router.get("", response=responses(HouseholdPage, 401, 422), summary="家庭档案列表(仅限授权区划)")
def household_list(
    request,
    q: str = "",
    region: str = "",
    tag: str = "",
    page: int = Query(1, ge=1, le=MAX_PAGE, description="页码,从 1 开始"),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数,1–{MAX_PAGE_SIZE}"),
):
    qs = selectors.household_list(user=request.user, q=q, region=region, tag=tag)
    start = (page - 1) * page_size
    items = [
        {
            "id": h.pk,
            "number": h.number,
            "village": h.village_id,
            "village_name": h.village.name,
            "head_name": h.head_name,
            "member_count": h.member_count,
            "tags": h.tags,
        }
        for h in qs[start : start + page_size]
    ]
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": items}


@router.post(
    "",
    response=responses(HouseholdDetailOut, 401, 403, 422, ok_status=201),
    summary="新建家庭档案(含家庭成员)",
)
def household_create(request, payload: HouseholdIn):
    _require_edit(request.user)
    data = payload.dict()
    members_in = data.pop("members")
    fields = _validate_household(data, user=request.user, instance=None)
    guard = DuplicateIdGuard(actor=request.user, channel="接口")
    members = [_validate_member(m, index=i, guard=guard) for i, m in enumerate(members_in)]
    problems = members_cross_check(members)
    if problems:
        raise FieldError({"members": ";".join(problems)})
    household = services.household_create(actor=request.user, fields=fields, members=members)
    return Status(201, _household_out(_get(request.user, household.pk), with_members=True))


@router.get(
    "/{household_id}",
    response=responses(HouseholdDetailOut, 401, 404, 422),
    summary="查看一户家庭档案",
)
def household_detail(request, household_id: int):
    return _household_out(_get(request.user, household_id), with_members=True)


@router.patch(
    "/{household_id}",
    response=responses(HouseholdDetailOut, 401, 403, 404, 422),
    summary="修改家庭档案(只改传入的字段)",
)
def household_patch(request, household_id: int, payload: HouseholdPatch):
    _require_edit(request.user)
    household = _get(request.user, household_id)
    patch = payload.dict(exclude_unset=True)
    member_ops = patch.pop("members", None) or []
    current = model_to_dict(household, fields=HOUSEHOLD_FIELDS)
    fields = _validate_household({**current, **patch}, user=request.user, instance=household)
    existing = {m.pk: m for m in household.members.all()}
    guard = DuplicateIdGuard(actor=request.user, channel="接口")
    new, changed, removed = [], [], []
    for i, op in enumerate(member_ops):
        member_id = op.pop("id", None)
        if member_id is not None and member_id not in existing:
            raise FieldError({f"members[{i}].id": f"第{i + 1}名成员:成员编号{member_id}不属于本户"})
        if op.pop("remove", False):
            if member_id is None:
                raise FieldError(
                    {f"members[{i}].id": f"第{i + 1}名成员:删除成员时必须给出成员编号"}
                )
            removed.append(existing[member_id])
            continue
        if member_id is None:
            new.append(_validate_member(op, index=i, guard=guard))
        else:
            member = existing[member_id]
            base = model_to_dict(member, fields=MEMBER_FIELDS)
            changed.append(
                (member, _validate_member({**base, **op}, index=i, guard=guard, instance=member))
            )
    removed_ids = {m.pk for m in removed}
    changed_ids = {m.pk for m, _ in changed}
    after = (
        [d for m, d in changed]
        + new
        + [
            {**model_to_dict(m, fields=MEMBER_FIELDS), "id_number": ""}
            for pk, m in existing.items()
            if pk not in removed_ids and pk not in changed_ids
        ]
    )
    problems = members_cross_check(after)
    if problems:
        raise FieldError({"members": ";".join(problems)})
    try:
        with transaction.atomic():
            services.household_visit_save(
                actor=request.user,
                household=household,
                fields=fields,
                members_new=new,
                members_changed=changed,
                members_removed=removed,
            )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return _household_out(_get(request.user, household_id), with_members=True)
