"""Load benchmark: the production server (gunicorn + WhiteNoise, `gunicorn.conf.py`) on
loopback, PostgreSQL holding 1,000,000 households, under simulated clerks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu python bench/load_bench.py
    ... --households 100000        a quicker run
    ... --workers 5                gunicorn workers (default: as gunicorn.conf.py, 2 × cores + 1)
    ... --duration 60 --users 50 --think 2
    ... --rates 25,50,75,100       the step-up phase's arrival rates (requests/s)

Works in the bench database of the other benchmarks (`jiuzhu_bench`, or JIUZHU_BENCH_DB),
generating the demo county there first if it does not hold the requested number of
households (bench/push_bench.py's generator, in a child process).

Phase 1, the target: `--users` clerks (half county staff, half village workers), each
logged in with their own session, each waiting `--think` seconds after every answer
before the next request, for `--duration` seconds, over the household list (a random
page), the search (by surname, full name, ID number and village, posted as the page's
htmx form does), a household file and GET /api/households. It prints errors and
p50/p95 per kind and overall (target: 0 errors, p95 under 300 ms).

Phase 2, the limit: open-loop arrivals (Poisson) at rising rates, `--step` seconds each,
until p95 passes 1 s; it prints the throughput answered at each rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import registry_bench  # noqa: E402 - after the path is set

P95_TARGET_MS = 300.0
P95_LIMIT_MS = 1000.0
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')
PASSWORD = os.environ.get("JIUZHU_DEMO_PASSWORD", "Jiuzhu-2026")
MIX = (("家庭列表", 30), ("搜索", 30), ("户档案", 25), ("API 列表", 15))


def percentile(values: list[float], q: float) -> float:
    return registry_bench.percentile(values, q) if values else float("nan")


@dataclass
class Sample:
    """What the simulated users may ask for, read once from the bench database."""

    county_households: list[int]
    village_households: list[int]
    county_queries: list[str]
    village_queries: list[str]
    tokens: dict[str, str]  # username -> API token


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        if error:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.first_errors) < 5:
                self.first_errors.append(f"{kind}: {error}")
        else:
            self.times.setdefault(kind, []).append(ms)

    def all_times(self) -> list[float]:
        return [t for ts in self.times.values() for t in ts]

    def count(self) -> int:
        return len(self.all_times()) + sum(self.errors.values())


class Clerk:
    """One logged-in browser session (its own cookies and CSRF token)."""

    def __init__(self, client, username: str, sample: Sample, rng: random.Random):
        self.client, self.username, self.sample, self.rng = client, username, sample, rng
        self.csrf = ""
        county = username == "xian"
        self.households = sample.county_households if county else sample.village_households
        self.queries = sample.county_queries if county else sample.village_queries
        self.pages = 500 if county else 20

    async def log_in(self) -> None:
        page = await self.client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = await self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if done.status_code != 302:
            raise SystemExit(f"{self.username} 登录失败:{done.status_code}")
        listing = await self.client.get("/households/")
        self.csrf = CSRF_IN_PAGE.search(listing.text).group(1)

    def pick(self) -> str:
        return self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]

    async def request(self, kind: str):
        c, rng = self.client, self.rng
        if kind == "家庭列表":
            return await c.get("/households/", params={"page": rng.randint(1, self.pages)})
        if kind == "搜索":
            # As the page's form does: htmx posts the text and swaps in the results.
            return await c.post(
                "/households/",
                data={"q": rng.choice(self.queries)},
                headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
            )
        if kind == "户档案":
            return await c.get(f"/households/{rng.choice(self.households)}/")
        return await c.get(
            "/api/households",
            params={"page": rng.randint(1, self.pages)},
            headers={"Authorization": f"Bearer {self.sample.tokens[self.username]}"},
        )

    async def timed(self, kind: str, tally: Tally) -> None:
        t0 = time.perf_counter()
        error = None
        try:
            response = await self.request(kind)
            if response.status_code != 200:
                error = f"HTTP {response.status_code}"
        except Exception as exc:  # noqa: BLE001 - a timeout or a reset is an error to count
            error = type(exc).__name__
        tally.add(kind, (time.perf_counter() - t0) * 1000, error)


class CpuMeter:
    """CPU seconds spent by the gunicorn workers and by the PostgreSQL backends serving
    them: per request, a measure of cost that other load on the machine does not skew."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int, url: str):
        self.server_pid, self.url = server_pid, url

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / CpuMeter.TICK  # utime + stime

    def _workers(self) -> list[int]:
        pids = [self.server_pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.server_pid:
                    pids.append(int(stat.parent.name))
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue
        return pids

    def _backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            ).fetchall()
        return [pid for (pid,) in rows]

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "app": {p: self._cpu(p) for p in self._workers()},
            "db": {p: self._cpu(p) for p in self._backends()},
        }

    def since(self, before: dict[str, dict[int, float]]) -> dict[str, float]:
        now = self.snapshot()
        return {
            side: sum(cpu - before[side].get(pid, 0.0) for pid, cpu in now[side].items())
            for side in now
        }


