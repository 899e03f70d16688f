"""Case deadlines benchmark: a county's case list with its legal deadlines and the
已逾期 filter, and the county's inbox with its overdue count, at a county's scale
(50,000 cases, half of them before the county's decision) — p50 / p95 of the whole page through Django's
test client on PostgreSQL, and the plan of the overdue count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/case_deadlines_bench.py
    ... --cases 20000           a quicker run

Uses the benchmarks' database (JIUZHU_BENCH_DB, default jiuzhu_bench); it needs at
least as many households as cases and generates them when there are fewer (an empty
registry only). The cases it writes replace every case of that database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_P95 = 0.3  # s, a case list page of a county


def _p(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[max(0, int(round(q * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    import registry_bench

    registry_bench.django_on_bench_db()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from jiuzhu.accounts.models import User
    from jiuzhu.cases import deadlines
    from jiuzhu.cases.models import Case, CaseEvent
    from jiuzhu.demo import generator
    from jiuzhu.households.models import Household
    from jiuzhu.referrals.inbox import inbox

    settings.ALLOWED_HOSTS = ["*"]
    n = args.cases
    print(f"\n== 个案办理时限:基准数据库 {registry_bench.BENCH_DB},{n:,} 件个案 ==", flush=True)
    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    if Household.objects.count() < n:
        if Household.objects.exists():
            sys.exit(f"基准数据库的家庭少于 {n:,} 户:请先清空或用 --cases 调小")
        t0 = time.perf_counter()
        generator.generate(households=n)
        print(f"  生成 {n:,} 户家庭,用时 {time.perf_counter() - t0:.1f} 秒", flush=True)
    table = Case._meta.db_table
    if Case.objects.count() != n:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CaseEvent._meta.db_table}")  # noqa: S608
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - bench database only
            # Accepted over the last 200 days; half before the county's decision, spread
            # over its steps, a tenth in implementation, the rest closed; 1 in 50 complex.
            cursor.execute(
                f"INSERT INTO {table} (number, receipt_code, applicant_name, applicant_phone, "  # noqa: S608
                "applicant_address, description, channel, proxy, note, status, is_returned, "
                "measures, created_at, updated_at, status_changed_at, assessment_started_at, "
                "submitted_at, decided_at, closed_at, household_id, village_id, "
                "complex_reason, is_complex) "
                "SELECT 'BENCH-' || h.id, 'B' || lpad(h.id::text, 11, '0'), '', '', '', '', "
                "'window', '', '', s.status, false, '[]'::jsonb, s.accepted, now(), now(), "
                "CASE WHEN s.status <> 'received' THEN s.accepted + interval '2 days' END, "
                "CASE WHEN s.status NOT IN ('received', 'assessing', 'planning') "
                "     THEN s.accepted + interval '15 days' END, "
                "CASE WHEN s.status IN ('approved', 'implementing', 'closed') "
                "     THEN s.accepted + interval '25 days' END, "
                "CASE WHEN s.status = 'closed' THEN s.accepted + interval '60 days' END, "
                "h.id, h.village_id, '', h.id %% 50 = 0 "
                "FROM (SELECT id, village_id FROM households_household ORDER BY id LIMIT %s) h, "
                "LATERAL (SELECT now() - ((h.id * 7919) %% 200) * interval '1 day' AS accepted, "
                "(ARRAY['received','assessing','planning','submitted','reviewing',"
                "'implementing','closed','closed','closed','closed'])[1 + (h.id %% 10)] "
                "AS status) s",
                [n],
            )
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608
        print(f"  写入 {n:,} 件个案,用时 {time.perf_counter() - t0:.1f} 秒", flush=True)
    xian = User.objects.get(username="xian")
    overdue = Case.objects.filter(deadlines.overdue_q())
    with connection.cursor() as cursor:
        sql, params = overdue.values("id").query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) q", params)  # noqa: S608
        plan = [row[0] for row in cursor.fetchall()]
    print(f"  已逾期个案 {overdue.count():,} 件;计数查询计划:", flush=True)
    for line in plan:
        if "Scan" in line or "Execution Time" in line:
            print(f"    {line.strip()}", flush=True)
    t0 = time.perf_counter()
    box = inbox(user=xian)
    print(f"  县级待办:待办个案 {box.cases.count():,} 件,其中逾期 {box.cases_overdue:,} 件,"
          f"用时 {(time.perf_counter() - t0) * 1000:.0f} 毫秒", flush=True)  # fmt: skip
    client = Client()
    client.force_login(xian)
    for label, path in (
        ("个案列表第一页", "/cases/"),
        ("个案列表 已逾期", "/cases/?overdue=1"),
        ("已逾期第 50 页", "/cases/?overdue=1&page=50"),
        ("已逾期、待我办理", "/cases/?overdue=1&waiting=1"),
        ("待办页", "/inbox/"),
    ):
        client.get(path)  # warm up
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        p95 = _p(times, 0.95)
        verdict = "达标" if p95 < TARGET_P95 else f"未达标(>{TARGET_P95}s)"
        print(f"  {label}:p50 {statistics.median(times) * 1000:.0f} 毫秒,"
              f"p95 {p95 * 1000:.0f} 毫秒 {verdict}({args.requests} 次)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
