"""Query results as Polars frames, the way the batch jobs read the database.

On PostgreSQL the rows stream out by `COPY (SELECT …) TO STDOUT` as CSV and
Polars parses them; other databases go through a cursor.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection


def parse_csv(data: bytes, types: dict[str, pl.DataType]) -> pl.DataFrame:
    names = list(types)
    if not data:
        return pl.DataFrame(schema=types)
    try:
        return pl.read_csv(data, has_header=False, new_columns=names, schema=types)
    except pl.exceptions.PolarsError:  # a code outside the choices (an old import): as text
        text = {n: (pl.String if isinstance(t, pl.Enum) else t) for n, t in types.items()}
        return pl.read_csv(data, has_header=False, new_columns=names, schema=text)


def copy_out(raw, sql: str, params: list) -> bytes:
    """The rows of a query as CSV, by COPY (libpq hands them over one row at a time)."""
    from psycopg import ClientCursor

    query = ClientCursor(raw).mogrify(sql, params)  # COPY takes no bind parameters
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for row in copy:
            buffer.write(row)
    return buffer.getvalue()


def read_frames(queries: list[tuple[str, list, dict]]) -> list[pl.DataFrame]:
    """Run the queries into frames.

    PostgreSQL outside a transaction: two fresh connections sharing one
    snapshot (exported by the first, as pg_dump does), so the biggest query
    (the members) and the others run on both cores and still see one moment
    of the registry. Inside a transaction (tests, a caller's atomic block) the
    queries run on Django's connection, which sees that transaction's rows.
    Other databases: a cursor.
    """
    if connection.vendor != "postgresql":
        frames = []
        for sql, params, types in queries:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            # Django's SQLite adapter already turns dates into datetime.date.
            text = {n: (pl.String if isinstance(t, pl.Enum) else t) for n, t in types.items()}
            frames.append(pl.DataFrame(rows, schema=text, orient="row"))
        return frames
    if connection.in_atomic_block:
        connection.ensure_connection()
        return [parse_csv(copy_out(connection.connection, sql, params), types)
                for sql, params, types in queries]  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    from psycopg import sql as psql

    params = connection.get_connection_params()
    first = connection.get_new_connection(params)
    second = connection.get_new_connection(params)
    try:
        first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = first.execute("SELECT pg_export_snapshot()").fetchone()[0]
        second.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        second.execute(psql.SQL("SET TRANSACTION SNAPSHOT {}").format(psql.Literal(snapshot)))
        big, rest = queries[0], queries[1:]
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(lambda: parse_csv(copy_out(second, big[0], big[1]), big[2]))
            others = [parse_csv(copy_out(first, q, p), t) for q, p, t in rest]
            return [pending.result(), *others]
    finally:
        for raw in (first, second):
            raw.rollback()
            raw.close()
