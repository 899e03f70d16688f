"""Writing a region's results in one transaction: lock the assessment table, leave
out households re-assessed since the load began, insert the rows (PostgreSQL: COPY
through an unlogged staging table; SQLite: bulk insert) and move each household's
LatestAssessment pointer."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.engine.model import FACTORS
from jiuzhu.frames import copy_out, parse_csv

from ..models import Assessment, LatestAssessment, ModelVersion
from .inputs import inputs_json
from .load import RegionFrames, _where

_COLUMNS = ["household_id", "model_version_id", *FACTORS, "index", "causes",
            "primary_cause", "multi_cause", "cause_count", "circle", "monthly_income_per_capita",
            "below_standard", "below_edge", "needs", "reasons", "inputs", "inputs_source_id",
            "inputs_hash", "assessed_by_id", "assessed_at", "trigger"]  # fmt: skip


def previous_inputs(code: str | None) -> pl.DataFrame:
    """Each household's latest inputs hash and the row holding those inputs (by household)."""
    latest = connection.ops.quote_name(LatestAssessment._meta.db_table)
    where, params = _where(code)
    join = " JOIN households_household h ON h.id = l.household_id" if where else ""
    sql = f"SELECT l.household_id, l.inputs_hash, l.inputs_id FROM {latest} l{join} {where}"  # noqa: S608
    types = {"household_id": pl.Int64, "inputs_hash": pl.Int64, "inputs_id": pl.Int64}
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            return parse_csv(copy_out(raw, sql, params), types)
        finally:
            raw.close()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        return parse_csv(copy_out(connection.connection, sql, params), types)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pl.DataFrame(cursor.fetchall(), schema=types, orient="row")


def inputs_hash(inputs: pl.Series) -> pl.Series:
    """64-bit hash of each inputs text (fixed seeds: the same text, the same number)."""
    return inputs.hash(seed=0, seed_1=1, seed_2=2, seed_3=3).reinterpret(signed=True)


