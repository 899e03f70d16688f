"""The job service: one active job per kind and key, progress and results, a
Chinese reason on failure, recovery after a worker died, and who may see a job."""

import os
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jiuzhu.accounts.access import NotFound
from jiuzhu.accounts.models import AccessAction, AccessLog, Role
from jiuzhu.jobs import selectors, services
from jiuzhu.jobs.models import Job, JobStatus
from jiuzhu.jobs.registry import JobKind, register
from tests.factories import UserFactory

pytestmark = pytest.mark.core

BACKEND = "django.contrib.auth.backends.ModelBackend"


class FileRefused(Exception):
    """A domain refusal whose text is shown, like SpreadsheetError."""


def _counting(*, job, progress):
    for done in range(job.params.get("steps", 3) + 1):
        progress(done, job.params.get("steps", 3), f"已处理 {done} 项")
    return {"counted": job.params.get("steps", 3)}


def _refusing(*, job, progress):
    progress(1, 4, "检查中")
    raise ValidationError({"quarter": "季度:格式应为 2026Q4"})


def _refusing_domain(*, job, progress):
    raise FileRefused("文件中没有「家庭」表")


def _crashing(*, job, progress):
    raise RuntimeError("530128199001011234 broke something")


def _writing(*, job, progress):
    with services.job_file_open(job=job, name="测试导出.txt") as fh:
        fh.write("一户一档".encode())
    return {"rows": 1}


for name, run in [("t_count", _counting), ("t_refuse", _refusing), ("t_crash", _crashing),
                  ("t_file", _writing)]:  # fmt: skip
    register(JobKind(kind=name, label="测试任务", run=run))
register(JobKind(kind="t_domain", label="测试任务", run=_refusing_domain, refusals=(FileRefused,)))


@pytest.fixture
def county_staff(county):
    return UserFactory(role=Role.COUNTY_STAFF, regions=[county["county"]])


@pytest.fixture
def village_worker(county):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[county["villages"][0].code])


