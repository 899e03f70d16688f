"""The demo county generator: valid people, consistent households, demo logins."""

from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiuzhu.accounts.models import Role, User
from jiuzhu.core import idnumber
from jiuzhu.demo import generator
from jiuzhu.households import choices as c
from jiuzhu.households import crypto, selectors, services
from jiuzhu.households.models import Household, Member
from jiuzhu.policies.library import DEPARTMENTS
from jiuzhu.policies.models import DepartmentKind
from jiuzhu.regions.models import Level, Region
from tests.factories import household_fields, member_data
from tests.support.clients import client_for

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=False)]

N = 300


@pytest.fixture
def demo(county):
    generator.ensure_users(password="Demo-pass-2024")
    result = generator.generate(households=N, seed=7)
    return result


def test_generator_makes_the_requested_households_with_about_three_members_each(demo):
    assert demo.households == N == Household.objects.count()
    assert demo.members == Member.objects.count()
    assert 2.5 < demo.members / N < 3.5
    sizes = Counter(Household.objects.values_list("member_count", flat=True))
    assert min(sizes) >= 1 and max(sizes) <= 7
    assert sizes[1] + sizes[2] > N * 0.25  # many one- and two-person elderly households


def test_every_id_number_is_valid_unique_and_matches_sex_and_birth_date(demo):
    seen = set()
    for m in Member.objects.all():
        number = crypto.decrypt(m.id_cipher)
        parsed = idnumber.parse(number)
        assert parsed.address_code == "530128"
        assert parsed.sex == m.sex
        assert parsed.birth_date == m.birth_date
        assert m.id_masked == idnumber.mask(number)
        assert m.id_hash == crypto.lookup_hash(number)
        seen.add(number)
    assert len(seen) == Member.objects.count()


def test_each_household_has_one_head_and_correct_summary_columns(demo):
    members = defaultdict(list)
    for m in Member.objects.all():
        members[m.household_id].append(m)
    for h in Household.objects.all():
        heads = [m for m in members[h.pk] if m.relation == c.Relation.HEAD]
        assert len(heads) == 1
        assert h.head_name == heads[0].name
        assert h.member_count == len(members[h.pk])


def test_ages_fit_the_relations_in_each_household(demo):
    for h in Household.objects.prefetch_related("members"):
        people = list(h.members.all())
        head = next(m for m in people if m.relation == c.Relation.HEAD)
        assert 18 <= head.age <= 100
        for m in people:
            if m.relation == c.Relation.CHILD:
                assert head.age - m.age >= 15
            elif m.relation in (c.Relation.PARENT, c.Relation.PARENT_IN_LAW):
                assert m.age - head.age >= 15
            elif m.relation == c.Relation.GRANDCHILD:
                assert head.age - m.age >= 30
            elif m.relation == c.Relation.SPOUSE:
                assert abs(m.age - head.age) <= 15
                assert m.sex != head.sex


def test_schooling_and_work_follow_age(demo):
    for m in Member.objects.all():
        if m.school_stage == c.SchoolStage.PRIMARY:
            assert 5 <= m.age <= 13
        if m.school_stage in (c.SchoolStage.COLLEGE, c.SchoolStage.UNDERGRADUATE):
            assert 17 <= m.age <= 26
        if m.age < 6:
            assert m.occupation == c.Occupation.PRESCHOOL
            assert m.wage_income == 0
        if m.disability_type == c.DisabilityType.NONE:
            assert m.disability_grade == 0
        else:
            assert 1 <= m.disability_grade <= 4


def test_households_sit_in_villages_of_the_demo_county_with_numbers_by_village(demo):
    villages = set(
        Region.objects.filter(level=Level.VILLAGE, code__startswith="530128").values_list(
            "code", flat=True
        )
    )
    numbers = set()
    for h in Household.objects.all():
        assert h.village_id in villages
        assert h.group is None or h.group.parent_id == h.village_id
        assert h.number.startswith(h.village_id) and len(h.number) == 16
        assert h.surveyed_on is not None and h.created_by is not None
        numbers.add(h.number)
    assert len(numbers) == N