def print_cpu(spent: dict[str, float], requests: int) -> None:
    if not requests:
        return
    app, db = spent["app"] * 1000 / requests, spent["db"] * 1000 / requests
    # Parallel-query helpers of PostgreSQL exit at once and are not counted, nor is
    # this client: the machine's real ceiling is lower than cores / (app + db).
    print(
        f"  CPU 每次请求:应用 {app:.1f} ms + PostgreSQL {db:.1f} ms = {app + db:.1f} ms"
        f"(不含 PostgreSQL 并行查询进程与本客户端;机器负载 {os.getloadavg()[0]:.1f})"
    )


def report(title: str, tally: Tally, seconds: float) -> tuple[float, float, int]:
    everything = tally.all_times()
    errors = sum(tally.errors.values())
    p50, p95 = percentile(everything, 0.5), percentile(everything, 0.95)
    print(f"\n== {title} ==")
    for kind, _ in MIX:
        ts = tally.times.get(kind, [])
        print(
            f"  {kind:<8} {len(ts):6,} 次  p50 {percentile(ts, 0.5):7.1f} ms  "
            f"p95 {percentile(ts, 0.95):7.1f} ms  错误 {tally.errors.get(kind, 0)}"
        )
    verdict = "达标" if errors == 0 and p95 < P95_TARGET_MS else "未达标"
    print(
        f"  合计     {tally.count():6,} 次  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"错误 {errors}  吞吐 {tally.count() / seconds:.1f} 次/秒  {verdict}"
        f"(目标:0 错误,p95 < {P95_TARGET_MS:.0f} ms)"
    )
    for line in tally.first_errors:
        print(f"  错误示例 {line}")
    return p50, p95, errors


async def closed_loop(clerks: list[Clerk], *, duration: float, think: float) -> Tally:
    """Each clerk: request, wait `think` seconds after the answer, again, until the end."""
    tally = Tally()
    end = time.perf_counter() + duration

    async def walk(clerk: Clerk) -> None:
        await asyncio.sleep(clerk.rng.uniform(0, think))  # not all at the same instant
        while time.perf_counter() < end:
            await clerk.timed(clerk.pick(), tally)
            await asyncio.sleep(think)

    await asyncio.gather(*(walk(c) for c in clerks))
    return tally


