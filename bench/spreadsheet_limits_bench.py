"""Crafted spreadsheets: what reading each one costs (time, peak memory, answer).

    python bench/spreadsheet_limits_bench.py
    ... --only xfd,bomb          some of them

Each file (tests/support/crafted.py builds them) is read by the import's reader
(`households.spreadsheets.read_workbook`) in a child process of its own, so a
reader that runs out of memory kills the child, not the benchmark, and the child's
peak resident memory is its own. No database is touched: reading comes before any
row is validated. A file refused with a Chinese message is the expected answer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VILLAGE = "530128109201"

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
import django
django.setup()
from jiuzhu.households import spreadsheets
data = open({path!r}, "rb").read()
t0 = time.perf_counter()
try:
    hh, m = spreadsheets.read_workbook(source=data)
    answer = f"读出 家庭{{len(hh.rows)}}行 成员{{len(m.rows)}}行"
except spreadsheets.SpreadsheetError as exc:
    answer = "拒绝:" + str(exc)
print(f"{{time.perf_counter() - t0:.3f}}\\t{{answer}}")
"""


def build(name: str) -> bytes:
    from tests.support import crafted

    makers = {
        "xfd": lambda: crafted.openpyxl_ledger_with_far_cell("XFD1048576", village=VILLAGE),
        "ah": lambda: crafted.openpyxl_ledger_with_far_cell("AH1048576", village=VILLAGE),
        "bomb": lambda: crafted.zip_bomb(inflated_mb=400),
        "rows": lambda: crafted.too_many_rows(village=VILLAGE, members=30_001),
        "columns": lambda: crafted.too_many_columns(village=VILLAGE),
        "string": lambda: crafted.huge_shared_string(village=VILLAGE),
        "sparse": lambda: crafted.sparse_rows_far_below(village=VILLAGE),
        "xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 6000,
        "nonzip": lambda: "户序号,姓名\n1,测试\n".encode(),
    }
    return makers[name]()


LABELS = {
    "xfd": "一个单元格在 XFD1048576",
    "ah": "一个单元格在 AH1048576",
    "bomb": "压缩炸弹(解压 400 MB)",
    "rows": "成员表 30,001 行",
    "columns": "第 300 列有值",
    "string": "一个 100 万字的单元格",
    "sparse": "20 万个只有格式的空行",
    "xls": "旧版 .xls",
    "nonzip": "不是 zip(CSV 改名)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(LABELS))
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    import django

    django.setup()
    print("\n== 构造的表格:读取耗时、峰值内存、回答 ==", flush=True)
    print(f"{'文件':<24}{'大小':>10}{'耗时 s':>9}{'峰值 MB':>9}  回答")
    for name in args.only.split(","):
        data = build(name)
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as fh:
            fh.write(data)
            path = fh.name
        code = CHILD.format(root=str(ROOT), path=path)
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-c", code],
                stdout=out,
                stderr=err,
                env={**os.environ, "JIUZHU_LOG_LEVEL": "ERROR"},
            )
            timer = threading.Timer(args.timeout, child.kill)
            timer.start()
            # wait4, not communicate: it hands back this child's own peak memory.
            _, status, usage = os.wait4(child.pid, 0)
            timer.cancel()
            wall = time.perf_counter() - t0
            out.seek(0)
            err.seek(0)
            text, errors = out.read().decode().strip(), err.read().decode().strip()
        os.unlink(path)
        code = os.waitstatus_to_exitcode(status)
        if code == 0 and text:
            seconds, answer = text.split("\t", 1)
        else:
            last = (errors.splitlines() or ["?"])[-1]
            seconds, answer = f"{wall:.1f}", f"进程退出({code}):{last[:90]}"
        peak = f"{usage.ru_maxrss / 1024:.0f}"
        size = f"{len(data) / 1024:.1f} KB"
        print(f"{LABELS[name]:<24}{size:>10}{float(seconds):>9.2f}{peak:>9}  {answer[:110]}")


if __name__ == "__main__":
    main()
