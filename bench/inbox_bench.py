"""Inbox benchmark: the department officer's 待办 page with 100,000 referrals sent to
their department — p50 / p95 of the whole page (nav badge included), first page and a
deep page, through Django's test client on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/inbox_bench.py
    ... --referrals 20000       a quicker run

Uses the `jiuzhu_bench` database of the other benchmarks (its households must exist:
run bench/assessment_bench.py or bench/registry_bench.py first, as `make bench` does).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_P95 = 0.5  # s, the inbox page of a department holding 100,000 referrals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    import registry_bench

    url = registry_bench.bench_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu")
    )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from jiuzhu.accounts.models import User
    from jiuzhu.demo import generator
    from jiuzhu.policies.services import library_load
    from jiuzhu.referrals.models import Referral

    settings.ALLOWED_HOSTS = ["*"]
    n = args.referrals
    print(
        f"\n== 部门待办:基准数据库 {registry_bench.BENCH_DB},一个部门 {n:,} 条转介 ==", flush=True
    )
    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    library_load()
    officer = User.objects.get(username="yibao")
    table = Referral._meta.db_table
    if Referral.objects.filter(department_id=officer.department).count() != n:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - bench database only
            # Statuses and deadlines spread as in a working inbox: a third still to accept,
            # some in hand, a tenth overdue, the rest answered or closed.
            cursor.execute(
                f"INSERT INTO {table} (household_id, village_id, department_id, need, channel, "  # noqa: S608
                "quarter, note, deadline, status, return_reason, assistance, feedback, "
                "created_at, status_changed_at) "
                "SELECT h.id, h.village_id, %s, 'medical', 'quarterly', '', '', "
                "CURRENT_DATE + ((h.id %% 40) - 4)::int, "
                "(ARRAY['sent','sent','sent','accepted','reviewed','assisted','feedback_given',"
                "'done','done','done'])[1 + (h.id %% 10)], '', '', '', now(), now() "
                "FROM households_household h ORDER BY h.id LIMIT %s",
                [officer.department, n],
            )
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608
        print(f"  写入 {n:,} 条转介,用时 {time.perf_counter() - t0:.1f} 秒", flush=True)
    client = Client()
    client.force_login(officer)
    results = {}
    for label, path in (("第一页", "/inbox/"), ("第 50 页", "/inbox/?p1=50&p2=50")):
        client.get(path)  # warm up
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        results[label] = p95
        verdict = "达标" if p95 < TARGET_P95 else f"未达标(>{TARGET_P95}s)"
        print(f"  待办页 {label}:p50 {statistics.median(times) * 1000:.0f} 毫秒,"
              f"p95 {p95 * 1000:.0f} 毫秒 {verdict}({args.requests} 次)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
