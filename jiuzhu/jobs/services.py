"""Writes of the jobs app: start a job, run it with progress and a heartbeat,
fail the jobs whose worker died, and offer and purge the files jobs write.

A job moves queued → running → done | failed, never back. Starting a job whose
kind and key already have a queued or running job returns that job instead
(the partial unique index `one_active_job_per_key` decides, not a check, so
two clicks at the same instant still make one job)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.services import access_log_write

from . import registry
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# The reason a job shows after its worker died (killed, server restarted, out of memory).
INTERRUPTED = "任务执行中断(后台服务重启或进程退出),已写入的部分不会重复,请重新开始"
CRASHED = "任务执行出错,未能完成,请稍后重新开始;如再次失败请联系系统管理员(错误已记录在服务器日志)"
NOT_PICKED_UP = "任务未能开始执行(后台服务未运行或已重启),请重新开始"


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def heartbeat_seconds() -> float:
    return _seconds("JOBS_HEARTBEAT_SECONDS", 5)


def stale_seconds() -> float:
    """A running job whose heartbeat is older than this has lost its worker."""
    return _seconds("JOBS_STALE_SECONDS", 60)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _jobs_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---------------------------------------------------------------------------
# Starting


def job_start(
    *,
    actor,
    kind: str,
    key: str,
    region: str = "",
    params: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> tuple[Job, bool]:
    """Queue a job, or return the one already queued or running for the same kind and key.

    Returns (job, created). With enqueue=False the caller runs it (job_run), as
    the management commands do."""
    registry.kind_of(kind)  # an unknown kind is a programming error
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind, key=key[:128], actor=actor, region=region, params=params or {}
                )
        except IntegrityError:
            existing = Job.objects.active().filter(kind=kind, key=key[:128]).first()
            if existing is None:
                raise
            return existing, False
        if enqueue:
            # With the database backend the queue row commits with the job, so
            # a job is never queued without its task (nor the reverse).
            task_result = job_execute.enqueue(job.pk)
            Job.objects.filter(pk=job.pk).update(task_id=str(task_result.id)[:64])
            job.refresh_from_db()
    return job, True


# ---------------------------------------------------------------------------
# Running


class Progress:
    """The callback a domain service reports to: progress(done, total, message).

    It only records the numbers; a heartbeat thread with its own database
    connection writes them, so they show while the service's own transaction is
    still open (on PostgreSQL; SQLite has one writer, hence batched imports).
    Inside an outer transaction (immediate backend, tests) it writes directly."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._lock = threading.Lock()
        self._state: tuple[int, int, str] | None = None
        self._dirty = False
        self._threaded = False
        self._last_write = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        total = max(int(total), 0)
        done = min(max(int(done), 0), total) if total else 0
        with self._lock:
            self._state = (done, total, message[:200])
            self._dirty = True
        if not self._threaded and time.monotonic() - self._last_write > 0.3:
            self.flush()

    def flush(self, *, beat: bool = False) -> None:
        with self._lock:
            state, dirty = self._state, self._dirty
            self._dirty = False
        fields: dict[str, Any] = {}
        if dirty and state is not None:
            fields.update(done=state[0], total=state[1], message=state[2])
        if beat or fields:
            fields["heartbeat_at"] = timezone.now()
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(**fields)
            self._last_write = time.monotonic()

    @contextlib.contextmanager
    def beating(self) -> Iterator[None]:
        """Write progress each second and a heartbeat every few seconds meanwhile."""
        if connection.in_atomic_block:
            yield
            return
        self._threaded = True
        stop = threading.Event()

        def beat() -> None:
            last_beat = time.monotonic()
            try:
                while not stop.wait(1.0):
                    due = time.monotonic() - last_beat >= heartbeat_seconds()
                    try:
                        self.flush(beat=due)
                        if due:
                            last_beat = time.monotonic()
                    except DatabaseError:
                        # SQLite busy with the job's own write: try again next second.
                        logger.debug("job %s: heartbeat postponed", self.job_id)
            finally:
                connection.close()  # this thread's own connection

        thread = threading.Thread(target=beat, name=f"job-{self.job_id}-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)
            self._threaded = False


def _finish(job_id: int, **fields: Any) -> None:
    fields.setdefault("finished_at", timezone.now())
    fields["heartbeat_at"] = fields["finished_at"]
    # Only a running job ends here: one failed meanwhile by recovery stays failed.
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**fields)


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    return str(exc) or "任务被拒绝"


def job_run(*, job_id: int) -> Job | None:
    """Run a queued job to its end (done with its result, or failed with a Chinese reason).

    Returns None when the job is not queued (already run, or failed by recovery)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    )
    if not claimed:
        return None
    job = Job.objects.select_related("actor").get(pk=job_id)
    kind = registry.find(job.kind)
    if kind is None:  # a record of a kind this code no longer has
        logger.error("job %s: unknown kind %s", job.pk, job.kind)
        _finish(job.pk, status=JobStatus.FAILED, error=CRASHED)
        return Job.objects.get(pk=job_id)
    progress = Progress(job.pk)
    try:
        with progress.beating():
            if connection.in_atomic_block:
                with transaction.atomic():  # a savepoint: a failure leaves the outer usable
                    result = kind.run(job=job, progress=progress)
            else:
                result = kind.run(job=job, progress=progress)
    except (ValidationError, PermissionDenied, *kind.refusals) as exc:
        _finish(job.pk, status=JobStatus.FAILED, error=_refusal_text(exc)[:500])
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job.pk, status=JobStatus.FAILED, error=CRASHED)
    except BaseException:
        # The worker is being stopped (a second Ctrl-C / SIGTERM): say so, then stop.
        _finish(job.pk, status=JobStatus.FAILED, error=INTERRUPTED)
        raise
    else:
        state = progress._state
        total = state[1] if state else 0
        _finish(
            job.pk,
            status=JobStatus.DONE,
            result=result,
            done=total,
            total=total,
            message=(state[2] if state else "") or "已完成",
            file=job.file,
            file_name=job.file_name,
        )
    job.refresh_from_db()
    return job


def job_file_open(*, job: Job, name: str) -> IO[bytes]:
    """A new private file for the job's output, offered for download as `name`."""
    path = _jobs_dir() / f"{job.pk}-{secrets.token_urlsafe(12)}{Path(name).suffix}"
    job.file = path.name
    job.file_name = name[:200]
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def job_file_path(*, job: Job) -> Path | None:
    """The job's file on disk, or None when it has none or it has expired."""
    if not job.file or job.status != JobStatus.DONE:
        return None
    path = _jobs_dir() / Path(job.file).name
    if not path.exists() or _file_expired(job):
        return None
    return path


