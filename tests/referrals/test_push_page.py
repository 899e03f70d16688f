"""The quarterly push as county staff start it from /referrals/push/: a background
job whose progress box ends with the count per department; never twice at once."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jiuzhu.accounts.models import Role
from jiuzhu.households import choices as c
from jiuzhu.jobs.models import Job, JobStatus
from jiuzhu.policies import services as policy_services
from jiuzhu.policies.models import Department
from jiuzhu.referrals.models import Referral
from tests.factories import UserFactory, make_household

pytestmark = [pytest.mark.core, pytest.mark.django_db]

UNSAFE = {"field": "housing_safety", "op": "in", "value": ["c", "d"]}


@pytest.fixture
def library():
    for code, name in (("zhujian", "县住建局"), ("minzheng", "县民政局")):
        Department.objects.create(code=code, name=name, short_name=name[1:3], kind="government")
    for code, department in (("house", "zhujian"), ("visit", "minzheng")):
        policy_services.policy_save(actor=None, code=code, data={
            "name": f"测试政策{code}", "department": department, "measure": "housing",
            "needs": ["housing"], "condition": UNSAFE, "benefit": "改造危房",
            "legal_basis": "测试依据", "receipt_code": "", "valid_from": dt.date(2024, 1, 1),
        })  # fmt: skip


@pytest.fixture
def unsafe_households(county, library):
    village = county["villages"][0].code
    return [make_household(village=village, housing_safety=c.HousingSafety.GRADE_D) for _ in "ab"]


@pytest.fixture
def officer(county):
    client = Client()
    client.force_login(UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]]))
    return client


def test_county_staff_start_the_push_and_see_the_count_per_department(officer, unsafe_households):
    page = officer.get("/referrals/push/").content.decode()
    assert 'name="quarter"' in page and "开始推送" in page

    response = officer.post("/referrals/push/", {"quarter": "2026q4"}, follow=True)

    job = Job.objects.get(kind="push")
    assert (job.key, job.status) == ("push:2026Q4:530128", JobStatus.DONE)
    assert job.result["total"] == 4 == Referral.objects.filter(quarter="2026Q4").count()
    assert {row["name"]: row["count"] for row in job.result["departments"]} == {
        "县住建局": 2, "县民政局": 2
    }  # fmt: skip
    html = response.content.decode()
    assert "已开始 2026Q4 季度推送" in html
    box = officer.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-get" not in box and "100%" in box
    assert "县住建局" in box and "zhujian" not in box  # names, never codes


def test_a_push_already_running_for_the_quarter_is_not_started_again(officer, unsafe_households):
    running = Job.objects.create(
        kind="push", key="push:2026Q4:530128", status=JobStatus.RUNNING, region="530128000000",
        params={"quarter": "2026Q4"}, done=1, total=3, message="正在生成推送名单并写入转介",
    )  # fmt: skip
    response = officer.post("/referrals/push/", {"quarter": "2026Q4"}, follow=True)
    html = response.content.decode()
    assert "正在进行中,不能重复发起" in html
    assert f'hx-get="/jobs/{running.pk}/progress/"' in html  # the running one's box polls
    assert Job.objects.filter(kind="push").count() == 1
    assert not Referral.objects.exists()


def test_a_bad_quarter_or_cap_is_answered_in_chinese_and_starts_nothing(officer, county):
    html = officer.post("/referrals/push/", {"quarter": "2026Q5"}).content.decode()
    assert "季度:格式应为 2026Q4" in html
    html = officer.post(
        "/referrals/push/", {"quarter": "2026Q4", "limit_per_department": "0"}
    ).content.decode()
    assert "每个部门上限" in html and "field-error" in html
    assert not Job.objects.exists()


def test_the_cap_per_department_reaches_the_push(officer, unsafe_households):
    officer.post("/referrals/push/", {"quarter": "2026Q4", "limit_per_department": "1"})
    job = Job.objects.get(kind="push")
    assert job.params["limit_per_department"] == 1
    assert job.result["total"] == 2


@pytest.mark.parametrize("role", [Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.LEADER])
def test_only_county_staff_reach_the_push_page(county, role):
    client = Client()
    client.force_login(UserFactory(role=role, regions=[county["county"]]))
    assert client.get("/referrals/push/").status_code == 404
    assert client.post("/referrals/push/", {"quarter": "2026Q4"}).status_code == 404
    assert not Job.objects.exists()


def test_the_command_runs_the_same_job_inline_and_is_refused_while_one_runs(unsafe_households):
    out = io.StringIO()
    call_command("push_eligible", "--quarter", "2026Q4", stdout=out)
    assert "县住建局: 2" in out.getvalue() and "共推送 4 条转介(2026Q4)" in out.getvalue()
    job = Job.objects.get(kind="push")
    assert (job.key, job.status, job.actor) == ("push:2026Q4:all", JobStatus.DONE, None)
    Job.objects.create(kind="push", key="push:2027Q1:all", status=JobStatus.RUNNING)
    with pytest.raises(CommandError, match="正在进行中"):
        call_command("push_eligible", "--quarter", "2027Q1", stdout=out)
