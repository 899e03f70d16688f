"""python manage.py housekeeping — one round of the clean-up the worker runs every
HOUSEKEEPING_SECONDS, for cron where no worker runs it: uploads never confirmed
(they hold ID numbers) past their time limit, finished jobs' files past theirs,
and jobs whose worker died (failed with a Chinese reason)."""

from django.core.management.base import BaseCommand

from jiuzhu.jobs.services import housekeeping

LABELS = {
    "jobs_failed": "中断任务标记为失败",
    "job_files": "删除过期任务文件",
    "queue_rows": "删除一周前已结束的队列记录",
    "uploads": "删除过期未确认的上传文件",
}


class Command(BaseCommand):
    help = "例行清理:过期的上传文件与导出文件、已中断的后台任务"

    def handle(self, *args, **options):
        done = housekeeping()
        for name, n in done.items():
            self.stdout.write(f"{LABELS.get(name, name)}:{n}")
