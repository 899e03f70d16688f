"""季度推送: send each department the households eligible for its policies (seed 002).

Runs the same job as the page (/referrals/push/), inline: it is recorded with its
result, and refused while a push of the same quarter and region is running."""

import argparse

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.jobs.models import JobStatus
from jiuzhu.jobs.services import job_run, job_start
from jiuzhu.referrals.services import quarter_parse
from jiuzhu.regions.models import prefix_of


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"应为正整数:{value}")
    return number


class Command(BaseCommand):
    help = "按季度向各部门推送符合其政策条件但尚未享受的家庭(每户每项政策每季度一次)"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="季度,如 2026Q4")
        parser.add_argument("--region", default=None, help="只推送该区划下的家庭(默认全部)")
        parser.add_argument(
            "--limit-per-department",
            type=_positive,
            default=None,
            metavar="N",
            help="每个部门本季度至多推送 N 条(含本季度已推送的),困难指数高的家庭优先",
        )

    def handle(self, *args, quarter, region, limit_per_department, **options):
        try:
            year, q = quarter_parse(quarter)
            scope = prefix_of(region) if region else "all"
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from None
        except (ValueError, KeyError) as exc:
            raise CommandError(f"区划代码无效:{region}") from exc
        quarter = f"{year}Q{q}"
        job, created = job_start(
            actor=None,
            kind="push",
            key=f"push:{quarter}:{scope}",
            region=region or "",
            params={"quarter": quarter, "region": region,
                    "limit_per_department": limit_per_department},
            enqueue=False,
        )  # fmt: skip
        if not created:
            raise CommandError(f"{quarter} 季度推送正在进行中(任务 {job.pk}),不能重复发起")
        job = job_run(job_id=job.pk)
        if job is None or job.status != JobStatus.DONE:
            raise CommandError(f"推送失败:{job.error if job else '任务未能执行'}")
        for row in job.result["departments"]:
            self.stdout.write(f"{row['name']}: {row['count']}")
        self.stdout.write(f"共推送 {job.result['total']} 条转介({quarter})")