def test_starting_the_same_kind_and_key_twice_returns_the_job_already_queued(county_staff):
    first, created = services.job_start(
        actor=county_staff, kind="t_count", key="t:1", enqueue=False
    )
    again, created_again = services.job_start(
        actor=county_staff, kind="t_count", key="t:1", enqueue=False
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Job.objects.filter(kind="t_count", key="t:1").count() == 1


def test_the_database_itself_refuses_a_second_active_job_for_the_same_key(county_staff):
    Job.objects.create(kind="t_count", key="t:2", status=JobStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="t_count", key="t:2")
    Job.objects.filter(key="t:2").update(status=JobStatus.DONE)
    # Once it has ended, the same thing can be started again.
    job, created = services.job_start(actor=county_staff, kind="t_count", key="t:2", enqueue=False)
    assert created and job.status == JobStatus.QUEUED


def test_a_started_job_runs_and_records_its_progress_result_and_times(county_staff):
    job, _ = services.job_start(
        actor=county_staff, kind="t_count", key="t:3", params={"steps": 5}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.message == "已处理 5 项"
    assert job.result == {"counted": 5}
    assert job.started_at <= job.finished_at and job.heartbeat_at == job.finished_at
    assert job.worker == f"{socket.gethostname()}:{os.getpid()}"


def test_a_refused_job_fails_with_the_services_chinese_reason(county_staff):
    job, _ = services.job_start(actor=county_staff, kind="t_refuse", key="t:4")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "季度:格式应为 2026Q4"
    domain, _ = services.job_start(actor=county_staff, kind="t_domain", key="t:4")
    domain.refresh_from_db()
    assert (domain.status, domain.error) == (JobStatus.FAILED, "文件中没有「家庭」表")


def test_an_unexpected_error_fails_the_job_without_showing_the_exception(county_staff, caplog):
    job, _ = services.job_start(actor=county_staff, kind="t_crash", key="t:5")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == services.CRASHED
    assert "530128" not in job.error
    assert "job %s (%s) failed" in [r.msg for r in caplog.records]


def test_a_running_job_whose_heartbeat_stopped_is_failed_with_a_reason(county_staff, settings):
    settings.JOBS_STALE_SECONDS = 30
    now = timezone.now()
    live = Job.objects.create(
        kind="t_count", key="live", status=JobStatus.RUNNING, heartbeat_at=now,
        worker=services.worker_name(),
    )  # fmt: skip
    stale = Job.objects.create(
        kind="t_count", key="stale", status=JobStatus.RUNNING,
        heartbeat_at=now - timedelta(seconds=31), worker="elsewhere:1",
    )  # fmt: skip
    assert services.job_recover() == 1
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == JobStatus.FAILED and stale.error == services.INTERRUPTED
    assert "请重新开始" in stale.error and stale.finished_at is not None
    assert live.status == JobStatus.RUNNING


def test_a_job_whose_worker_process_is_gone_is_failed_at_once(county_staff):
    gone = 2**22 + 12345  # above the default pid_max: no such process
    job = Job.objects.create(
        kind="t_count", key="gone", status=JobStatus.RUNNING, heartbeat_at=timezone.now(),
        worker=f"{socket.gethostname()}:{gone}",
    )  # fmt: skip
    assert services.job_recover() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    # A recovered job does not come back to life when its (dead) run reports.
    services.Progress(job.pk)(1, 2, "迟到的进度")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == ""


def test_a_job_failed_by_recovery_is_not_run_afterwards(county_staff):
    job, _ = services.job_start(actor=county_staff, kind="t_count", key="t:6", enqueue=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    assert services.job_run(job_id=job.pk) is None


def test_a_user_sees_their_own_jobs_and_county_staff_the_jobs_of_their_county(
    county, county_staff, village_worker
):
    village = county["villages"][0].code
    mine, _ = services.job_start(
        actor=village_worker, kind="t_count", key="w", region=village, enqueue=False
    )
    other_worker = UserFactory(role=Role.VILLAGE_WORKER, regions=[village])
    elsewhere = UserFactory(role=Role.COUNTY_STAFF, regions=[county["townships"][-1].code])
    assert selectors.access_job_by_id(user=village_worker, job_id=mine.pk) == mine
    assert selectors.access_job_by_id(user=county_staff, job_id=mine.pk) == mine
    for stranger in (other_worker, elsewhere):
        with pytest.raises(NotFound):
            selectors.access_job_by_id(user=stranger, job_id=mine.pk)
    assert [j.pk for j in selectors.job_list(user=other_worker)] == []


def test_another_users_job_answers_404_like_a_missing_one(client, county, village_worker):
    job, _ = services.job_start(actor=village_worker, kind="t_count", key="x", enqueue=False)
    other = UserFactory(role=Role.VILLAGE_WORKER, regions=[county["villages"][1].code])
    client.force_login(other, backend=BACKEND)
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        hidden = client.get(reverse(name, args=[job.pk]))
        missing = client.get(reverse(name, args=[job.pk + 1000]))
        assert hidden.status_code == missing.status_code == 404


def test_the_progress_box_polls_while_the_job_runs_and_stops_when_it_ends(
    client, village_worker
):
    job, _ = services.job_start(actor=village_worker, kind="t_count", key="p", enqueue=False)
    client.force_login(village_worker, backend=BACKEND)
    url = reverse("jobs:progress", args=[job.pk])
    queued = client.get(url).content.decode()
    assert f'hx-get="{url}"' in queued and "排队中" in queued
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=2, total=8, message="第2批")
    running = client.get(url).content.decode()
    assert 'hx-trigger="load delay:1s"' in running and "25%" in running and "第2批" in running
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=services.INTERRUPTED, finished_at=timezone.now()
    )
    failed = client.get(url).content.decode()
    assert "hx-get" not in failed and "失败原因:任务执行中断" in failed


def test_a_jobs_file_is_offered_to_its_owner_logged_and_purged_after_its_time_limit(
    client, county_staff, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    job, _ = services.job_start(actor=county_staff, kind="t_file", key="f")
    job.refresh_from_db()
    client.force_login(county_staff, backend=BACKEND)
    assert "下载 测试导出.txt" in client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(response.streaming_content).decode() == "一户一档"
    assert AccessLog.objects.filter(
        user=county_staff, action=AccessAction.EXPORT, object_id=str(job.pk)
    ).exists()
    path = tmp_path / "jobs" / job.file
    assert path.exists()
    assert services.job_files_purge() == 0  # still within its time limit
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=1))
    assert services.job_files_purge() == 1
    assert not path.exists()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_job_of_a_kind_the_code_no_longer_has_fails_and_its_page_still_shows(
    client, village_worker
):
    job = Job.objects.create(kind="gone", key="g", actor=village_worker)
    assert services.job_run(job_id=job.pk).status == JobStatus.FAILED
    client.force_login(village_worker, backend=BACKEND)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200 and services.CRASHED in page.content.decode()
