"""Registry benchmark: demo generation rate and page latency at a million households.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/registry_bench.py
    ... --households 100000     a quicker run
    ... --reuse                 keep the bench database if it already holds N households

DATABASE_URL only says which server to use: the benchmark creates and uses its
own database on it (`jiuzhu_bench`, or the name in JIUZHU_BENCH_DB), so development
data is never touched. The other benchmarks share that database.
Requests go through the real views (django.test.Client, logged in) and the API.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("JIUZHU_BENCH_DB", "jiuzhu_bench")
TARGETS = {"list": 150.0, "search": 150.0, "id": 20.0}


def bench_url(base: str) -> str:
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("基准测试需要 PostgreSQL:请设置 DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def django_on_bench_db() -> str:
    """Create the bench database if needed, point Django at it and set it up; its URL.
    (DATABASE_URL only names the server.)"""
    url = bench_url(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu"))
    create_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    return url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, float, str]] = []

    def add(self, who: str, what: str, times: list[float], kind: str | None) -> None:
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        target = TARGETS.get(kind) if kind else None
        verdict = "" if target is None else ("达标" if p95 < target else f"未达标(>{target:.0f})")
        self.rows.append((who, what, p50, p95, verdict))
        print(f"  {who:<4} {what:<34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms  {verdict}", flush=True)


def timed(fn, args_list: list, warmup: int = 3) -> list[float]:
    for args in args_list[:warmup]:
        fn(*args)
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="每项测量的请求数")
    parser.add_argument("--reuse", action="store_true", help="库中已有相同户数时不重新生成")
    parser.add_argument("--seed", type=int, default=530128)
    args = parser.parse_args()

    url = bench_url(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu"))
    create_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from jiuzhu.accounts.models import ApiToken, User
    from jiuzhu.demo import generator
    from jiuzhu.households import crypto, selectors
    from jiuzhu.households.models import Household, Member
    from jiuzhu.regions.models import Level, Region

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    n = args.households
    print(f"基准数据库 {BENCH_DB},目标 {n:,} 户", flush=True)
    call_command("migrate", verbosity=0)
    generator.load_county()
    generator.ensure_users()

    existing = Household.objects.count()
    print("\n== 生成演示数据(PostgreSQL COPY)==")
    if args.reuse and existing == n:
        print(f"  已有 {n:,} 户,沿用(--reuse)")
    else:

        def progress(done: int, total: int) -> None:
            if done % 200_000 == 0 or done == total:
                print(f"  {done:,}/{total:,}", flush=True)

        started = time.perf_counter()
        with transaction.atomic():
            generator.wipe()
            result = generator.generate(households=n, seed=args.seed, progress=progress)
        seconds = time.perf_counter() - started  # with the wipe and the commit
        t = result.timings
        print(
            f"  生成 {result.households:,} 户 {result.members:,} 人,用时 {seconds:.1f} 秒:"
            f" {result.households / seconds:,.0f} 户/秒"
        )
        print(
            f"  (生成列 {t['generate']:.1f}s,加密与检索码 {t['crypto']:.1f}s,"
            f"等待COPY {t['write']:.1f}s,COPY线程 {t.get('copy', 0):.1f}s,"
            f"建索引与外键 {t['index']:.1f}s)"
        )
    # A settled table, as autovacuum would leave it: visibility map set, statistics fresh.
    with connection.cursor() as cursor:
        for model in (Household, Member):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    rng = random.Random(args.seed)
    xian = User.objects.get(username="xian")
    cun = User.objects.get(username="cun")
    village = generator.demo_village()
    village_hh = list(
        Household.objects.filter(village_id=village.code).values_list("id", flat=True)
    )
    all_max = Household.objects.order_by("-id").values_list("id", flat=True).first()
    villages = list(Region.objects.filter(level=Level.VILLAGE).values_list("name", flat=True))
    print(f"\n== 数据 == 全县 {Household.objects.count():,} 户,{Member.objects.count():,} 人;"
          f"村信息员所在村({village.name}){len(village_hh):,} 户")  # fmt: skip

    def sample_members(qs, k: int) -> list[tuple[str, str]]:
        """(full name, ID number) of k random members of the queryset."""
        ids = list(qs.values_list("id", flat=True)[:50_000])
        picked = rng.sample(ids, min(k, len(ids)))
        rows = Member.objects.filter(id__in=picked).values_list("name", "id_cipher")
        return [(name, crypto.decrypt(cipher)) for name, cipher in rows]

    from jiuzhu.households.views import LIST_COUNT_CAP, SEARCH_COUNT_CAP

    print(
        f"  (页面计数至多数到 {LIST_COUNT_CAP:,} 户,搜索至多 {SEARCH_COUNT_CAP:,} 户,"
        "更多时显示“10000+”;API 的 count 为精确数)"
    )
    count = args.requests
    county_people = sample_members(
        Member.objects.filter(household_id__in=[rng.randint(1, all_max) for _ in range(count * 2)]),
        count,
    )
    village_people = sample_members(
        Member.objects.filter(household__village_id=village.code), count
    )
    surnames = list("李张杨王罗陈刘赵普毕者鲁自沙龙熊陶马朱周何吴黄")

    client = Client()
    report = Report()

    def get(path: str, params: dict | None = None, expect: int = 200, **extra) -> None:
        url = path + ("?" + urlencode(params) if params else "")
        response = client.get(url, **extra)
        if response.status_code != expect:
            raise SystemExit(f"{url} 返回 {response.status_code}")

    def search(text: str) -> None:
        # As the list's form: posted (no ID number in a URL), then the page it leads to.
        response = client.post("/households/", {"q": text}, follow=True)
        if response.status_code != 200:
            raise SystemExit(f"搜索“{text[:2]}…”返回 {response.status_code}")

    for who, user, people, hh_ids in (
        ("县", xian, county_people, None),
        ("村", cun, village_people, village_hh),
    ):
        client.force_login(user)
        print(f"\n== 页面延迟:{user.display_name}({user.username})==")
        reps = [()] * count
        report.add(who, "家庭列表 第1页", timed(lambda: get("/households/"), reps), "list")
        total = selectors.household_list(user=user).count()
        deep = max(1, min(500, total // 20))
        report.add(
            who,
            f"家庭列表 第{deep}页",
            timed(lambda deep=deep: get("/households/", {"page": deep}), reps),
            "list",
        )
        report.add(
            who,
            "按姓氏搜索(如“李”)",
            timed(search, [(rng.choice(surnames),) for _ in reps]),
            "search",
        )
        report.add(
            who,
            "按姓名搜索(全名)",
            timed(search, [(name,) for name, _ in people]),
            "search",
        )
        names = [village.name] if hh_ids is not None else villages
        report.add(
            who,
            "按村名搜索",
            timed(search, [(rng.choice(names),) for _ in reps]),
            "search",
        )
        report.add(
            who,
            "按类别筛选(低保对象)",
            timed(lambda: get("/households/", {"tag": "tag_dibao"}), reps),
            "search",
        )
        report.add(
            who,
            "按类别筛选(孤儿)",
            timed(lambda: get("/households/", {"tag": "tag_orphan"}), reps),
            "search",
        )
        report.add(
            who,
            "按身份证号搜索(页面)",
            timed(search, [(number,) for _, number in people]),
            "search",
        )
        ids = hh_ids or [rng.randint(1, all_max) for _ in range(count)]
        report.add(
            who,
            "家庭档案详情页",
            timed(lambda i: get(f"/households/{i}/"), [(rng.choice(ids),) for _ in reps]),
            "list",
        )

        def select(number: str, user=user) -> None:
            found = list(selectors.household_list(user=user, q=number)[:20])
            if len(found) != 1:
                raise SystemExit(f"身份证号检索应找到1户,实际{len(found)}户")

        report.add(
            who, "身份证号精确检索(仅选择器)", timed(select, [(n_,) for _, n_ in people]), "id"
        )
        _, raw = ApiToken.issue(user=user)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        report.add(
            who,
            "GET /api/households",
            timed(lambda auth=auth: get("/api/households", **auth), reps),
            "list",
        )
        report.add(
            who,
            "GET /api/households?q=身份证号",
            timed(
                lambda s, auth=auth: get("/api/households", {"q": s}, **auth),
                [(x,) for _, x in people],
            ),
            "search",
        )
        client.logout()

    missed = [row for row in report.rows if row[4].startswith("未")]
    print("\n== 结论 ==")
    print(
        f"  {len(report.rows)} 项测量,{len(report.rows) - len(missed)} 项达标,{len(missed)} 项未达标"
    )
    for who, what, _, p95, verdict in missed:
        print(f"  未达标:{who} {what} p95 {p95:.1f} ms {verdict}")


if __name__ == "__main__":
    main()
