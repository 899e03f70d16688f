"""County staff start the quarterly push from its page and watch the progress box
reach the end: the job goes through the database queue to a real worker process,
and the page learns of it by htmx polling, without reloading."""

import datetime as dt
import os

import pytest

from jiuzhu.households import choices as c
from jiuzhu.jobs.models import Job, JobStatus
from jiuzhu.policies import services as policy_services
from jiuzhu.referrals.models import Referral
from tests.factories import DepartmentFactory, make_household
from tests.support.browser import log_in
from tests.support.worker import DB_BACKEND, worker_process

pytestmark = pytest.mark.browser

UNSAFE = {"field": "housing_safety", "op": "in", "value": ["c", "d"]}


@pytest.fixture
def library(world):
    DepartmentFactory(code="zhujian")
    policy_services.policy_save(actor=None, code="house", data={
        "name": "危房改造", "department": "zhujian", "measure": "housing", "needs": ["housing"],
        "condition": UNSAFE, "benefit": "改造危房", "legal_basis": "测试依据", "receipt_code": "",
        "valid_from": dt.date(2024, 1, 1),
    })  # fmt: skip
    for _ in range(3):
        make_household(village=world["home"].code, housing_safety=c.HousingSafety.GRADE_D)


def test_the_push_started_from_its_page_reaches_the_end_in_the_progress_box(
    live_server, desktop, world, library, settings, tmp_path
):
    settings.TASKS = DB_BACKEND
    page, url = desktop, live_server.url
    log_in(page, url, world["clerk"])
    page.goto(f"{url}/referrals/push/")
    page.get_by_label("季度").fill("2026Q4")
    page.get_by_role("button", name="开始推送").click()
    box = page.locator(".job-progress")
    # No worker yet: the job waits in the queue, and its box keeps asking.
    assert box.get_attribute("data-status") == "queued"
    assert "排队中" in box.inner_text()
    page.evaluate("window.__samePage = true")

    with worker_process(log=tmp_path / "worker.log"):
        page.locator('.job-progress[data-status="done"]').wait_for(timeout=60_000)

    done = page.locator(".job-progress").inner_text()
    assert "100%" in done and "县住建局" in done and "共推送 3 条转介" in done
    assert page.evaluate("window.__samePage === true")  # polled, never reloaded
    job = Job.objects.get(kind="push")
    assert job.status == JobStatus.DONE and job.actor == world["clerk"]
    assert job.worker and not job.worker.endswith(f":{os.getpid()}")
    assert Referral.objects.filter(quarter="2026Q4").count() == 3
