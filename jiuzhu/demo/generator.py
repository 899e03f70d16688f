"""The demo county generator behind `manage.py demo_county` and the benchmark.

generate() adds N synthetic households (population.py) in one transaction:
PostgreSQL receives them by COPY from a helper thread while the next chunk is
being made, SQLite by executemany in batches. Into empty tables, PostgreSQL
loads without indexes and foreign keys and builds them afterwards, which is
several times faster than keeping them up to date row by row.
Generated households get no history rows: they were generated, not edited.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.households.models import Household, Member
from jiuzhu.regions import luquan

from .casework import wipe_casework
from .population import Cat, IdAllocator, Sealer, Villages, assign_villages, make_chunk
from .users import (
    COUNTY,
    CUIHUA,
    DEMO_USERS,
    demo_password,
    demo_village,
    ensure_users,
    logins_table,
)

__all__ = [
    "COUNTY",
    "DEMO_USERS",
    "demo_password",
    "demo_village",
    "ensure_users",
    "generate",
    "logins_table",
    "wipe",
]


# ---------------------------------------------------------------------------
# Writing


def _default(f: models.Field):
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _frame(model: type[models.Model], columns: dict, n: int, *, vendor: str) -> pl.DataFrame:
    """Every concrete column of the model in table order; missing ones get their default."""
    data = []
    for f in model._meta.concrete_fields:
        value = columns.get(f.column, columns.get(f.attname, _MISSING))
        if value is _MISSING:
            series = pl.repeat(_default(f), n, eager=True)
        elif isinstance(value, Cat):
            series = value.series()
        elif isinstance(value, pl.Series):
            series = value
        else:
            series = pl.Series(value)
        if series.dtype == pl.Datetime:
            # UTC; Django keeps SQLite datetimes as naive UTC text.
            fmt = "%Y-%m-%d %H:%M:%S" if vendor == "sqlite" else "%Y-%m-%d %H:%M:%S+00:00"
            series = series.dt.strftime(fmt)
        elif series.dtype == pl.Date and vendor == "sqlite":
            series = series.cast(pl.String)
        data.append(series.alias(f.column))
    return pl.DataFrame(data)


_MISSING = object()


class _PgCopier(threading.Thread):
    """COPY in a second thread: PostgreSQL ingests one chunk while the next is made."""

    def __init__(self, raw_connection):
        super().__init__(daemon=True)
        self.raw = raw_connection
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.busy = 0.0

    def run(self) -> None:
        with self.raw.cursor() as cursor:
            while (item := self.queue.get()) is not None:
                if self.error:
                    continue
                sql, frame = item
                try:
                    t0 = time.perf_counter()
                    payload = frame.write_csv(include_header=False).encode()
                    with cursor.copy(sql) as copy:
                        step = 8 << 20
                        for i in range(0, len(payload), step):
                            copy.write(payload[i : i + step])
                    self.busy += time.perf_counter() - t0
                except BaseException as exc:  # handed to the main thread
                    self.error = exc

    def put(self, sql: str, frame: pl.DataFrame) -> None:
        if self.error:
            raise self.error
        self.queue.put((sql, frame))

    def finish(self) -> None:
        self.queue.put(None)
        self.join()
        if self.error:
            raise self.error


class _Writer:
    """COPY on PostgreSQL (in a helper thread), executemany in batches elsewhere."""

    def __init__(self):
        self.vendor = connection.vendor
        self.cursor = connection.cursor()
        self.saved: list[str] = []
        self.copier = None
        if self.vendor == "postgresql":
            connection.ensure_connection()
            self.copier = _PgCopier(connection.connection)

    def write(self, model: type[models.Model], columns: dict, n: int) -> None:
        frame = _frame(model, columns, n, vendor=self.vendor)
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        names = ", ".join(qn(col) for col in frame.columns)
        if self.copier is not None:
            text = [
                qn(f.column)
                for f in model._meta.concrete_fields
                if not f.null and isinstance(f, models.CharField | models.TextField)
            ]
            # FORCE_NOT_NULL: an empty text cell is "", never NULL.
            sql = (
                f"COPY {table} ({names}) FROM STDIN "
                f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(text)}))"
            )
            if not self.copier.is_alive():
                self.copier.start()
            self.copier.put(sql, frame)
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model names
            for batch in frame.iter_slices(5000):
                self.cursor.executemany(sql, batch.rows())

    def finish(self) -> None:
        if self.copier is not None and self.copier.is_alive():
            self.copier.finish()

    def drop_secondary(self) -> None:
        """Drop indexes, unique and foreign keys of the empty tables (PostgreSQL only).

        Building an index once over all rows, and checking a foreign key with one
        join, is several times faster than keeping them up to date row by row
        during COPY. All of it runs in the caller's transaction: if anything
        fails, the rollback brings them back.
        """
        if self.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        for model in (Member, Household):
            table = model._meta.db_table
            self.cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            for name, definition in self.cursor.fetchall():
                self.cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                self.saved.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            self.cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)",
                [table],
            )
            for name, definition in self.cursor.fetchall():
                self.cursor.execute(f"DROP INDEX {qn(name)}")
                self.saved.insert(0, definition)

    def restore_secondary(self) -> None:
        if not self.saved:
            return
        self.cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Indexes and unique constraints first, foreign keys (validated by a join) last.
        for sql in sorted(self.saved, key=lambda sql: "FOREIGN KEY" in sql):
            self.cursor.execute(sql)
        self.saved = []

    def reset_sequences(self) -> None:
        if self.vendor != "postgresql":
            return  # SQLite AUTOINCREMENT follows the largest inserted id by itself
        for model in (Household, Member):
            table = model._meta.db_table
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [table, model.objects.aggregate(m=Max("id"))["m"] or 1],
            )

    def analyze(self) -> None:
        # Fresh planner statistics, so the first pages after a bulk load use the indexes.
        if self.vendor == "postgresql":
            qn = connection.ops.quote_name
            for model in (Household, Member):
                self.cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")

    def close(self) -> None:
        if self.copier is not None and self.copier.is_alive():
            self.copier.queue.put(None)  # after an error elsewhere: let the thread end
            self.copier.join()
        self.cursor.close()


def wipe() -> None:
    """Delete every household, member and their history (and whatever hangs off them)."""
    wipe_casework()  # cases and referrals protect their households
    tables = [
        Member.history.model._meta.db_table,
        Household.history.model._meta.db_table,
        Member._meta.db_table,
        Household._meta.db_table,
    ]
    own = {Member, Household.history.model, Member.history.model}
    hanging = [
        rel.related_model
        for rel in Household._meta.related_objects + Member._meta.related_objects
        if rel.related_model not in own
    ]
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Named too: some (assessments) reference households without a
            # database constraint, which CASCADE would not follow.
            tables += [m._meta.db_table for m in hanging if m._meta.db_table not in tables]
            # Rows written earlier in this transaction (e.g. assessments) leave
            # deferred foreign-key checks pending, which TRUNCATE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in tables)} RESTART IDENTITY CASCADE")
            return
        for model in hanging:
            model._base_manager.all().delete()
        for t in tables:
            cursor.execute(f"DELETE FROM {qn(t)}")  # noqa: S608 - model table names


@dataclass
class Result:
    households: int
    members: int
    seconds: float
    timings: dict[str, float]

    @property
    def rate(self) -> float:
        return self.households / self.seconds if self.seconds else 0.0


def generate(
    *,
    households: int,
    seed: int = 530128,
    county: str = COUNTY,
    chunk_size: int = 50_000,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Fill an empty registry with `households` synthetic households, in one transaction.

    Household numbers and ID numbers are unique within one run, so the
    registry must be empty: call wipe() first."""
    if Household.objects.exists():
        raise ValueError("已有家庭档案:请先清空(wipe)再生成")
    started = time.perf_counter()
    timings = {"generate": 0.0, "crypto": 0.0, "write": 0.0, "index": 0.0}
    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    villages = Villages.load(county=county)
    users = dict(
        User.objects.filter(username__in=["xian", "zhen", "cun"]).values_list("username", "id")
    )
    home = demo_village()
    # The village worker files their own village, the township office its township.
    creators = [
        users.get("cun") if home and code == home.code
        else users.get("zhen") if code.startswith(CUIHUA[:9])
        else users.get("xian")
        for code in villages.codes
    ]  # fmt: skip
    village_idx, seq, width = assign_villages(
        rng, villages, households, home=home.code if home else None
    )
    # Registered over the last 18 months, in id order.
    now = np.datetime64(timezone.now().replace(tzinfo=None), "s")
    created_at = np.sort(now - rng.integers(3600, 540 * 86400, households).astype("timedelta64[s]"))
    # Ids never reused: a history row of a deleted household must not attach to a new one.
    next_h = 1 + max(
        Household.objects.aggregate(m=Max("id"))["m"] or 0,
        Household.history.aggregate(m=Max("id"))["m"] or 0,
    )
    next_m = 1 + max(
        Member.objects.aggregate(m=Max("id"))["m"] or 0,
        Member.history.aggregate(m=Max("id"))["m"] or 0,
    )
    allocator = IdAllocator(rng, np.datetime64(today))
    sealer = Sealer()
    done_h = done_m = 0
    with transaction.atomic():
        writer = _Writer()
        try:
            writer.drop_secondary()  # the tables are empty
            for start in range(0, households, chunk_size):
                stop = min(start + chunk_size, households)
                chunk = make_chunk(
                    rng,
                    villages=villages,
                    village_idx=village_idx[start:stop],
                    seq=seq[start:stop],
                    width=width,
                    created_at=created_at[start:stop],
                    first_household_id=next_h + done_h,
                    first_member_id=next_m + done_m,
                    today=today,
                    allocator=allocator,
                    sealer=sealer,
                    creators=creators,
                    timings=timings,
                )
                t0 = time.perf_counter()
                writer.write(Household, chunk.households, chunk.n_households)
                writer.write(Member, chunk.members, chunk.n_members)
                timings["write"] += time.perf_counter() - t0
                done_h += chunk.n_households
                done_m += chunk.n_members
                if progress:
                    progress(done_h, households)
            t0 = time.perf_counter()
            writer.finish()
            timings["write"] += time.perf_counter() - t0
            if writer.copier is not None:
                timings["copy"] = writer.copier.busy
            t0 = time.perf_counter()
            writer.restore_secondary()
            writer.reset_sequences()
            writer.analyze()
            timings["index"] = time.perf_counter() - t0
        finally:
            writer.close()
    return Result(done_h, done_m, time.perf_counter() - started, timings)


def household_count() -> int:
    return Household.objects.count()


def load_county() -> int:
    return luquan.load()
