"""python manage.py jobs_worker — the background-job worker (production and demo).

It first fails the jobs a dead worker left running (with the Chinese reason
services.INTERRUPTED), then runs django-tasks-db's `db_worker` loop, and every
HOUSEKEEPING_SECONDS runs housekeeping in a thread: expired uploads and export
files are deleted, jobs whose heartbeat stopped are failed. Several workers may
run at once (each claims a queued task under a row lock)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from jiuzhu.jobs import services


def _housekeeping_loop(every: float, stop: threading.Event, write) -> None:
    while True:
        try:
            done = services.housekeeping()
            if any(n for n in done.values()):
                write(f"例行清理:{done}")
        except Exception as exc:  # a failed round must not end the loop
            write(f"例行清理失败:{exc.__class__.__name__}")
        finally:
            connection.close()
        if stop.wait(every):
            return


class Command(BaseCommand):
    help = "运行后台任务进程:先把中断的任务标记为失败,再依次执行排队的任务,并定期清理过期文件"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="无任务时每隔几秒查看队列")
        parser.add_argument(
            "--housekeeping-seconds",
            type=float,
            default=None,
            help="例行清理的间隔秒数(默认取设置 HOUSEKEEPING_SECONDS;0 表示不清理)",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="执行这么多个任务后退出")

    def handle(self, *args, interval, housekeeping_seconds, max_tasks, **options):
        failed = services.job_recover()
        if failed:
            self.stdout.write(f"已将 {failed} 个中断的任务标记为失败")
        every = (
            settings.HOUSEKEEPING_SECONDS if housekeeping_seconds is None else housekeeping_seconds
        )
        stop = threading.Event()
        if every > 0:
            threading.Thread(
                target=_housekeeping_loop,
                args=(every, stop, self.stdout.write),
                name="housekeeping",
                daemon=True,
            ).start()
        worker_args = ["--no-reload", "--no-startup-delay", f"--interval={interval}"]
        if max_tasks:
            worker_args.append(f"--max-tasks={max_tasks}")
        try:
            call_command("db_worker", *worker_args, verbosity=options["verbosity"])
        finally:
            stop.set()
