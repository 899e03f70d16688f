"""factory_boy factories: synthetic people only, valid GB 11643 numbers."""

import datetime as dt
import random

import factory
from django.db import transaction

from jiuzhu.accounts.models import RegionGrant, Role, User
from jiuzhu.core.idnumber import check_char
from jiuzhu.households import choices as c
from jiuzhu.households import services
from jiuzhu.regions.models import Region

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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.COUNTY_STAFF
    password = factory.PostGenerationMethodCall("set_password", "Test-pass-2024")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        self.save()
        for code in extracted or []:
            RegionGrant.objects.create(user=self, region_id=code)


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
