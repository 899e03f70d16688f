"""factory_boy factories, one for every model of the project: synthetic data only.

What the platform creates through a service is built through that service here
too, so the row, its history and its audit trail are what a clerk would leave:
households and members, assessments, model versions, standards, policies, hotline
tickets, case conferences, joint reviews and their agenda items. Workflow records
come two ways:

- `CaseFactory` and `ReferralFactory` make a row standing at a status, as if it had
  got there (no timeline): for tests of one move from a given status;
- `case_at(status, ...)` opens a case through `case_open` and walks the real
  transitions (plan, measures, submission, county review, publicity...) to the
  status asked for, with a timeline as the platform writes it.

tests/test_factories.py fails when a model of the project has no factory here.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from datetime import timedelta

import factory
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.models import AccessAction, AccessLog, ApiToken, RegionGrant, Role, User
from jiuzhu.accounts.services import access_log_write
from jiuzhu.assessment import services as assessment_services
from jiuzhu.assessment.models import (
    Assessment,
    EconomicStandard,
    ElderlyAssessment,
    LatestAssessment,
    ModelVersion,
)
from jiuzhu.cases import services as case_services
from jiuzhu.cases import workflow as case_wf
from jiuzhu.cases.models import Case, CaseEvent, Channel, HotlineEvent, HotlineTicket, TicketKind
from jiuzhu.core.idnumber import check_char
from jiuzhu.engine.elderly import ITEMS
from jiuzhu.engine.model import DEFAULT_MODEL
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households import choices as c
from jiuzhu.households import services
from jiuzhu.households.models import Household, ImportedHousehold, Member
from jiuzhu.jobs.models import Job
from jiuzhu.jobs.services import job_start
from jiuzhu.policies import services as policy_services
from jiuzhu.policies.models import Department, DepartmentKind, Measure, Policy
from jiuzhu.referrals import services as referral_services
from jiuzhu.referrals import workflow as referral_wf
from jiuzhu.referrals.models import Conference, Referral, ReferralEvent
from jiuzhu.regions import luquan
from jiuzhu.regions.models import Level, Region, level_of
from jiuzhu.reviews import services as review_services
from jiuzhu.reviews.models import ReviewItem, ReviewMeeting

PASSWORD = "Test-pass-2024"  # every factory-made user's password

_rng = random.Random(11643)
_used: set[str] = set()


def make_id_number(
    *, birth: dt.date | None = None, sex: str | None = None, address: str = "530128"
) -> str:
    """A fresh valid 18-digit number that no other test has used."""
    while True:
        b = birth or dt.date(1950, 1, 1) + dt.timedelta(days=_rng.randrange(0, 365 * 65))
        seq = _rng.randrange(0, 999)
        if sex == "M" and seq % 2 == 0 or sex == "F" and seq % 2 == 1:
            seq = (seq + 1) % 1000
        first17 = f"{address}{b:%Y%m%d}{seq:03d}"
        number = first17 + check_char(first17)
        if number not in _used:
            _used.add(number)
            return number


# --- regions ------------------------------------------------------------------------------


def _code(region) -> str:
    """A region code from a Region or a code."""
    return region.code if isinstance(region, Region) else str(region)


def township_of(region) -> str:
    """The township code above a village (or group) code."""
    return _code(region)[:9] + "000"


def county_of(region) -> str:
    """The county code above any code of the county."""
    return _code(region)[:6] + "000000"


def parent_code(code: str) -> str | None:
    """The code of the division directly above `code` (None above a province)."""
    level = level_of(code)
    if level == Level.GROUP:
        return code[:12]
    return {
        Level.VILLAGE: code[:9] + "000",
        Level.TOWNSHIP: code[:6] + "000000",
        Level.COUNTY: code[:4] + "0" * 8,
        Level.CITY: code[:2] + "0" * 10,
    }.get(level)


_LEVEL_WORDS = {Level.PROVINCE: "省", Level.CITY: "市", Level.COUNTY: "县", Level.TOWNSHIP: "镇",
                Level.VILLAGE: "村", Level.GROUP: "组"}  # fmt: skip


class RegionFactory(factory.django.DjangoModelFactory):
    """A division and, found or made, every division above it.

    By default a new village of a synthetic county (code 990101…, outside the demo
    county); give `code` for a particular one (found if it exists).
    """

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"990101{100 + n // 800:03d}{200 + n % 800:03d}")
    level = factory.LazyAttribute(lambda o: level_of(o.code))
    name = factory.LazyAttribute(lambda o: f"测试{_LEVEL_WORDS[o.level]}{o.code.rstrip('0')}")
    parent = factory.LazyAttribute(
        lambda o: RegionFactory(code=parent_code(o.code)) if parent_code(o.code) else None
    )

    _counties = iter(range(1, 10_000))

    @classmethod
    def county(cls, **kwargs) -> Region:
        """A county of its own (nobody else's households, standard or meetings)."""
        n = next(cls._counties)
        return cls(code=f"99{2 + n // 99:02d}{1 + n % 99:02d}000000", **kwargs)


NEIGHBOUR_COUNTY = "530129000000"  # no test user is granted it unless a test says so


def neighbour_village() -> Region:
    """A village of the neighbouring county (synthetic subtree), with its township and county."""
    RegionFactory(code=NEIGHBOUR_COUNTY, name="寻甸回族彝族自治县")
    RegionFactory(code="530129100000", name="测试镇")
    return RegionFactory(code="530129100200", name="测试外县村")


# --- accounts ----------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a role and region grants (`regions=[code, ...]`); password PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.COUNTY_STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        self.save()
        for code in extracted or []:
            RegionGrant.objects.create(user=self, region_id=_code(code))

    @classmethod
    def village_worker(cls, village, **kwargs) -> User:
        """村(居)信息员 of one village."""
        return cls(role=Role.VILLAGE_WORKER, regions=[_code(village)], **kwargs)

    @classmethod
    def township_staff(cls, village, **kwargs) -> User:
        """乡镇民政办 of the township a village (or township) code belongs to."""
        return cls(role=Role.TOWNSHIP_STAFF, regions=[township_of(village)], **kwargs)

    @classmethod
    def county_staff(cls, county=luquan.COUNTY, **kwargs) -> User:
        """县民政局 of the county a code belongs to (the demo county by default)."""
        return cls(role=Role.COUNTY_STAFF, regions=[county_of(county)], **kwargs)

    @classmethod
    def department_officer(cls, department="yibao", **kwargs) -> User:
        """部门经办员 of one department (a code)."""
        code = department.pk if isinstance(department, Department) else department
        return cls(role=Role.DEPARTMENT_OFFICER, department=code, **kwargs)

    @classmethod
    def social_organisation(cls, organisation="shegong", **kwargs) -> User:
        """社会组织: the account of one social organisation (a code, made if missing)."""
        code = organisation.pk if isinstance(organisation, Department) else organisation
        DepartmentFactory(code=code, kind=SOCIAL_ORGANISATIONS.get(code, DepartmentKind.SOCIAL_WORK))
        return cls(role=Role.SERVICE_ORG, department=code, **kwargs)


class RegionGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionGrant

    user = factory.SubFactory(UserFactory, role=Role.VILLAGE_WORKER)
    region = factory.SubFactory(RegionFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A bearer token issued as the API issues it; the raw token is on `.raw`."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, user, **fields):
        token, raw = ApiToken.issue(user=user)
        if fields:
            ApiToken.objects.filter(pk=token.pk).update(**fields)
            token.refresh_from_db()
        token.raw = raw
        return token


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    user = factory.SubFactory(UserFactory)
    action = AccessAction.EXPORT
    object_type = "household"
    object_id = factory.Sequence(str)
    detail = "测试导出"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the one writer of the access log, as the pages do.
        return access_log_write(**kwargs)


# --- households --------------------------------------------------------------------------


def member_data(**overrides) -> dict:
    data = {
        "relation": c.Relation.HEAD,
        "name": "测试" + "甲乙丙丁戊己庚辛"[_rng.randrange(8)] + "某",
        "id_number": make_id_number(),
        "phone": "",
        "occupation": c.Occupation.FARMER,
        "labour_ability": c.LabourAbility.FULL,
        "skill": c.Skill.NONE,
        "wage_income": 6000,
        "pension_income": 0,
        "health_status": c.HealthStatus.HEALTHY,
        "disease": c.Disease.NONE,
        "self_care": c.SelfCare.FULL,
        "dibao_status": c.DibaoStatus.NONE,
        "disability_type": c.DisabilityType.NONE,
        "disability_grade": 0,
        "disability_subsidy": c.DisabilitySubsidy.NONE,
        "school_stage": c.SchoolStage.NOT_IN_SCHOOL,
        "education_expense": 0,
        "veteran": False,
    }
    data.update(overrides)
    return data


def household_fields(*, village: str, **overrides) -> dict:
    fields = {"village": Region.objects.get(pk=village), "address": "测试地址1号"}
    fields.update(overrides)
    return fields


@transaction.atomic
def make_household(*, village: str, actor=None, members: list[dict] | None = None, **overrides):
    """Create a household through the real service, as a clerk would."""
    actor = actor or UserFactory(role=Role.COUNTY_STAFF, regions=[village])
    members = members or [member_data(), member_data(relation=c.Relation.SPOUSE)]
    return services.household_create(
        actor=actor, fields=household_fields(village=village, **overrides), members=members
    )


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household made by `household_create` (make_household): a head and a spouse by default.

    `village` is a Region or a code (a new synthetic village by default); `members` a list
    of member_data() dicts; any other keyword is a household field.
    """

    class Meta:
        model = Household

    village = factory.LazyFunction(lambda: RegionFactory().code)

    @classmethod
    def _create(cls, model_class, *args, village, actor=None, members=None, **fields):
        return make_household(village=_code(village), actor=actor, members=members, **fields)


class MemberFactory(factory.django.DjangoModelFactory):
    """A member added to a household by `member_add` (a child by default)."""

    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    relation = c.Relation.CHILD

    @classmethod
    def _create(cls, model_class, *args, household, actor=None, **fields):
        actor = actor or UserFactory(role=Role.COUNTY_STAFF, regions=[household.village_id])
        return services.member_add(actor=actor, household=household, fields=member_data(**fields))


class ImportedHouseholdFactory(factory.django.DjangoModelFactory):
    """The record of a household an import wrote (upload token, 户序号)."""

    class Meta:
        model = ImportedHousehold

    token = factory.Sequence(lambda n: f"testtoken{n:024d}")
    key = factory.Sequence(str)
    household = factory.SubFactory(HouseholdFactory)


# --- jobs --------------------------------------------------------------------------------


class JobFactory(factory.django.DjangoModelFactory):
    """A queued job made by `job_start` (not enqueued: the test runs it with job_run)."""

    class Meta:
        model = Job

    kind = "push"
    key = factory.Sequence(lambda n: f"test:{n}")
    actor = factory.SubFactory(UserFactory)
    region = ""
    params = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        job, _ = job_start(enqueue=False, **kwargs)
        return job


# --- assessment --------------------------------------------------------------------------


def elderly_items(total: int) -> dict[str, int]:
    """The 26 item scores of GB/T 42195 adding up to `total` (filled from the first item on)."""
    scores = {}
    left = total
    for code, item in ITEMS.items():
        scores[code] = min(item.max_score, left)
        left -= scores[code]
    assert left == 0, f"no item scores add up to {total}"
    return scores


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A draft of the 9-factor model saved by `model_version_create` (the default parameters
    unless `data` says otherwise); `activate=True` puts it in force."""

    class Meta:
        model = ModelVersion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试模型{n}")
    data = factory.LazyFunction(lambda: copy.deepcopy(DEFAULT_MODEL))
    note = "测试草稿"
    created_by = factory.SubFactory(UserFactory, role=Role.COUNTY_STAFF)

    @classmethod
    def _create(cls, model_class, *args, created_by, **fields):
        assessment_services.active_model_version()  # v1 exists before anyone drafts v2
        return assessment_services.model_version_create(actor=created_by, **fields)

    @factory.post_generation
    def activate(self, create, extracted, **kwargs):
        if create and extracted:
            assessment_services.model_version_activate(actor=self.created_by, version=self)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment stored by `assessment_run` (which makes it the household's latest)."""

    class Meta:
        model = Assessment

    household = factory.SubFactory(HouseholdFactory)
    assessed_by = None
    trigger = "manual"

    @classmethod
    def _create(cls, model_class, *args, household, assessed_by, trigger):
        return assessment_services.assessment_run(
            actor=assessed_by, household=household, trigger=trigger
        )


class LatestAssessmentFactory(AssessmentFactory):
    """The pointer to a household's latest assessment, after a fresh `assessment_run`."""

    class Meta:
        model = LatestAssessment

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(Assessment, *args, **kwargs)
        return LatestAssessment.objects.get(household_id=row.household_id)


class EconomicStandardFactory(factory.django.DjangoModelFactory):
    """A county's 低保 standard saved by `economic_standard_save` (a county of its own by
    default); keywords are the standard's fields."""

    class Meta:
        model = EconomicStandard

    county = factory.LazyFunction(RegionFactory.county)
    actor = factory.SubFactory(UserFactory, role=Role.COUNTY_STAFF)

    @classmethod
    def _create(cls, model_class, *args, county, actor, **fields):
        county = county if isinstance(county, Region) else Region.objects.get(pk=county)
        return assessment_services.economic_standard_save(actor=actor, county=county,
                                                          fields=fields)  # fmt: skip


class ElderlyAssessmentFactory(factory.django.DjangoModelFactory):
    """An elder's ability graded by `elderly_assessment_record` (which re-assesses the household)."""

    class Meta:
        model = ElderlyAssessment

    member = factory.SubFactory(
        MemberFactory, relation=c.Relation.PARENT, wage_income=0,
        id_number=factory.LazyFunction(lambda: make_id_number(birth=dt.date(1940, 3, 1))),
    )  # fmt: skip
    items = factory.LazyFunction(lambda: elderly_items(50))
    assessed_by = factory.SubFactory(UserFactory, role=Role.COUNTY_STAFF)

    @classmethod
    def _create(cls, model_class, *args, member, assessed_by, items, **flags):
        return assessment_services.elderly_assessment_record(
            actor=assessed_by, member=member, items=items, **flags
        )


# --- policies ----------------------------------------------------------------------------

# Names of the departments tests use most (a code not listed here gets a made-up name).
DEPARTMENT_NAMES = {
    "minzheng": ("县民政局", "民政"),
    "yibao": ("县医保局", "医保"),
    "jiaoyu": ("县教育局", "教育"),
    "zhujian": ("县住建局", "住建"),
    "canlian": ("县残联", "残联"),
    "shegong": ("县社会工作服务中心", "社工中心"),
}
# Social organisations among them (a social-work agency: referrals go to it as to a
# department, and its accounts have the service_org role).
SOCIAL_ORGANISATIONS = {"shegong": DepartmentKind.SOCIAL_WORK}


def _department_name(code: str) -> tuple[str, str]:
    return DEPARTMENT_NAMES.get(code, (f"测试部门{code}", f"测试{code[-6:]}"))


class DepartmentFactory(factory.django.DjangoModelFactory):
    """A department by code, found if it exists (`DepartmentFactory(code="yibao")`)."""

    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-dept-{n}")
    name = factory.LazyAttribute(lambda o: _department_name(o.code)[0])
    short_name = factory.LazyAttribute(lambda o: _department_name(o.code)[1])
    kind = factory.LazyAttribute(
        lambda o: SOCIAL_ORGANISATIONS.get(o.code, DepartmentKind.GOVERNMENT)
    )


def _department(value) -> Department:
    return value if isinstance(value, Department) else DepartmentFactory(code=value)


# A condition every household meets (an empty "all" is refused by policy_check).
EVERY_HOUSEHOLD = {"field": "size", "op": "ge", "value": 1}


class PolicyFactory(factory.django.DjangoModelFactory):
    """A policy saved by `policy_save` (checked, versioned, in history); `department` is a
    Department or a code (made if missing)."""

    class Meta:
        model = Policy

    code = factory.Sequence(lambda n: f"test-policy-{n}")
    name = factory.LazyAttribute(lambda o: f"测试政策{o.code}")
    department = factory.SubFactory(DepartmentFactory)
    measure = Measure.MEDICAL
    needs = factory.LazyAttribute(lambda o: [o.measure] if o.measure in NEED_LABELS else [])
    condition = factory.LazyFunction(lambda: dict(EVERY_HOUSEHOLD))
    benefit = "测试帮扶内容"
    legal_basis = "测试依据"
    receipt_code = ""
    valid_from = dt.date(2024, 1, 1)
    actor = None

    @classmethod
    def _create(cls, model_class, *args, code, department, actor, **data):
        data["department"] = _department(department)
        return policy_services.policy_save(actor=actor, code=code, data=data)


# --- cases -------------------------------------------------------------------------------

# The plan of a case made by CaseFactory past planning: plan_policy(), which need not exist.
TEST_MEASURE = {"policy": "test-plan", "department": "minzheng", "note": ""}
_PLANNED = frozenset(case_wf.OPEN | case_wf.TERMINAL) - {
    case_wf.Status.RECEIVED, case_wf.Status.ASSESSING, case_wf.Status.MERGED,
}  # fmt: skip


def _household_village(o):
    if o.household is not None:
        return o.household.village
    return RegionFactory()


class CaseFactory(factory.django.DjangoModelFactory):
    """A case standing at `status` as if it had got there (made directly, no timeline).

    From planning on it has a plan (TEST_MEASURE); in publicity, its period is over
    unless `publicised_at` says otherwise. `household=None` with a `village` makes a
    report not yet linked to a household file. For a case that really went through
    the workflow, use case_at().
    """

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"AJTEST-{n:06d}")
    receipt_code = factory.Sequence(lambda n: f"TEST{n:06d}")
    household = factory.SubFactory(HouseholdFactory)
    village = factory.LazyAttribute(_household_village)
    channel = Channel.WINDOW
    status = case_wf.Status.RECEIVED
    measures = factory.LazyAttribute(lambda o: [dict(TEST_MEASURE)] if o.status in _PLANNED else [])
    publicised_at = factory.LazyAttribute(
        lambda o: timezone.now() - timedelta(days=30) if o.status == case_wf.Status.PUBLICISED
        else None
    )  # fmt: skip

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("village"), str):
            kwargs["village_id"] = kwargs.pop("village")
        return kwargs


# The path of a case through the workflow: each status, the action that reaches it
# and which role takes it there.
_WALK = [
    (case_wf.Status.ASSESSING, "start_assessment", "township"),
    (case_wf.Status.PLANNING, "plan", "township"),
    (case_wf.Status.SUBMITTED, "submit", "township"),
    (case_wf.Status.REVIEWING, "review", "county"),
    (case_wf.Status.APPROVED, "approve", "county"),
    (case_wf.Status.PUBLICISED, "publicise", "county"),
    (case_wf.Status.IMPLEMENTING, "implement", "county"),
    (case_wf.Status.FOLLOW_UP, "follow_up", "county"),
    (case_wf.Status.CLOSED, "close", "county"),
]
_NOTES = {"follow_up": "已回访,措施落实", "reject": "经入户核查,不符合条件"}


def plan_policy() -> Policy:
    """The policy case_at() puts in a plan when no other is given (民政's 测试低保)."""
    existing = Policy.objects.filter(code=TEST_MEASURE["policy"]).first()
    return existing or PolicyFactory(
        code=TEST_MEASURE["policy"], name="测试低保", department="minzheng", measure=Measure.BASIC_LIVING,
        needs=["basic_living"], benefit="按月发放",
    )  # fmt: skip


@transaction.atomic
def case_at(
    status: str,
    *,
    household: Household | None = None,
    village=None,
    actor=None,
    township=None,
    county=None,
    policies: list[Policy] | None = None,
) -> Case:
    """A case opened by `case_open` and walked through the real transitions to `status`.

    `actor` opens it (township staff by default); the township's steps are taken by
    `township`, the county's by `county` (made for the case's region when not given).
    From planning on, the plan holds `policies` (plan_policy() by default). A case in
    implementation or later has served its publicity period (moved back in time).
    `status="rejected"` is the township's refusal at intake.
    """
    if household is None:
        household = make_household(village=_code(village or RegionFactory()))
    village = household.village_id
    township = township or UserFactory.township_staff(village)
    county = county or UserFactory.county_staff(village)
    actor = actor or township
    case = case_services.case_open(actor=actor, household=household)
    if status == case_wf.Status.REJECTED:
        return case_services.case_transition(actor=township, case=case, action="reject",
                                             note=_NOTES["reject"])  # fmt: skip
    targets = [target for target, _, _ in _WALK]
    if status != case_wf.Status.RECEIVED and status not in targets:
        raise ValueError(f"case_at cannot walk to {status!r}")
    by = {"township": township, "county": county}
    for target, action, role in _WALK[: targets.index(status) + 1 if status in targets else 0]:
        if action == "implement":
            Case.objects.filter(pk=case.pk).update(
                publicised_at=case.publicised_at - timedelta(days=settings.PUBLICITY_DAYS)
            )
        case = case_services.case_transition(actor=by[role], case=case, action=action,
                                             note=_NOTES.get(action, ""))  # fmt: skip
        if target == case_wf.Status.PLANNING:
            chosen = policies if policies is not None else [plan_policy()]
            if chosen:
                case = case_services.case_measures_save(
                    actor=township, case=case, measures=[{"policy": p.code} for p in chosen]
                )
    return case


class CaseEventFactory(factory.django.DjangoModelFactory):
    """One timeline row of a case (`case_log` writes these; made directly here)."""

    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    action = "open"
    from_status = ""
    to_status = factory.LazyAttribute(lambda o: o.case.status)
    actor = factory.LazyAttribute(lambda o: o.case.created_by)
    note = ""


class HotlineTicketFactory(factory.django.DjangoModelFactory):
    """A hotline call received by `ticket_create` (in a new synthetic village by default),
    by county staff of that region unless `received_by` says otherwise."""

    class Meta:
        model = HotlineTicket

    region = factory.LazyFunction(RegionFactory)
    kind = TicketKind.HELP
    content = "来电反映邻居独居老人生活困难"
    caller_name = "来电群众"
    caller_phone = "13500000007"
    received_by = factory.LazyAttribute(lambda o: UserFactory.county_staff(o.region))

    @classmethod
    def _create(cls, model_class, *args, region, received_by, **fields):
        return case_services.ticket_create(actor=received_by, region_code=_code(region), **fields)


class HotlineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HotlineEvent

    ticket = factory.SubFactory(HotlineTicketFactory)
    action = "receive"
    from_status = ""
    to_status = factory.LazyAttribute(lambda o: o.ticket.status)
    actor = factory.LazyAttribute(lambda o: o.ticket.received_by)
    note = ""


# --- referrals ---------------------------------------------------------------------------


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral standing at `status` as if it had got there (made directly, no timeline);
    `department` is a Department or a code (made if missing): the policy's, else 医保."""

    class Meta:
        model = Referral

    household = factory.SubFactory(HouseholdFactory)
    village = factory.LazyAttribute(lambda o: o.household.village)
    policy = None
    department = factory.LazyAttribute(lambda o: o.policy.department if o.policy else "yibao")
    need = factory.LazyAttribute(lambda o: (o.policy.needs or [""])[0] if o.policy else "medical")
    status = referral_wf.Status.SENT

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs["department"] = _department(kwargs["department"])
        return kwargs


class ReferralEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralEvent

    referral = factory.SubFactory(ReferralFactory)
    action = "send"
    from_status = ""
    to_status = factory.LazyAttribute(lambda o: o.referral.status)
    actor = None
    note = ""


class ConferenceFactory(factory.django.DjangoModelFactory):
    """A case conference recorded by `conference_create`, one task (referral) per department
    (医保 and 教育 by default), convened by county staff of the case's county."""

    class Meta:
        model = Conference

    case = factory.SubFactory(CaseFactory, status=case_wf.Status.PLANNING)
    held_on = factory.LazyFunction(timezone.localdate)
    departments = factory.LazyFunction(
        lambda: [DepartmentFactory(code="yibao"), DepartmentFactory(code="jiaoyu")]
    )
    minutes = "测试会商纪要:医疗和教育两项需求"
    convened_by = factory.LazyAttribute(lambda o: UserFactory.county_staff(o.case.village_id))

    @classmethod
    def _create(cls, model_class, *args, convened_by, departments, **fields):
        return referral_services.conference_create(
            actor=convened_by, departments=[_department(d) for d in departments], **fields
        )


# --- reviews -----------------------------------------------------------------------------


class ReviewMeetingFactory(factory.django.DjangoModelFactory):
    """A joint review drafted by `meeting_create` for this month (in a county of its own by
    default); like the service, it puts every waiting case on its agenda unless
    `with_agenda=False`."""

    class Meta:
        model = ReviewMeeting

    county = factory.LazyFunction(RegionFactory.county)
    month = factory.LazyFunction(timezone.localdate)
    held_on = factory.LazyAttribute(lambda o: o.month)
    chair = "测试主任"
    place = "县民政局会议室"
    departments = factory.LazyFunction(lambda: [DepartmentFactory(code="minzheng")])
    created_by = factory.LazyAttribute(lambda o: UserFactory.county_staff(o.county))
    with_agenda = True

    @classmethod
    def _create(cls, model_class, *args, created_by, county, departments, **fields):
        county = county if isinstance(county, Region) else Region.objects.get(pk=county)
        return review_services.meeting_create(
            actor=created_by, county=county, departments=[_department(d) for d in departments],
            **fields,
        )  # fmt: skip


class ReviewItemFactory(factory.django.DjangoModelFactory):
    """A case put on a draft agenda by `agenda_add`: by default a case of the meeting's
    county walked to submission (case_at)."""

    class Meta:
        model = ReviewItem

    meeting = factory.SubFactory(ReviewMeetingFactory, with_agenda=False)
    case = factory.LazyAttribute(
        lambda o: case_at(case_wf.Status.SUBMITTED,
                          village=RegionFactory(code=o.meeting.county_id[:6] + "100200"))
    )  # fmt: skip
    actor = factory.LazyAttribute(lambda o: o.meeting.created_by)

    @classmethod
    def _create(cls, model_class, *args, meeting, case, actor):
        (item,) = review_services.agenda_add(actor=actor, meeting=meeting, cases=[case])
        return item