def test_proportions_look_like_a_hardship_registry(demo):
    members = Member.objects.count()
    disabled = Member.objects.exclude(disability_type=c.DisabilityType.NONE).count()
    chronic = Member.objects.filter(health_status=c.HealthStatus.CHRONIC).count()
    assert 0.02 < disabled / members < 0.12
    assert 0.15 < chronic / members < 0.40
    assert 0.35 < Household.objects.filter(tag_dibao=True).count() / N < 0.55
    assert 0 < Household.objects.filter(tag_tekun=True).count() < N * 0.1
    # 低保 households say so in what they receive; others never get 低保 money.
    for h in Household.objects.all():
        assert (c.Assistance.DIBAO in h.assistance_received) == h.tag_dibao
        assert not (h.tag_dibao and h.tag_tekun)
    on_dibao = Member.objects.exclude(dibao_status=c.DibaoStatus.NONE)
    assert not on_dibao.filter(household__tag_dibao=False).exists()


def test_demo_users_have_their_roles_and_one_grant_each(demo):
    village = generator.demo_village()
    expected = {
        "admin": (Role.ADMIN, "530128000000"),
        "xian": (Role.COUNTY_STAFF, "530128000000"),
        "zhen": (Role.TOWNSHIP_STAFF, "530128109000"),
        "cun": (Role.VILLAGE_WORKER, village.code),
        "lingdao": (Role.LEADER, "530128000000"),
        "yibao": (Role.DEPARTMENT_OFFICER, "530128000000"),
        "shegong": (Role.SERVICE_ORG, "530128000000"),
    }
    for username, (role, region) in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert list(user.grants.values_list("region_id", flat=True)) == [region]
        assert user.check_password("Demo-pass-2024")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert village.code.startswith("530128109")
    assert User.objects.get(username="yibao").department == "yibao"
    # The social organisation's account belongs to the library's social-work centre.
    shegong = User.objects.get(username="shegong")
    assert shegong.department == "shegong"
    library = {d["code"]: d for d in DEPARTMENTS}
    assert library[shegong.department]["kind"] == DepartmentKind.SOCIAL_WORK


def test_village_worker_sees_exactly_the_households_of_their_village(demo):
    cun = User.objects.get(username="cun")
    village = generator.demo_village()
    in_scope = set(selectors.household_scope(user=cun).values_list("id", flat=True))
    in_village = set(Household.objects.filter(village_id=village.code).values_list("id", flat=True))
    assert in_scope == in_village
    assert 0 < len(in_scope) < N
    xian = User.objects.get(username="xian")
    assert selectors.household_scope(user=xian).count() == N


def test_generated_household_pages_open_and_new_files_follow_on(demo):
    xian = User.objects.get(username="xian")
    household = Household.objects.order_by("id").first()
    client = client_for(xian)
    response = client.get(f"/households/{household.pk}/")
    assert response.status_code == 200
    assert household.head_name in response.content.decode()
    # A clerk's new file after generation gets the next id and number of its village.
    village = household.village
    new = services.household_create(
        actor=xian,
        fields=household_fields(village=village.code),
        members=[member_data()],
    )
    last = max(
        int(n[12:])
        for n in Household.objects.filter(village=village).values_list("number", flat=True)
    )
    assert new.pk > Household.objects.exclude(pk=new.pk).order_by("-pk").first().pk
    assert new.number == f"{village.code}{last:04d}"


