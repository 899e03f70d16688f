"""Assessment benchmark: the vectorised and the per-household engine paths, `assess --all`
on a million households in PostgreSQL, and the statistics table — one run, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/assessment_bench.py
    ... --households 100000     a quicker run (the database part at that size)
    ... --no-db                 only the in-memory engine comparison
    ... --db-only               only the database part

Like bench/registry_bench.py (whose helpers it reuses) it works in its own database
`jiuzhu_bench` on the DATABASE_URL server and generates the demo county there only
when it does not already hold the requested number of households.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RATE = 500_000  # households/s, in-memory scoring
TARGET_ASSESS_ALL = 60.0  # s, assess --all on 1,000,000 households, writes included
TARGET_TABLE = 1.0  # s, the factor × score table over 1,000,000 households

OCCUPATIONS = ["farmer", "migrant_worker", "local_worker", "student", "preschool", "unemployed",
               "none", "retired", "incapable"]  # fmt: skip


def synthetic(n: int, seed: int = 530128) -> tuple[pl.DataFrame, pl.DataFrame]:
    """n households and their members as the engine's frames, drawn with numpy (no database).

    Code columns are Enums, as the batch loader reads them from the database.
    """

    rng = np.random.default_rng(seed)
    size = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
    m = int(size.sum())

    def pick(values, p, k):
        return pl.Series(np.array(values)[rng.choice(len(values), k, p=p)]).cast(pl.Enum(values))

    def money(k, share, median):
        amount = np.round(rng.lognormal(np.log(median), 0.8, k), 2)
        return np.where(rng.random(k) < share, amount, 0.0)

    circumstances = ["elder_alone", "death", "debt", "disaster", "single_parent", "accident"]
    listed = rng.choice(len(circumstances) + 1, n, p=[0.05, 0.03, 0.05, 0.02, 0.05, 0.01, 0.79])
    special = pl.Series(
        [
            [] if i == len(circumstances) else [circumstances[i]]
            for i in range(len(circumstances) + 1)
        ],
        dtype=pl.List(pl.String),
    ).gather(listed)
    households = pl.DataFrame(
        {
            "household_id": np.arange(1, n + 1),
            "rural": rng.random(n) < 0.8,
            "tag_tekun": rng.random(n) < 0.03,
            "tag_dibao": rng.random(n) < 0.4,
            "tag_dibao_edge": rng.random(n) < 0.05,
            "tag_orphan": rng.random(n) < 0.005,
            "tag_unsupported_child": rng.random(n) < 0.005,
            "tag_monitored": rng.random(n) < 0.05,
            "tag_rigid_expense": rng.random(n) < 0.03,
            "business_income": money(n, 0.2, 8000),
            "rental_income": money(n, 0.05, 3000),
            "support_income": money(n, 0.1, 2000),
            "subsidy_income": money(n, 0.6, 1500),
            "land_transfer_income": money(n, 0.1, 1000),
            "serious_illness_expense": money(n, 0.15, 15000),
            "daily_medical_expense": money(n, 0.5, 1500),
            "housing_safety": pick(
                ["safe", "damaged", "c", "d", "none"], [0.8, 0.1, 0.05, 0.04, 0.01], n
            ),
            "housing_tenure": pick(
                ["own", "rent", "borrowed", "public"], [0.85, 0.08, 0.05, 0.02], n
            ),
            "rent_expense": money(n, 0.08, 3000),
            "disaster_loss": money(n, 0.03, 10000),
            "special_circumstances": special,
        }
    )
    disability = pick(["none", "physical", "visual", "hearing"], [0.88, 0.07, 0.03, 0.02], m)
    members = pl.DataFrame(
        {
            "household_id": np.repeat(np.arange(1, n + 1), size),
            "age": rng.integers(0, 95, m),
            "occupation": pick(
                OCCUPATIONS, [0.35, 0.2, 0.05, 0.15, 0.03, 0.05, 0.07, 0.05, 0.05], m
            ),
            "labour_ability": pick(
                ["full", "skilled", "weak", "lost", "none"], [0.45, 0.05, 0.2, 0.1, 0.2], m
            ),
            "skill": pick(["certified", "some", "none"], [0.05, 0.2, 0.75], m),
            "wage_income": money(m, 0.35, 12000),
            "pension_income": money(m, 0.15, 2000),
            "health_status": pick(
                ["healthy", "weak", "chronic", "serious"], [0.6, 0.15, 0.18, 0.07], m
            ),
            "disease": pick(
                ["none", "hypertension", "diabetes", "cancer", "stroke", "severe_mental"],
                [0.7, 0.12, 0.08, 0.04, 0.04, 0.02],
                m,
            ),  # fmt: skip
            "self_care": pick(["full", "partial", "none"], [0.88, 0.08, 0.04], m),
            "disability_type": disability,
            "disability_grade": np.where(
                disability.to_physical().to_numpy() == 0, 0, rng.integers(1, 5, m)
            ),
            "school_stage": pick(
                ["none", "primary", "junior", "senior", "undergraduate", "dropout"],
                [0.8, 0.08, 0.05, 0.04, 0.025, 0.005],
                m,
            ),  # fmt: skip
            "education_expense": money(m, 0.1, 3000),
            "elderly_level": pl.Series(np.where(rng.random(m) < 0.05, rng.integers(0, 5, m), -1)),
        }
    ).with_columns(
        pl.when(pl.col("elderly_level") >= 0).then(pl.col("elderly_level")).alias("elderly_level")
    )
    return households, members


def inputs_of(households: pl.DataFrame, members: pl.DataFrame, limit: int):
    """The first `limit` households as HouseholdInput objects (for the per-household path)."""
    from jiuzhu.engine.batch import HOUSEHOLD_FIELDS, MEMBER_FIELDS
    from jiuzhu.engine.inputs import HouseholdInput, MemberInput

    hh = households.head(limit)
    ids = set(hh["household_id"].to_list())
    by_household: dict[int, list] = {}
    m_names = [n for n in MEMBER_FIELDS if n in members.columns]
    for row in members.filter(pl.col("household_id").is_in(list(ids))).iter_rows(named=True):
        by_household.setdefault(row["household_id"], []).append(
            MemberInput(**{k: row[k] for k in m_names})
        )
    h_names = [n for n in HOUSEHOLD_FIELDS if n in hh.columns]
    out = []
    for row in hh.iter_rows(named=True):
        values = {k: (tuple(row[k]) if isinstance(row[k], list) else row[k]) for k in h_names}
        out.append(
            HouseholdInput(members=tuple(by_household.get(row["household_id"], ())), **values)
        )
    return out


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} 户/秒"


def engine_part(sizes: list[int], sample: int) -> dict:
    from jiuzhu.engine.assess import assess
    from jiuzhu.engine.batch import assess_frames
    from jiuzhu.engine.model import FactorModel

    model = FactorModel.default()
    print("\n== 内存中评分(不连数据库)==", flush=True)
    results: dict = {}
    for n in sizes:
        households, members = synthetic(n)
        assess_frames(households.head(1000), members.filter(pl.col("household_id") <= 1000), model)
        runs, fulls = [], []
        for _ in range(3):  # the median of three: the first run also pays for fresh memory pages
            t0 = time.perf_counter()
            scored = assess_frames(households, members, model, needs=False)
            runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assess_frames(households, members, model, needs=True)
            fulls.append(time.perf_counter() - t0)
        scoring, full = sorted(runs)[1], sorted(fulls)[1]
        results[n] = {"scoring": scoring, "full": full}
        print(
            f"  向量化 {n:>9,} 户({members.height:,} 人):评分与核对 {scoring:6.2f} 秒 {rate(n, scoring)};"
            f"含需求清单 {full:6.2f} 秒 {rate(n, full)}(三次取中位)",
            flush=True,
        )
        if n == sizes[0]:
            items = inputs_of(households, members, sample)
            t0 = time.perf_counter()
            singles = [assess(h, model) for h in items]
            per_household = time.perf_counter() - t0
            results["per_household_rate"] = len(items) / per_household
            print(
                f"  逐户   {len(items):>9,} 户:{per_household:6.2f} 秒 {rate(len(items), per_household)}",
                flush=True,
            )
            check = scored.head(len(items))
            same = all(
                list(check.row(i, named=True)[f] for f in ("illness", "labour", "index", "circle"))
                == [
                    s.factors.scores()["illness"],
                    s.factors.scores()["labour"],
                    s.factors.index,
                    s.circle,
                ]
                for i, s in enumerate(singles)
            )
            print(
                f"  两条路径结果一致(抽查 {len(items):,} 户):{'是' if same else '否!'}", flush=True
            )
    per = results["per_household_rate"]
    print("\n  规模        向量化(户/秒)   逐户(户/秒)       倍数")
    for n in sizes:
        vec = n / results[n]["scoring"]
        note = "" if n <= sample else "(逐户按实测速率外推)"
        print(f"  {n:>9,}  {vec:>14,.0f}  {per:>12,.0f}  {vec / per:>9,.0f}×  {note}")
    biggest = max(sizes)
    verdict = "达标" if biggest / results[biggest]["scoring"] >= TARGET_RATE else "未达标"
    print(f"  目标 ≥ {TARGET_RATE:,} 户/秒:{verdict}")
    if max(sizes) > sample:
        seconds = biggest / per
        print(f"  逐户路径评估 {biggest:,} 户约需 {seconds:,.0f} 秒(由 {sample:,} 户实测外推)")
    return results


def database_part(n: int, seed: int) -> None:
    import registry_bench

    registry_bench.django_on_bench_db()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from jiuzhu.accounts.models import User
    from jiuzhu.assessment import stats
    from jiuzhu.assessment.batch import assess_region
    from jiuzhu.assessment.models import Assessment, LatestAssessment
    from jiuzhu.demo import generator
    from jiuzhu.households.models import Household

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"\n== PostgreSQL:基准数据库 {registry_bench.BENCH_DB},{n:,} 户 ==", flush=True)
    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()
    if Household.objects.count() != n:
        print(f"  生成 {n:,} 户演示数据……", flush=True)
        with transaction.atomic():
            generator.wipe()
            result = generator.generate(households=n, seed=seed)
        print(f"  已生成,用时 {result.seconds:.1f} 秒", flush=True)
    else:
        print(f"  已有 {n:,} 户,沿用", flush=True)
    table = Assessment._meta.db_table
    latest = LatestAssessment._meta.db_table
    with connection.cursor() as cursor:
        # Start from no stored assessment, so every run measures the same two cases.
        cursor.execute(f"TRUNCATE {table}, {latest}")  # noqa: S608 - bench database only
        cursor.execute(f'VACUUM ANALYZE "{Household._meta.db_table}"')
    timings = {}
    for label in ("首次(尚无评估记录)", "再次(替换上一次的最新评估)"):
        t0 = time.perf_counter()
        out = assess_region(None)
        wall = time.perf_counter() - t0
        timings[label] = wall
        steps = ",".join(f"{k} {v:.1f}s" for k, v in out["seconds"].items() if k != "total")
        verdict = (
            "达标"
            if wall < TARGET_ASSESS_ALL or n < 1_000_000
            else f"未达标(>{TARGET_ASSESS_ALL:.0f}s)"
        )
        print(f"  assess --all {label}:{out['written']:,} 户 {wall:6.1f} 秒 {verdict}({steps})",
              flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(f"VACUUM ANALYZE {table}, {latest}")  # noqa: S608 - as autovacuum would
        print(
            f"  (VACUUM ANALYZE 评估表 {time.perf_counter() - t0:.1f} 秒,如同自动清理)", flush=True
        )
    officer = User.objects.get(username="xian")
    table_times, place_times = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        result = stats.factor_table(user=officer, places=False)
        table_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stats.factor_table(user=officer)
        place_times.append(time.perf_counter() - t0)
    best = sorted(table_times)[len(table_times) // 2]
    verdict = "达标" if best < TARGET_TABLE else f"未达标(>{TARGET_TABLE:.0f}s)"
    print(
        f"  致困原因统计表(因子×赋分,{result.total:,} 户):中位 {best:.3f} 秒 {verdict};"
        f"连同按乡镇统计 {sorted(place_times)[2]:.3f} 秒",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000, help="数据库部分的户数")
    parser.add_argument("--sample", type=int, default=100_000, help="逐户路径实测的户数")
    parser.add_argument("--no-db", action="store_true", help="只比较内存中的两条评估路径")
    parser.add_argument("--db-only", action="store_true", help="只测数据库部分")
    parser.add_argument("--seed", type=int, default=530128)
    args = parser.parse_args()
    if not args.db_only:
        engine_part([100_000, 1_000_000], args.sample)
    if not args.no_db:
        database_part(args.households, args.seed)


if __name__ == "__main__":
    main()
