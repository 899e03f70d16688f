"""SQLite demo: do page writes keep working while a long import runs as a job?

The issue measured 6 of 780 concurrent writes failing with "database is locked"
during a 125 s import, which then was one transaction. Now the import job
commits in batches (spreadsheets.IMPORT_BATCH households each) and writers wait
on a busy timeout. This runs, on a fresh SQLite file in a temporary folder:

  * the import of an N-household ledger as a background job (job_run, the same
    call the worker makes, with its heartbeat thread), and meanwhile
  * W writer threads, each editing its own household through the service
    (household_update: a transaction with history and a re-assessment, as the
    home-visit page does) as fast as it can,

and prints the import's duration and, for the writes, how many were attempted,
how many failed and their latency (p50/p95/max).

    python bench/sqlite_import_bench.py                 # 1000 households, 4 writers
    ... --households 3000 --writers 8
    ... --batch 0                                        # the old way: one transaction
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(var_dir: str) -> None:
    os.environ.pop("DATABASE_URL", None)  # the SQLite demo database under var_dir
    os.environ["JIUZHU_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()


def ledger(villages: list[str], n: int) -> bytes:
    import random

    from openpyxl import Workbook

    from jiuzhu.core.idnumber import check_char
    from jiuzhu.households import spreadsheets

    rng = random.Random(9)
    hh_headers = [c.header for c in spreadsheets.household_columns()]
    m_headers = [c.header for c in spreadsheets.member_columns()]
    wb = Workbook()
    wb.remove(wb.active)
    ws_h, ws_m = wb.create_sheet("家庭"), wb.create_sheet("成员")
    ws_h.append(hh_headers)
    ws_m.append(m_headers)
    used: set[str] = set()
    for key in range(1, n + 1):
        ws_h.append([{"户序号": key, "所属村(居)代码": villages[key % len(villages)],
                      "家庭住址": f"测试组{key}号"}.get(h) for h in hh_headers])  # fmt: skip
        for relation in ("户主", "配偶"):
            while True:
                first17 = f"530128{1950 + rng.randrange(50)}0{rng.randrange(1, 10)}1{rng.randrange(10)}{rng.randrange(1000):03d}"
                number = first17 + check_char(first17)
                if number not in used:
                    used.add(number)
                    break
            ws_m.append([{"户序号": key, "与户主关系": relation, "姓名": f"测试{relation}{key}",
                          "身份证号": number}.get(h) for h in m_headers])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=None, help="每批户数;0 = 整个文件一个事务")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="jiuzhu-sqlite-bench-")
    setup(var_dir)
    from django.core.management import call_command
    from django.db import OperationalError, connection

    from jiuzhu.accounts.models import Role, User
    from jiuzhu.demo import generator
    from jiuzhu.households import services, spreadsheets
    from jiuzhu.households.models import Household
    from jiuzhu.households.spreadsheets import commit
    from jiuzhu.jobs.models import Job
    from jiuzhu.jobs.services import job_run
    from jiuzhu.regions.models import Level, Region

    print(f"SQLite {connection.settings_dict['NAME']}(WAL,busy timeout "
          f"{connection.settings_dict['OPTIONS'].get('timeout')} s)", flush=True)  # fmt: skip
    call_command("migrate", verbosity=0)
    generator.load_county()
    township = Region.objects.filter(level=Level.TOWNSHIP).order_by("code").first()
    villages = list(
        Region.objects.filter(parent=township, level=Level.VILLAGE).values_list("code", flat=True)
    )
    clerk = User.objects.create(username="bench", role=Role.TOWNSHIP_STAFF, display_name="测试")
    clerk.grants.create(region=township)
    member = {"relation": "head", "name": "测试写入", "id_number": ""}
    targets = []
    for i in range(args.writers):
        from jiuzhu.core.idnumber import check_char

        first17 = f"53012819800101{i:03d}"
        member["id_number"] = first17 + check_char(first17)
        targets.append(services.household_create(
            actor=clerk, fields={"village": Region.objects.get(pk=villages[0]),
                                 "address": f"写入测试{i}号"}, members=[dict(member)],
        ))  # fmt: skip

    if args.batch is not None:
        commit.import_commit.__kwdefaults__["batch_size"] = args.batch or 10**9
    if args.batch == 0:  # as before issue 9: the whole file in one transaction
        commit.BATCH_SECONDS, commit.SQLITE_PAUSE_SECONDS = float("inf"), 0.0
    upload = spreadsheets.upload_save(
        data=ledger(villages, args.households), user=clerk, filename="bench.xlsx"
    )
    job = Job.objects.create(kind="import", key=f"import:{upload.token}", actor=clerk,
                             params={"token": upload.token, "filename": "bench.xlsx"})  # fmt: skip
    batch = commit.import_commit.__kwdefaults__["batch_size"]
    print(f"导入 {args.households} 户(每批 {batch if batch < 10**9 else '全部'} 户),"
          f"同时 {args.writers} 个写入线程", flush=True)  # fmt: skip

    running = threading.Event()
    running.set()
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def writer(household_id: int) -> None:
        n = 0
        try:
            while running.is_set():
                n += 1
                t0 = time.perf_counter()
                try:
                    household = Household.objects.get(pk=household_id)
                    services.household_update(
                        actor=clerk, household=household,
                        fields={"village": household.village, "address": f"写入测试{n}号"},
                    )  # fmt: skip
                except OperationalError as exc:
                    with lock:
                        failures.append(str(exc))
                else:
                    with lock:
                        latencies.append(time.perf_counter() - t0)
                time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(h.pk,)) for h in targets]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    job = job_run(job_id=job.pk)
    seconds = time.perf_counter() - t0
    running.clear()
    for t in threads:
        t.join()

    print(f"导入:{job.status},{(job.result or {}).get('imported', 0)} 户,用时 {seconds:.1f} 秒"
          + (f",失败原因:{job.error}" if job.error else ""))  # fmt: skip
    total = len(latencies) + len(failures)
    if latencies:
        q = statistics.quantiles(latencies, n=20)
        print(f"并发写入:{total} 次,失败 {len(failures)} 次;耗时 p50 {statistics.median(latencies) * 1000:.0f} ms,"
              f"p95 {q[18] * 1000:.0f} ms,最长 {max(latencies) * 1000:.0f} ms")  # fmt: skip
    else:
        print(f"并发写入:{total} 次,全部失败")
    for message in sorted(set(failures))[:3]:
        print(f"  失败:{message}")


if __name__ == "__main__":
    main()