def _rows(result: pl.DataFrame, inputs: pl.Series, version: ModelVersion, now,
          previous: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """The rows to store. A household whose inputs hash equals its latest row's
    (`previous`, from previous_inputs) gets no inputs text, only the row holding it."""
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    hashes = inputs_hash(inputs)
    source = pl.Series("inputs_source_id", [None] * len(inputs), dtype=pl.Int64)
    if previous is not None and previous.height:
        joined = pl.DataFrame({"household_id": result["household_id"], "new": hashes}).join(
            previous, on="household_id", how="left", maintain_order="left"
        )
        same = (joined["new"] == joined["inputs_hash"]) & joined["inputs_id"].is_not_null()
        same = same.fill_null(False)
        source = joined["inputs_id"].zip_with(same, source).alias("inputs_source_id")
        inputs = pl.select(pl.when(pl.lit(same)).then(None).otherwise(pl.lit(inputs))).to_series()
    return result.select(
        "household_id",
        pl.lit(version.pk, dtype=pl.Int64).alias("model_version_id"),
        *FACTORS,
        "index",
        pl.col("causes_json").cast(pl.String).alias("causes"),
        pl.col("primary_cause").cast(pl.String).fill_null("").alias("primary_cause"),
        "multi_cause",
        "cause_count",
        "circle",
        pl.col("monthly_per_capita").alias("monthly_income_per_capita"),
        "below_standard",
        "below_edge",
        pl.col("needs_json").cast(pl.String).alias("needs"),
        pl.lit(None, dtype=pl.String).alias("reasons"),
        pl.lit(inputs).alias("inputs"),
        pl.lit(source).alias("inputs_source_id"),
        pl.lit(hashes).alias("inputs_hash"),
        pl.lit(None, dtype=pl.Int64).alias("assessed_by_id"),
        pl.lit(stamp).alias("assessed_at"),
        pl.lit("batch").alias("trigger"),
    )


def _copy_sql(table: str, columns: list[str]) -> str:
    qn = connection.ops.quote_name
    # JSON is full of double quotes; quoting fields with \x01 (never in JSON) keeps them as is.
    return (
        f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN WITH (FORMAT csv, "
        f"QUOTE E'\\x01', FORCE_NOT_NULL ({qn('primary_cause')}, {qn('trigger')}))"
    )


def _copy_into(raw, table: str, rows: pl.DataFrame, step: int = 50_000) -> None:
    with raw.cursor() as cursor, cursor.copy(_copy_sql(table, rows.columns)) as copy:
        for start in range(0, rows.height, step):
            copy.write(rows.slice(start, step).write_csv(include_header=False, quote_char="\x01"))


class _Stage:
    """COPY rows into a fresh unlogged table on `workers` connections, in the background.

    Parsing a million rows of jsonb takes PostgreSQL ~20 s of one core; the
    staging table lets two backends share it outside the final transaction
    (which meanwhile marks the old rows) and then only moves parsed rows
    (INSERT … SELECT).
    """

    def __init__(self, rows: pl.DataFrame, workers: int = 2):
        from concurrent.futures import ThreadPoolExecutor

        qn = connection.ops.quote_name
        self.name = f"assessment_batch_{uuid.uuid4().hex[:12]}"
        self.params = connection.get_connection_params()
        columns = ", ".join(qn(c) for c in rows.columns)
        source = qn(Assessment._meta.db_table)
        self._run(
            f"CREATE UNLOGGED TABLE {qn(self.name)} AS SELECT {columns} FROM {source} WITH NO DATA"  # noqa: S608
        )
        size = -(-rows.height // workers)
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.futures = [
            self.pool.submit(self._copy, rows.slice(k * size, size)) for k in range(workers)
        ]

    def _run(self, sql: str) -> None:
        raw = connection.get_new_connection(self.params)
        raw.autocommit = True
        try:
            raw.execute(sql)
        finally:
            raw.close()

    def _copy(self, part: pl.DataFrame) -> None:
        raw = connection.get_new_connection(self.params)
        try:
            _copy_into(raw, connection.ops.quote_name(self.name), part)
            raw.commit()
        finally:
            raw.close()

    def wait(self) -> None:
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True)

    def drop(self) -> None:
        for future in self.futures:
            future.cancel()
        self.pool.shutdown(wait=True)
        self._run(f"DROP TABLE IF EXISTS {connection.ops.quote_name(self.name)}")


def _insert_rows(rows: pl.DataFrame) -> None:
    """SQLite and other databases: the ORM's bulk insert, in batches."""
    objects = []
    for r in rows.iter_rows(named=True):
        objects.append(
            Assessment(
                household_id=r["household_id"],
                model_version_id=r["model_version_id"],
                **{f: r[f] for f in FACTORS},
                index=r["index"],
                causes=json.loads(r["causes"]),
                primary_cause=r["primary_cause"],
                multi_cause=r["multi_cause"],
                cause_count=r["cause_count"],
                circle=r["circle"],
                monthly_income_per_capita=r["monthly_income_per_capita"],
                below_standard=r["below_standard"],
                below_edge=r["below_edge"],
                needs=json.loads(r["needs"]),
                reasons=None,
                inputs=None if r["inputs"] is None else json.loads(r["inputs"]),
                inputs_source_id=r["inputs_source_id"],
                inputs_hash=r["inputs_hash"],
                assessed_by=None,
                assessed_at=dt.datetime.fromisoformat(r["assessed_at"]),
                trigger="batch",
            )
        )
        if len(objects) >= 2000:
            Assessment.objects.bulk_create(objects)
            objects = []
    if objects:
        Assessment.objects.bulk_create(objects)


def _pointer_values(alias: str) -> dict[str, str]:
    """Pointer column → its value from an assessment row aliased `alias`."""
    qn = connection.ops.quote_name
    a = alias
    return {
        "assessment_id": f"{a}.id",
        "inputs_id": f"COALESCE({a}.inputs_source_id, {a}.id)",
        **{h: f"CAST({a}.{qn(f)} * 2 AS SMALLINT)" for f, h in LatestAssessment.HALVES.items()},
        **{c: f"{a}.{qn(c)}" for c in LatestAssessment.COPIED},
    }


def _point_statements(source: str, *, moved: str | None = None) -> tuple[str, str]:
    """(UPDATE, INSERT) pointing each household of `source` (assessment rows) at its row.

    An UPDATE joined to the new rows, then an INSERT of the households not
    there yet: on PostgreSQL much cheaper than INSERT … ON CONFLICT for a
    million rows, the more so as the pointer table leaves room for in-page
    (HOT) updates (fillfactor 50, migration 0004). `moved` names a relation of
    the household ids the UPDATE touched (when both run in one statement and
    cannot see each other's rows).
    """
    qn = connection.ops.quote_name
    latest = qn(LatestAssessment._meta.db_table)
    values = _pointer_values("a")
    sets = ", ".join(f"{qn(c)} = {v}" for c, v in values.items())
    update = (
        f"UPDATE {latest} SET {sets} FROM {source} a "  # noqa: S608
        f"WHERE {latest}.household_id = a.household_id"
    )
    existing = moved or latest
    insert = (
        f"INSERT INTO {latest} (household_id, {', '.join(qn(c) for c in values)}) "  # noqa: S608
        f"SELECT a.household_id, {', '.join(values.values())} FROM {source} a "
        f"WHERE NOT EXISTS (SELECT 1 FROM {existing} m WHERE m.household_id = a.household_id)"
    )
    return update, insert


def _replace_latest(after_id: int | None, produce) -> dict:
    """One transaction: lock, insert what `produce` gives and point each household at it.

    A household whose latest assessment is newer than `after_id` (someone edited
    it after the households were read) keeps that newer result. None: nothing
    to skip.

    `produce()` returns (rows, staged): the rows to store and, on PostgreSQL, the
    staging table already holding them (or None). It may still be running in
    another thread while this waits for the lock — the two overlap.
    """
    timings: dict[str, float] = {}
    postgres = connection.vendor == "postgresql"
    qn = connection.ops.quote_name
    table = qn(Assessment._meta.db_table)
    staged = None
    newer: list[int] = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            t0 = time.perf_counter()
            if postgres:
                # Single re-assessments (a household edited) wait until this commits.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("SET LOCAL work_mem = '256MB'")  # the region's ids hash in memory
            if after_id is not None:
                cursor.execute(
                    f"SELECT household_id FROM {qn(LatestAssessment._meta.db_table)} "  # noqa: S608
                    "WHERE assessment_id > %s",
                    [after_id],
                )
                newer = [r[0] for r in cursor.fetchall()]
            skip, skip_params = "", []
            if newer:  # an anti-join (a list of ids would be scanned once per row)
                skip = (
                    f" AND NOT EXISTS (SELECT 1 FROM {qn(LatestAssessment._meta.db_table)} l "  # noqa: S608
                    "WHERE l.household_id = s.household_id AND l.assessment_id > %s)"
                )
                skip_params = [after_id]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            before = cursor.fetchone()[0]
            timings["lock"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows, staged = produce()
            timings["wait"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if newer:
                rows = rows.filter(~pl.col("household_id").is_in(newer))
            if staged:
                # One statement: the new rows go in and their ids and results come
                # back out straight into the pointers (no second read of wide rows).
                columns = ", ".join(qn(c) for c in rows.columns)
                copied = ", ".join(qn(c) for c in (*FACTORS, *LatestAssessment.COPIED))
                update, insert = _point_statements("added", moved="moved")
                latest = qn(LatestAssessment._meta.db_table)
                cursor.execute(
                    f"WITH added AS (INSERT INTO {table} ({columns}) "  # noqa: S608
                    f"SELECT {columns} FROM {qn(staged.name)} s WHERE TRUE{skip} "
                    f"RETURNING id, household_id, inputs_source_id, {copied}), "
                    f"moved AS ({update} RETURNING {latest}.household_id) {insert}",
                    skip_params,
                )
            else:
                if postgres:
                    connection.ensure_connection()
                    _copy_into(connection.connection, table, rows)
                else:
                    _insert_rows(rows)
                timings["insert"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                fresh = f"(SELECT * FROM {table} WHERE id > %s)"  # noqa: S608
                for statement in _point_statements(fresh):
                    cursor.execute(statement, [before])
            timings["point"] = time.perf_counter() - t0
            t0 = time.perf_counter()
        timings["commit"] = time.perf_counter() - t0  # deferred foreign-key checks
    finally:
        if staged:
            staged.drop()
    return {"written": rows.height, "skipped_newer": len(newer), "timings": timings}


def write_results(
    frames: RegionFrames, result: pl.DataFrame, version: ModelVersion, code: str | None
) -> dict:
    """Store computed results as the latest assessments, in one transaction (see the module doc)."""
    t0 = time.perf_counter()
    rows = _rows(result, inputs_json(frames), version, timezone.now(), previous_inputs(code))
    prepared = time.perf_counter() - t0
    # Outside a transaction, PostgreSQL parses the rows on two connections while
    # this one marks the old rows; inside one (tests), a plain COPY.
    staged = (
        _Stage(rows)
        if connection.vendor == "postgresql" and not connection.in_atomic_block
        else None
    )

    def produce():
        if staged:
            staged.wait()
        return rows, staged

    try:
        out = _replace_latest(frames.after_id, produce)
    except BaseException:
        if staged:
            staged.drop()
        raise
    out["timings"]["prepare"] = prepared
    return out