async def open_loop(clerks: list[Clerk], *, rate: float, duration: float, rng) -> Tally:
    """Requests arrive at `rate` per second (Poisson), whoever answers them."""
    tally = Tally()
    pending: set[asyncio.Task] = set()
    end = time.perf_counter() + duration
    next_at = time.perf_counter()
    while next_at < end:
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        clerk = rng.choice(clerks)
        task = asyncio.create_task(clerk.timed(clerk.pick(), tally))
        pending.add(task)
        task.add_done_callback(pending.discard)
        next_at += rng.expovariate(rate)
    if pending:
        await asyncio.wait(pending)
    return tally


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_sample(n_requests: int, seed: int) -> tuple[Sample, dict[str, str]]:
    """Household ids, search texts and API tokens, read with the ORM; and the keys."""
    from django.conf import settings
    from django.db import connection

    from jiuzhu.accounts.models import ApiToken, User
    from jiuzhu.demo import generator
    from jiuzhu.households import crypto
    from jiuzhu.households.models import Household, Member
    from jiuzhu.regions.models import Level, Region

    generator.ensure_users(password=PASSWORD)
    with connection.cursor() as cursor:  # settled tables, as autovacuum would leave them
        for model in (Household, Member):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    rng = random.Random(seed)
    village = generator.demo_village()
    top = Household.objects.order_by("-id").values_list("id", flat=True).first()
    county_ids = list(
        Household.objects.filter(
            id__in=[rng.randint(1, top) for _ in range(n_requests)]
        ).values_list("id", flat=True)
    )
    village_ids = list(
        Household.objects.filter(village_id=village.code).values_list("id", flat=True)
    )

    def people(ids: list[int]) -> list[tuple[str, str]]:
        rows = Member.objects.filter(household_id__in=ids[:n_requests]).values_list(
            "name", "id_cipher"
        )[:n_requests]
        return [(name, crypto.decrypt(cipher)) for name, cipher in rows]

    surnames = list("李张杨王罗陈刘赵普毕者鲁自沙龙熊陶马朱周何吴黄")
    villages = list(Region.objects.filter(level=Level.VILLAGE).values_list("name", flat=True))

    def queries(folk: list[tuple[str, str]], places: list[str]) -> list[str]:
        # A quarter each: surname, full name, ID number, village name.
        out = []
        for name, number in folk:
            out += [rng.choice(surnames), name, number, rng.choice(places)]
        return out

    tokens = {
        username: ApiToken.issue(user=User.objects.get(username=username))[1]
        for username in ("xian", "cun")
    }
    sample = Sample(
        county_households=county_ids,
        village_households=village_ids,
        county_queries=queries(people(county_ids), villages),
        village_queries=queries(people(village_ids), [village.name]),
        tokens=tokens,
    )
    keys = {
        "JIUZHU_SECRET_KEY": settings.SECRET_KEY,
        "JIUZHU_FIELD_KEY": settings.FIELD_ENCRYPTION_KEY,
        "JIUZHU_HASH_KEY": settings.FIELD_HASH_KEY,
    }
    return sample, keys


