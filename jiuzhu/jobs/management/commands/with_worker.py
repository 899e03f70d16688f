"""python manage.py with_worker -- COMMAND… — run a command (the web server) together
with a background-job worker: `make run` starts the demo this way.

Both run as children in their own process groups. Ctrl-C (or SIGTERM) stops
both; a worker that dies is started again (it fails the job it left behind,
see jobs_worker), and when the command ends the worker is stopped."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

RESTART_PAUSE = 2.0
STOP_GRACE = 10.0


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)  # the job it ran is failed at the next start
        proc.wait()


class Command(BaseCommand):
    help = "与后台任务进程一起运行一个命令(如 runserver),Ctrl-C 同时停止两者"

    def add_arguments(self, parser):
        parser.add_argument("command", nargs=argparse.REMAINDER, help="要运行的命令,写在 -- 之后")

    def handle(self, *args, command, **options):
        if command and command[0] == "--":
            command = command[1:]
        if not command:
            raise CommandError(
                "请在 -- 之后给出要运行的命令,如:with_worker -- python manage.py runserver"
            )
        worker_cmd = [sys.executable, str(settings.BASE_DIR / "manage.py"), "jobs_worker"]
        stopping = False

        def stop_both(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop_both)
        signal.signal(signal.SIGTERM, stop_both)
        # The command is the operator's own (from the Makefile), as with any launcher.
        worker = subprocess.Popen(worker_cmd, start_new_session=True)  # noqa: S603
        server = subprocess.Popen(command, start_new_session=True)  # noqa: S603
        self.stdout.write(f"后台任务进程已启动(pid {worker.pid})")
        try:
            while not stopping and server.poll() is None:
                if worker.poll() is not None:
                    self.stderr.write("后台任务进程已退出,正在重新启动…")
                    time.sleep(RESTART_PAUSE)
                    worker = subprocess.Popen(worker_cmd, start_new_session=True)  # noqa: S603
                time.sleep(0.5)
        finally:
            _stop(server)
            _stop(worker)
        return None
