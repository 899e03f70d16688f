"""Policy matching benchmark: every household of a 1,000,000-household registry against
the whole policy library (政策找人), vectorised — the time and where it goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/matching_bench.py
    ... --households 100000     a quicker run

Works in the database `jiuzhu_bench` like the other benchmarks (generating the demo
county there only when it does not already hold the requested number of households).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MATCH = 60.0  # s, 1,000,000 households against the whole library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=530128)
    args = parser.parse_args()
    import registry_bench

    registry_bench.django_on_bench_db()
    from django.core.management import call_command
    from django.db import transaction

    from jiuzhu.demo import generator
    from jiuzhu.households.models import Household
    from jiuzhu.policies.matching import match_region
    from jiuzhu.policies.models import Policy
    from jiuzhu.policies.services import library_load

    n = args.households
    print(f"\n== 政策匹配(政策找人):基准数据库 {registry_bench.BENCH_DB},{n:,} 户 ==", flush=True)
    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    library_load()
    if Household.objects.count() != n:
        print(f"  生成 {n:,} 户演示数据……", flush=True)
        with transaction.atomic():
            generator.wipe()
            generator.generate(households=n, seed=args.seed)
    policies = list(Policy.objects.in_force().select_related("department"))
    conditions = sum(1 for _ in policies)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        match = match_region(None, policies=policies)
        rows = match.summary()
        times.append(time.perf_counter() - t0)
    wall = min(times)
    steps = ",".join(f"{k} {v:.1f}s" for k, v in match.seconds.items())
    verdict = "达标" if wall < TARGET_MATCH or n < 1_000_000 else f"未达标(>{TARGET_MATCH:.0f}s)"
    households = match.households.height
    eligible = sum(r["eligible"] for r in rows)
    missing = sum(r["missing"] for r in rows)
    print(f"  {households:,} 户 × {conditions} 项政策:{wall:6.1f} 秒 {verdict}({steps};两次取快)",
          flush=True)  # fmt: skip
    print(f"  符合条件 {eligible:,} 户次,其中应享未享 {missing:,} 户次", flush=True)
    for r in sorted(rows, key=lambda r: -r["missing"])[:5]:
        print(f"    {r['policy'].name}:符合 {r['eligible']:,},已享 {r['received']:,},"
              f"应享未享 {r['missing']:,}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
