"""Quarterly push benchmark: match a 1,000,000-household registry against the policy library
and push one quarter's referrals (季度推送) — time per step, rows per second, peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/push_bench.py
    ... --households 100000     a quicker run
    ... --path old              the per-pair path it replaced (one Referral object per pair)
    ... --limit-per-department N

Works in the database `jiuzhu_bench` like the other benchmarks (generating the demo
county there, in a child process, only when it does not already hold the requested
number of households). The quarter's earlier push referrals are deleted first, so
every run writes the same rows, and again at the end (untimed; `--keep` keeps them),
so the other benchmarks find the referral table as they left it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()


def generate(n: int, seed: int) -> None:
    """The demo county with n households (the child process; its memory is not measured)."""
    from django.core.management import call_command
    from django.db import transaction

    from jiuzhu.demo import generator
    from jiuzhu.households.models import Household
    from jiuzhu.policies.services import library_load

    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    library_load()
    if Household.objects.count() != n:
        print(f"  生成 {n:,} 户演示数据……", flush=True)
        t0 = time.perf_counter()
        with transaction.atomic():
            generator.wipe()
            generator.generate(households=n, seed=seed)
        print(f"  生成用时 {time.perf_counter() - t0:.0f} 秒", flush=True)


def forget_quarter(quarter: str) -> int:
    """Delete the quarter's push referrals and their events (SQL: no Python object per row)."""
    from django.db import connection, transaction

    from jiuzhu.referrals.models import Referral, ReferralEvent

    qn = connection.ops.quote_name
    referrals, events = qn(Referral._meta.db_table), qn(ReferralEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {events} WHERE referral_id IN "  # noqa: S608
            f"(SELECT id FROM {referrals} WHERE quarter = %s)",
            [quarter],
        )
        cursor.execute(f"DELETE FROM {referrals} WHERE quarter = %s", [quarter])  # noqa: S608
        deleted = cursor.rowcount
    if deleted:
        with connection.cursor() as cursor:  # autocommit: reclaim the space before timing
            cursor.execute(f"VACUUM (ANALYZE) {referrals}, {events}")
    return deleted


def push_row_by_row(*, quarter: str, match) -> dict[str, int]:
    """The per-pair path the set-based push replaced (kept here to compare against)."""
    from django.db import transaction
    from django.utils import timezone

    from jiuzhu.referrals import services
    from jiuzhu.referrals.models import Referral, ReferralEvent

    with transaction.atomic():
        policies = {p.code: p for p in match.policies}
        missing = match.missing(list(policies)).join(match.households, on="household_id")
        already = set(
            Referral.objects.filter(quarter=quarter).values_list("household_id", "policy__code")
        )
        deadline, now = services.referral_deadline(), timezone.now()
        rows = []
        for household_id, code, village_id in missing.select(
            "household_id", "policy", "village_id"
        ).iter_rows():
            if (household_id, code) in already:
                continue
            policy = policies[code]
            rows.append(Referral(
                household_id=household_id, village_id=village_id,
                department_id=policy.department_id, policy=policy,
                need=(policy.needs or [""])[0], channel="quarterly", quarter=quarter,
                note=f"{quarter} 季度推送:符合“{policy.name}”条件,尚未享受",
                deadline=deadline, created_at=now, status_changed_at=now,
            ))  # fmt: skip
        created = Referral.objects.bulk_create(rows, batch_size=5000)
        ReferralEvent.objects.bulk_create(
            [ReferralEvent(referral_id=r.pk, action="push", to_status=r.status, at=now)
             for r in created],
            batch_size=5000,
        )  # fmt: skip
        counts: dict[str, int] = {}
        for r in created:
            counts[r.department_id] = counts.get(r.department_id, 0) + 1
        return counts