@pytest.mark.parametrize("few_names", [5000, 2])
def test_name_search_finds_the_same_households_however_it_is_planned(demo, monkeypatch, few_names):
    # _FEW_NAMES=2 sends every search down the many-matches path (subquery/EXISTS).
    monkeypatch.setattr(selectors, "_FEW_NAMES", few_names)
    xian = User.objects.get(username="xian")
    names = list(Member.objects.values_list("name", flat=True))
    village_names = dict(Region.objects.filter(level=Level.VILLAGE).values_list("code", "name"))
    for q in ["李", "张", "龙", "马", names[0], names[-1], names[0][:2]]:
        expected = {
            h.pk
            for h in Household.objects.prefetch_related("members")
            if any(m.name.startswith(q) for m in h.members.all())
            or q in village_names[h.village_id]
        }
        found = set(selectors.household_list(user=xian, q=q).values_list("id", flat=True))
        assert found == expected, q


def test_the_same_seed_gives_the_same_people(county):
    generator.ensure_users()
    generator.generate(households=40, seed=11)
    first = list(Member.objects.order_by("id").values_list("name", "birth_date", "relation"))
    generator.wipe()
    generator.generate(households=40, seed=11)
    second = list(Member.objects.order_by("id").values_list("name", "birth_date", "relation"))
    assert first == second


def test_command_generates_only_when_empty_and_resets_on_request(db):
    out = StringIO()
    call_command("demo_county", households=30, if_empty=True, stdout=out)
    assert Household.objects.count() == 30
    call_command("demo_county", households=50, if_empty=True, stdout=out)
    assert Household.objects.count() == 30
    assert "已有 30 户" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("demo_county", households=50, stdout=out)
    with pytest.raises(ValueError):
        generator.generate(households=5)  # numbers would clash with the existing files
    call_command("demo_county", households=20, reset=True, stdout=out)
    assert Household.objects.count() == 20
    assert Member.objects.filter(household__isnull=True).count() == 0


def test_print_logins_shows_the_url_and_every_demo_account(county, monkeypatch):
    monkeypatch.setenv("JIUZHU_DEMO_PASSWORD", "Secret-demo-1")
    generator.ensure_users()
    out = StringIO()
    call_command("demo_county", print_logins=True, host="localhost", port="8123", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "http://localhost:8123/"
    for spec in generator.DEMO_USERS:
        assert spec.username in text
    assert "Secret-demo-1" in text
    assert "村(居)信息员" in text and "翠华镇" in text
    assert Household.objects.count() == 0  # printing never generates


def test_the_demo_county_comes_with_a_month_of_casework_through_every_stage(db):
    from jiuzhu.cases.models import Case, CaseEvent
    from jiuzhu.referrals.inbox import inbox
    from jiuzhu.reviews.models import ReviewMeeting

    out = StringIO()
    call_command("demo_county", households=1500, stdout=out)
    statuses = Counter(Case.objects.values_list("status", flat=True))
    # Waiting for a visit, on a visit, planning, submitted, in publicity, helped, closed, refused.
    for status in ("received", "assessing", "planning", "submitted", "publicised",
                   "implementing", "closed", "rejected"):  # fmt: skip
        assert statuses[status] >= 1, (status, statuses)
    meeting = ReviewMeeting.objects.get()
    assert not meeting.is_draft and meeting.held_on < meeting.month.replace(day=28)
    assert set(meeting.items.values_list("decision", flat=True)) == {"approve", "reject", "modify"}
    # Every case has a timeline, written by the services; none happens in the future.
    assert not Case.objects.exclude(pk__in=CaseEvent.objects.values("case_id")).exists()
    from django.utils import timezone

    assert not CaseEvent.objects.filter(at__gt=timezone.now()).exists()
    for name in ("yibao", "jiaoyu", "shegong"):
        box = inbox(user=User.objects.get(username=name))
        assert box.to_accept.count() >= 1, name
    assert "演示个案" in out.getvalue()
    # A reset clears the casework with the households it protects.
    call_command("demo_county", households=20, reset=True, no_assess=True, stdout=out)
    assert not Case.objects.exists() and not ReviewMeeting.objects.exists()
