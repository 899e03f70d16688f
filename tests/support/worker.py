"""A real background-job worker (manage.py jobs_worker) as a child process, on the
test database, for the tests that go through the database queue."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a worker process needs a database it can share (PostgreSQL)")
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def worker_process(*, var_dir: Path | None = None, log: Path | None = None) -> Iterator:
    """Start `manage.py jobs_worker` on the test database; stop (SIGKILL) it at the end."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "JIUZHU_SECRET_KEY": settings.SECRET_KEY,
        "JIUZHU_FIELD_KEY": settings.FIELD_ENCRYPTION_KEY,
        "JIUZHU_HASH_KEY": settings.FIELD_HASH_KEY,
        "JIUZHU_VAR_DIR": str(var_dir or settings.VAR_DIR),
        "JIUZHU_JOBS_HEARTBEAT_SECONDS": "1",
        "JIUZHU_JOBS_IMMEDIATE": "0",
    }
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "jobs_worker",
         "--interval", "0.2", "--housekeeping-seconds", "0"],
        env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if log:
            out.close()


def wait_for(predicate, *, timeout: float = 60.0, every: float = 0.1):
    """Poll until predicate() is truthy; return its value or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout} s")
