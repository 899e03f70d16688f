"""Household list benchmark: each sort and filter of the list, at a county's scale and more.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/list_bench.py
    ... --households 50000      a quicker run
    ... --reuse                 keep the bench database if it already holds N households
                                (assessing them first if some are not; `make bench` runs it so at 1M)
    JIUZHU_BENCH_DB=jiuzhu_lists  the database to use (default jiuzhu_bench, shared with
                                  the other benchmarks)

DATABASE_URL only says which server to use; the benchmark creates and uses its own
database there (as bench/registry_bench.py), generates N demo households
(demo.generator, PostgreSQL COPY) and assesses them all (assessment.batch, as
`manage.py assess --all`), so every household has its latest assessment.
Requests go through the real view (django.test.Client, logged in), as the county
clerk (the whole county) and as a township clerk (one township); p50/p95 per variant.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registry_bench  # noqa: E402  (the bench database, percentiles)

TARGET_MS = 300.0  # p95 of one list page (issue 9's load target for the list pages)


def prepare(n: int, *, reuse: bool, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from jiuzhu.assessment.batch import assess_region
    from jiuzhu.assessment.models import LatestAssessment
    from jiuzhu.demo import generator
    from jiuzhu.households.models import Household, Member

    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    have = Household.objects.count()
    assessed = LatestAssessment.objects.count()
    if reuse and have == n and assessed == n:
        print(f"  已有 {n:,} 户且均已评估,沿用(--reuse)", flush=True)
    else:
        if not (reuse and have == n):
            t0 = time.perf_counter()
            with transaction.atomic():
                generator.wipe()
                generator.generate(households=n, seed=seed)
            print(f"  生成 {n:,} 户,用时 {time.perf_counter() - t0:.1f} 秒", flush=True)
        t0 = time.perf_counter()
        out = assess_region(None)
        print(f"  评估 {out['written']:,} 户,用时 {time.perf_counter() - t0:.1f} 秒", flush=True)
    with connection.cursor() as cursor:
        for table in (Household._meta.db_table, Member._meta.db_table,
                      LatestAssessment._meta.db_table):  # fmt: skip
            cursor.execute(f'VACUUM ANALYZE "{table}"')


def variants(last_page: int) -> list[tuple[str, dict]]:
    from jiuzhu.engine.model import FACTOR_LABELS, FACTORS

    rows = [
        ("默认(最新登记在前)", {}),
        ("困难指数 高→低", {"sort": "index_desc"}),
        ("困难指数 低→高", {"sort": "index_asc"}),
        ("户主姓名", {"sort": "name"}),
        ("户编号", {"sort": "number"}),
        ("最近评估日期", {"sort": "assessed_desc"}),
        ("困难指数 高→低 第50页", {"sort": "index_desc", "page": 50}),
        (f"困难指数 高→低 末页(第{last_page}页)", {"sort": "index_desc", "page": last_page}),
        (f"户主姓名 末页(第{last_page}页)", {"sort": "name", "page": last_page}),
        ("圈层=第一圈层", {"circle": 1}),
        ("圈层=第二圈层 + 困难指数 高→低", {"circle": 2, "sort": "index_desc"}),
        ("圈层=未分层 + 户主姓名", {"circle": 0, "sort": "name"}),
    ]
    rows += [(f"致困原因={FACTOR_LABELS[f]}", {"cause": f}) for f in FACTORS]
    rows += [
        ("致困原因=因灾 + 困难指数 高→低", {"cause": "disaster", "sort": "index_desc"}),
        ("致困原因=因病 + 圈层=第一圈层", {"cause": "illness", "circle": 1}),
        (
            "致困原因=因残 + 孤儿 + 最近评估",
            {"cause": "disability", "tag": "tag_orphan", "sort": "assessed_desc"},
        ),  # fmt: skip
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40, help="每项测量的请求数")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=530128)
    args = parser.parse_args()

    registry_bench.django_on_bench_db()
    from django.conf import settings
    from django.test import Client

    from jiuzhu.accounts.models import User
    from jiuzhu.households import selectors
    from jiuzhu.households.models import Household
    from jiuzhu.households.views import LIST_COUNT_CAP, PAGE_SIZE

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"基准数据库 {registry_bench.BENCH_DB},{args.households:,} 户", flush=True)
    prepare(args.households, reuse=args.reuse, seed=args.seed)
    print(
        f"  全县 {Household.objects.count():,} 户;每页 {PAGE_SIZE} 户,"
        f"页数按至多 {LIST_COUNT_CAP:,} 户计(更多时显示“{LIST_COUNT_CAP}+”)",
        flush=True,
    )
    client = Client()
    failed: list[str] = []
    for username in ("xian", "zhen"):
        user = User.objects.get(username=username)
        client.force_login(user)
        print(f"\n== {user.display_name}({username}),每项 {args.requests} 次 ==", flush=True)
        in_scope = selectors.household_list(user=user).order_by()[: LIST_COUNT_CAP + 1].count()
        last_page = -(-min(in_scope, LIST_COUNT_CAP) // PAGE_SIZE)
        print(f"  范围内 {in_scope:,}{'+' if in_scope > LIST_COUNT_CAP else ''} 户", flush=True)
        for label, params in variants(last_page):
            path = "/households/?" + urlencode(params)

            def get(path=path) -> None:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path} 返回 {response.status_code}")

            times = registry_bench.timed(get, [()] * args.requests)
            p50 = registry_bench.percentile(times, 0.5)
            p95 = registry_bench.percentile(times, 0.95)
            verdict = "达标" if p95 < TARGET_MS else f"未达标(>{TARGET_MS:.0f})"
            if p95 >= TARGET_MS:
                failed.append(f"{username} {label} p95 {p95:.1f} ms")
            print(f"  {label:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms  {verdict}", flush=True)
        client.logout()
    print("\n== 结论 ==")
    print("  全部达标" if not failed else "  未达标:\n  " + "\n  ".join(failed))


if __name__ == "__main__":
    main()