def start_server(*, url: str, keys: dict[str, str], workers: int | None, port: int, logs: Path):
    env = {
        **os.environ,
        **keys,
        "DATABASE_URL": url,
        "JIUZHU_PRODUCTION": "1",
        "JIUZHU_ALLOWED_HOSTS": "127.0.0.1",
        "JIUZHU_STATIC_ROOT": str(logs / "static"),
        "JIUZHU_BIND": f"127.0.0.1:{port}",
        "JIUZHU_ACCESS_LOG": str(logs / "access.log"),
        "JIUZHU_ERROR_LOG": str(logs / "error.log"),
        "JIUZHU_LOG_LEVEL": "WARNING",
    }
    if workers:
        env["JIUZHU_WORKERS"] = str(workers)
    venv = Path(sys.executable).parent
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn configuration
        [str(venv / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    return server


async def wait_ready(base: str, server) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("gunicorn 未能启动,见其错误日志")
            try:
                if (await client.get("/accounts/login/")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("gunicorn 60 秒内未就绪")


async def run(args, sample: Sample, base: str, meter: CpuMeter) -> None:
    import httpx

    rng = random.Random(args.seed)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=2)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=args.timeout, limits=limits)
        for _ in range(args.users)
    ]
    try:
        clerks = [
            Clerk(client, "xian" if i % 2 == 0 else "cun", sample, random.Random(rng.random()))
            for i, client in enumerate(clients)
        ]
        for clerk in clerks:  # one at a time: logging in is not what is measured
            await clerk.log_in()
        # Warm-up: every worker opens its database connection and loads its templates.
        await closed_loop(clerks[:10], duration=5, think=0.1)

        print(
            f"\n{args.users} 名用户(县、村各半),每次应答后等待 {args.think:g} 秒,"
            f"持续 {args.duration:g} 秒;构成:" + "、".join(f"{k} {w}%" for k, w in MIX),
            flush=True,
        )
        t0, cpu = time.perf_counter(), meter.snapshot()
        tally = await closed_loop(clerks, duration=args.duration, think=args.think)
        report("目标负载", tally, time.perf_counter() - t0)
        print_cpu(meter.since(cpu), tally.count())

        print(f"\n== 逐级加压(到达率恒定,每级 {args.step:g} 秒,直到 p95 超过 1 秒)==")
        print(
            "  到达率     应答次数   吞吐(次/秒)   p50 ms    p95 ms   错误   CPU ms/次   机器负载"
        )
        passed = None
        last_ok = None
        for rate in args.rates:
            t0, cpu = time.perf_counter(), meter.snapshot()
            tally = await open_loop(clerks, rate=rate, duration=args.step, rng=rng)
            seconds = time.perf_counter() - t0
            spent = meter.since(cpu)
            times = tally.all_times()
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            errors = sum(tally.errors.values())
            throughput = len(times) / seconds
            print(
                f"  {rate:6.0f}/s   {tally.count():8,}   {throughput:10.1f}   "
                f"{p50:7.1f}   {p95:7.1f}   {errors:4}   "
                f"{sum(spent.values()) * 1000 / max(tally.count(), 1):8.1f}   "
                f"{os.getloadavg()[0]:6.1f}",
                flush=True,
            )
            if p95 > P95_LIMIT_MS or errors > tally.count() * 0.05:
                passed = (rate, throughput)
                break
            last_ok = (rate, throughput, p95)
        if passed:
            note = (
                f";上一级 {last_ok[0]:.0f}/s 时 p95 {last_ok[2]:.0f} ms,吞吐 {last_ok[1]:.1f} 次/秒"
                if last_ok
                else ""
            )
            print(
                f"  p95 在到达率 {passed[0]:.0f}/s 时超过 1 秒(实际吞吐 {passed[1]:.1f} 次/秒){note}"
            )
        else:
            print(f"  到 {args.rates[-1]:.0f}/s 为止 p95 未超过 1 秒;可用 --rates 继续加压")
    finally:
        for client in clients:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=530128)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="每次应答后的等待秒数")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn 进程数")
    parser.add_argument("--step", type=float, default=20.0, help="加压阶段每级秒数")
    parser.add_argument(
        "--rates",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[25, 35, 45, 55, 65, 80, 100, 130, 160, 200],
    )
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    url = registry_bench.bench_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiuzhu")
    )
    registry_bench.create_database(url)
    print(f"== 负载测试:基准数据库 {registry_bench.BENCH_DB},{args.households:,} 户 ==", flush=True)
    child = [sys.executable, str(ROOT / "bench" / "push_bench.py"), "--generate-only",
             "--households", str(args.households), "--seed", str(args.seed)]  # fmt: skip
    subprocess.run(child, check=True, env={**os.environ, "DATABASE_URL": url})  # noqa: S603

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
    os.environ.setdefault("JIUZHU_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    sample, keys = read_sample(400, args.seed)
    from django.db import connections

    connections.close_all()  # the server's workers, not this process, hold the connections

    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="jiuzhu-load-"))
    server = start_server(url=url, keys=keys, workers=args.workers, port=port, logs=logs)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_ready(base, server))
        workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        print(
            f"  gunicorn {workers} 个进程,{base},CPU {os.cpu_count()} 核(与本客户端共用),"
            f"机器负载 {os.getloadavg()[0]:.1f};日志 {logs}",
            flush=True,
        )
        asyncio.run(run(args, sample, base, CpuMeter(server.pid, url)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    # Every fourth search was by ID number: none of them may be in the server's logs.
    numbers = sample.county_queries[2::4] + sample.village_queries[2::4]
    logged = (logs / "access.log").read_text(errors="replace")
    logged += (logs / "error.log").read_text(errors="replace")
    found = sum(1 for number in numbers if number in logged)
    print(f"\n  服务器日志 {logged.count(chr(10)):,} 行,含完整身份证号 {found} 个(应为 0)")


if __name__ == "__main__":
    main()
