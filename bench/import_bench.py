"""Import benchmark: the largest ledger the import allows (5,000 households, 30,000
members, every column filled) — reading, validating and committing, with time and
peak memory of each step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/import_bench.py
    ... --database jiuzhu_import_bench   the database it creates and uses (default)
    ... --households 1000                a smaller file
    ... --no-commit                      read and validate only

The database named by --database is created on the server of DATABASE_URL; the
import's households are deleted again after each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def create_database(url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("基准测试需要 PostgreSQL:请设置 DATABASE_URL=postgres://…")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ledger(*, households: int, members: int, villages: list[str]) -> bytes:
    """Every column of the template filled with a value its form accepts."""
    from openpyxl import Workbook

    from jiuzhu.households import spreadsheets
    from tests.factories import make_id_number

    rng = random.Random(9)
    wb = Workbook(write_only=True)

    def value(col, k: int):
        if col.name == "key":
            return k
        if col.kind == "region":
            return villages[k % len(villages)] if col.name == "village" else None
        if col.kind == "id":
            return make_id_number()
        if col.kind == "bool":
            return rng.choice(["是", "否"])
        if col.kind in ("choice", "multi"):
            labels = col.labels()
            return labels[0] if labels else None
        if col.kind == "decimal":
            return rng.randrange(0, 20000)
        if col.kind == "int":
            return rng.randrange(0, 3)
        if col.kind == "date":
            return dt.date(2024, 5, 1)
        if col.name == "phone":
            return f"139{rng.randrange(10**8):08d}"
        return f"测试{col.header}{k}"

    hh_cols, m_cols = spreadsheets.household_columns(), spreadsheets.member_columns()
    ws = wb.create_sheet("家庭")
    ws.append([col.header for col in hh_cols])
    for k in range(1, households + 1):
        ws.append([value(col, k) for col in hh_cols])
    ws = wb.create_sheet("成员")
    ws.append([col.header for col in m_cols])
    per = members // households
    for k in range(1, households + 1):
        for j in range(per):
            row = [value(col, k) for col in m_cols]
            row[[c.name for c in m_cols].index("relation")] = "户主" if j == 0 else "子女"
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jiuzhu_import_bench")
    parser.add_argument("--households", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--no-commit", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu")
    os.environ["DATABASE_URL"] = create_database(url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    from jiuzhu.accounts.models import Role, User
    from jiuzhu.demo import generator
    from jiuzhu.households import spreadsheets
    from jiuzhu.households.models import Household
    from jiuzhu.regions.models import Level, Region

    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    clerk = User.objects.filter(role=Role.COUNTY_STAFF).order_by("pk").first()
    villages = list(
        Region.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    print(
        f"\n== 导入最大允许文件:{args.households:,} 户 / {args.members:,} 人,"
        f"数据库 {args.database} ==",
        flush=True,
    )
    t0 = time.perf_counter()
    data = ledger(households=args.households, members=args.members, villages=villages)
    print(f"生成文件      {time.perf_counter() - t0:7.2f} s   {len(data) / 1024 / 1024:.1f} MB")
    base = peak_mb()
    t0 = time.perf_counter()
    hh, m = spreadsheets.read_workbook(source=data)
    print(
        f"读取(两表)    {time.perf_counter() - t0:7.2f} s   峰值内存 {peak_mb():.0f} MB"
        f"(读取前 {base:.0f} MB)  家庭 {len(hh.rows)} 行,成员 {len(m.rows)} 行"
    )
    del hh, m
    t0 = time.perf_counter()
    report = spreadsheets.validate(source=data, user=clerk)
    print(
        f"读取+逐行校验  {time.perf_counter() - t0:7.2f} s   峰值内存 {peak_mb():.0f} MB  "
        f"可导入 {len(report.good)} 户,有问题 {len(report.bad)} 户"
    )
    if args.no_commit:
        return
    before = set(Household.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    result = spreadsheets.import_commit(actor=clerk, report=report, token="bench")
    print(
        f"写入          {time.perf_counter() - t0:7.2f} s   峰值内存 {peak_mb():.0f} MB  "
        f"导入 {len(result.imported)} 户 {result.members} 人"
    )
    Household.objects.exclude(pk__in=before).delete()


if __name__ == "__main__":
    main()
