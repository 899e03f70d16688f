"""Through the real database queue and real worker processes (PostgreSQL: the worker
shares the test database). A worker killed with SIGKILL in the middle of an import
leaves it failed with a Chinese reason once a worker starts again; the import page
says so and, started again, the import finishes without a household twice."""

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from jiuzhu.accounts.models import Role
from jiuzhu.households.models import Household, ImportedHousehold, Member
from jiuzhu.jobs import services
from jiuzhu.jobs.models import Job, JobStatus
from jiuzhu.regions.models import Level, Region
from tests.factories import UserFactory
from tests.support.sheets import hh, mem, xlsx
from tests.support.worker import DB_BACKEND, wait_for, worker_process

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process shares the database"
    ),
]

HOUSEHOLDS = 100


@pytest.fixture
def queued(settings, tmp_path):
    settings.TASKS = DB_BACKEND
    settings.VAR_DIR = tmp_path
    return tmp_path


def _job(kind: str) -> Job | None:
    return Job.objects.filter(kind=kind).order_by("-id").first()


def test_a_worker_killed_mid_import_leaves_it_failed_and_a_restart_finishes_it_once(
    client, county, queued
):
    township = county["townships"][0]
    village = Region.objects.filter(parent=township, level=Level.VILLAGE).order_by("code")[0]
    clerk = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[township.code])
    client.force_login(clerk)
    ledger = xlsx(
        [hh(k, village) for k in range(1, HOUSEHOLDS + 1)],
        [mem(k, name=f"测试户主{k}") for k in range(1, HOUSEHOLDS + 1)],
    )
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("台账.xlsx", ledger)}
    )
    url = response["Location"]
    client.post(url)  # start the import: queued, no worker yet
    job = _job("import")
    assert job.status == JobStatus.QUEUED and job.task_id

    with worker_process(log=queued / "worker1.log") as first:
        # Let it commit some batches, then kill it without warning.
        wait_for(lambda: Job.objects.get(pk=job.pk).done >= 25, timeout=120)
        first.send_signal(signal.SIGKILL)
        first.wait()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # nobody has noticed yet
    written = Household.objects.count()
    assert 25 <= written < HOUSEHOLDS
    # Each household whole or not at all, and each one recorded as done.
    assert Member.objects.count() == written == ImportedHousehold.objects.count()
    assert "正在导入" in client.get(url).content.decode()

    with worker_process(log=queued / "worker2.log"):
        # The new worker sees the old one's process is gone and fails its job.
        wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED, timeout=30)
        job.refresh_from_db()
        assert job.error == services.INTERRUPTED
        page = client.get(url).content.decode()
        assert "上次导入未完成" in page and "任务执行中断" in page
        assert f"重新开始导入(剩余 {HOUSEHOLDS - written} 户)" in page

        client.post(url)  # start again
        again = _job("import")
        assert again.pk != job.pk
        wait_for(lambda: Job.objects.get(pk=again.pk).status == JobStatus.DONE, timeout=120)

    again.refresh_from_db()
    assert again.result["imported"] == HOUSEHOLDS
    assert Household.objects.count() == HOUSEHOLDS == Member.objects.count()
    heads = list(Household.objects.values_list("head_name", flat=True))
    assert len(set(heads)) == HOUSEHOLDS  # no household twice
    assert "导入完成" in client.get(url).content.decode()