def timed(seconds: dict[str, float], name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=530128)
    parser.add_argument("--quarter", default="2026Q4")
    parser.add_argument("--path", choices=["new", "old"], default="new")
    parser.add_argument("--limit-per-department", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="保留本次推送的转介(默认删除)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import registry_bench

    url = registry_bench.bench_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu")
    )
    n = args.households
    if args.generate_only:
        setup(url)
        generate(n, args.seed)
        return
    registry_bench.create_database(url)
    print(f"\n== 季度推送:基准数据库 {registry_bench.BENCH_DB},{n:,} 户,{args.quarter},"
          f"{'逐条(旧)' if args.path == 'old' else '整表(新)'} ==", flush=True)  # fmt: skip
    child = [sys.executable, __file__, "--generate-only", "--households", str(n),
             "--seed", str(args.seed)]  # fmt: skip
    subprocess.run(child, check=True, env={**os.environ, "DATABASE_URL": url})  # noqa: S603 - this file
    setup(url)
    from jiuzhu.policies.matching import match_region
    from jiuzhu.policies.models import Policy
    from jiuzhu.referrals.services import push

    t0 = time.perf_counter()
    deleted = forget_quarter(args.quarter)
    if deleted:
        print(f"  已删除 {args.quarter} 此前的推送 {deleted:,} 条({time.perf_counter() - t0:.0f} 秒,"
              "不计时)", flush=True)  # fmt: skip
    base = peak_mb()
    policies = list(Policy.objects.in_force().select_related("department"))

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    match = match_region(None, policies=policies)
    seconds["match"] = time.perf_counter() - t0
    after_match = peak_mb()
    if args.path == "old":
        t0 = time.perf_counter()
        counts = push_row_by_row(quarter=args.quarter, match=match)
        seconds["push"] = time.perf_counter() - t0
    else:
        push._push_frame = timed(seconds, "frame", push._push_frame)
        push._push_write = timed(seconds, "write", push._push_write)
        t0 = time.perf_counter()
        counts = push.referral_push_quarter(
            quarter=args.quarter, match=match, limit_per_department=args.limit_per_department
        )
        seconds["push"] = time.perf_counter() - t0
        steps = dict(push.STEPS)
        seconds["validate"] = steps.pop("validate", 0.0)
        seconds["commit"] = (
            seconds["push"] - seconds["frame"] - seconds["write"] - seconds["validate"]
        )
    written = sum(counts.values())
    total = seconds["match"] + seconds["push"]
    inner = ",".join(f"{k} {v:.1f}s" for k, v in match.seconds.items())
    print(f"  匹配 {match.households.height:,} 户 × {len(policies)} 项政策:"
          f"{seconds['match']:6.1f} 秒({inner})", flush=True)  # fmt: skip
    if args.path == "new":
        print(f"  建表(Polars):{seconds['frame']:6.1f} 秒", flush=True)
        labels = {"stage": "COPY 入临时表", "lock": "等锁", "prove": "整批核对外键目标",
                  "insert": "INSERT…SELECT 转介 + 流转记录", "restore": "恢复外键(NOT VALID)"}  # fmt: skip
        inner = ",".join(f"{labels.get(k, k)} {v:.1f}s" for k, v in steps.items())
        print(f"  写入:{seconds['write']:6.1f} 秒({inner})", flush=True)
        print(f"  提交:{seconds['commit']:6.1f} 秒", flush=True)
        print(
            f"  提交后整表校验外键(VALIDATE CONSTRAINT):{seconds['validate']:6.1f} 秒", flush=True
        )
    else:
        print(f"  推送(逐条对象 + bulk_create):{seconds['push']:6.1f} 秒", flush=True)
    print(f"  合计 {total:6.1f} 秒;写入 {written:,} 条转介(及同数流转记录),"
          f"{written / seconds['push']:,.0f} 条/秒(推送部分)", flush=True)  # fmt: skip
    print(f"  峰值内存 RSS {peak_mb():,.0f} MB(启动后 {base:,.0f} MB,匹配后 {after_match:,.0f} MB)",
          flush=True)  # fmt: skip
    for department, count in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {department}:{count:,}", flush=True)
    if not args.keep:
        t0 = time.perf_counter()
        forget_quarter(args.quarter)
        print(f"  已删除本次推送({time.perf_counter() - t0:.0f} 秒,不计时)", flush=True)


if __name__ == "__main__":
    main()