def _file_expired(job: Job) -> bool:
    ttl = timedelta(seconds=_seconds("JOBS_FILE_TTL_SECONDS", 4 * 3600))
    return job.finished_at is not None and job.finished_at < timezone.now() - ttl


@transaction.atomic
def job_file_download(*, actor, job: Job) -> Path:
    """Hand the job's file to its owner and write the access log (the file holds personal data)."""
    if job.actor_id != actor.pk:
        raise PermissionDenied("只有发起人可以下载该文件")
    path = job_file_path(job=job)
    if path is None:
        raise FileNotFoundError(job.file)
    kind = registry.find(job.kind)
    if kind is not None and kind.download_detail is not None:
        detail = kind.download_detail(job)
    else:
        detail = f"下载{job.kind_label}文件"
    access_log_write(
        user=actor,
        action=AccessAction.EXPORT,
        object_type="job",
        object_id=str(job.pk),
        detail=detail[:255],
    )
    return path


# ---------------------------------------------------------------------------
# Recovery and housekeeping


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_dead(worker: str) -> bool:
    """True when the job ran in a process of this machine that no longer exists."""
    host, _, pid = worker.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def job_recover() -> int:
    """Fail the jobs whose worker died: running with a stale heartbeat (or whose process
    on this machine is gone), and queued jobs the queue has already given up on.

    Returns the number of jobs failed. Run at worker start and by housekeeping."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=stale_seconds())
    failed = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING).only("pk", "worker", "heartbeat_at"):
        stale = job.heartbeat_at is None or job.heartbeat_at < stale_before
        if stale or _worker_dead(job.worker):
            failed += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=INTERRUPTED, finished_at=now
            )
            _task_failed(job.pk)
    failed += _fail_lost_queued(now=now, stale_before=stale_before)
    return failed


def _task_failed(job_id: int) -> None:
    """Mark the queue's own row of a dead job failed too (django-tasks-db leaves it RUNNING)."""
    task_id = Job.objects.filter(pk=job_id).values_list("task_id", flat=True).first()
    model = _task_model()
    if task_id and model is not None:
        model.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )


def _task_model():
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the backend is a dependency
        return None
    return DBTaskResult


def _fail_lost_queued(*, now, stale_before) -> int:
    """A queued job whose queue row was claimed (or finished) long ago never started:
    its worker died between claiming the row and starting the job."""
    model = _task_model()
    if model is None:
        return 0
    lost = 0
    queued = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale_before)
    for job in queued.exclude(task_id="").only("pk", "task_id"):
        row = model.objects.filter(id=job.task_id).values_list("status", "started_at").first()
        if row is None:
            continue  # another backend (immediate) or pruned: nothing to compare
        status, started_at = row
        if status != "READY" and (started_at is None or started_at < stale_before):
            lost += Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.FAILED, error=NOT_PICKED_UP, finished_at=now
            )
            _task_failed(job.pk)
    return lost


def job_files_purge() -> int:
    """Delete the files of finished jobs past their time limit, and files no job names."""
    folder = _jobs_dir()
    ttl = timedelta(seconds=_seconds("JOBS_FILE_TTL_SECONDS", 4 * 3600))
    expired = Job.objects.exclude(file="").filter(
        finished_at__lt=timezone.now() - ttl
    ) | Job.objects.exclude(file="").filter(status=JobStatus.FAILED)
    removed = 0
    for job in expired:
        (folder / Path(job.file).name).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(file="")
        removed += 1
    named = set(Job.objects.exclude(file="").values_list("file", flat=True))
    grace = time.time() - 3600  # a job writing its file has not saved its name yet
    for path in folder.iterdir():
        try:
            if path.name not in named and path.stat().st_mtime < grace:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


QUEUE_KEEP_DAYS = 7


def queue_rows_prune() -> int:
    """Delete the queue's own rows of tasks finished more than a week ago (the Job
    rows, which say who did what, are kept)."""
    model = _task_model()
    if model is None:
        return 0
    cutoff = timezone.now() - timedelta(days=QUEUE_KEEP_DAYS)
    deleted, _ = model.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    return deleted


def housekeeping() -> dict[str, int]:
    """Fail the jobs of dead workers, purge expired job files and old queue rows, and run
    every domain app's cleanup (expired uploads, …). Returns what each step removed."""
    done = {
        "jobs_failed": job_recover(),
        "job_files": job_files_purge(),
        "queue_rows": queue_rows_prune(),
    }
    for name, cleanup in registry.cleanups().items():
        try:
            done[name] = cleanup()
        except Exception:
            logger.exception("housekeeping step %s failed", name)
            done[name] = -1
    return done


@task()
def job_execute(job_id: int) -> None:
    """The one queue task: it takes a job's id and runs it; all the work is in job_run."""
    job_run(job_id=job_id)
