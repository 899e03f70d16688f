"""季度推送: send each department the households eligible for its policies (seed 002)."""

import argparse

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.referrals.services import referral_push_quarter


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
            counts = referral_push_quarter(
                quarter=quarter, region=region, limit_per_department=limit_per_department
            )
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from None
        for department, n in sorted(counts.items()):
            self.stdout.write(f"{department}: {n}")
        self.stdout.write(f"共推送 {sum(counts.values())} 条转介({quarter})")
