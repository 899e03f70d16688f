"""The stored inputs of batch rows: each household's HouseholdInput as the JSON
text the per-household path would store, rendered for a million rows at once."""

from __future__ import annotations

import json

import numpy as np
import polars as pl

from jiuzhu.engine import batch as engine

from ..inputs import HOUSEHOLD_KEYS, MEMBER_KEYS
from .load import RegionFrames

# Always written, whatever their value: what a reader looks for first.
ALWAYS = {"rural", "age", "relation", "name"}
COMPACT_INPUTS = True
MEMBER_FLOATS = ("wage_income", "pension_income", "education_expense")


def _key(name: str) -> str:
    return json.dumps(name) + ":"


def _codes_of(frame: pl.DataFrame, name: str) -> np.ndarray:
    """Small integer codes of a column's values (equal values, equal codes)."""
    col = frame[name]
    if isinstance(col.dtype, pl.Enum):
        return col.to_physical().fill_null(len(col.dtype.categories)).to_numpy().astype(np.int64)
    if col.dtype == pl.Boolean:
        return col.cast(pl.Int64).fill_null(2).to_numpy()
    if isinstance(col.dtype, pl.List):
        col = col.list.join("\x1f").fill_null("\x1e")
    return col.rank("dense").fill_null(0).to_numpy().astype(np.int64)


def _rendered(frame: pl.DataFrame, names: list[str], defaults: dict, *, compact: bool,
              raw: dict[str, str] | None = None) -> pl.Series:  # fmt: skip
    """'"k":v,…' of the given columns per row, made once per distinct combination of values.

    Null where nothing is written (compact and every value at its default).
    `raw` names columns holding a value's JSON text already (the lists as stored).
    Keep `names` to a few columns of few values each: the combinations stay few.
    """
    raw = raw or {}
    first, ids = engine.distinct_rows(*[_codes_of(frame, n) for n in names])
    sample = frame.select(names + list(raw.values()))[first.tolist()].rows()
    keys = [_key(n) for n in names]
    skip = [defaults.get(n) for n in names]
    skip = [list(d) if isinstance(d, tuple) else d for d in skip]
    always = [n in ALWAYS or not compact for n in names]
    raw_at = {names.index(n): len(names) + k for k, n in enumerate(raw)}
    texts = []
    for row in sample:
        parts = []
        for c, value in enumerate(row[: len(names)]):
            if always[c] or value != skip[c]:
                text = row[raw_at[c]] if c in raw_at else json.dumps(value, ensure_ascii=False)
                parts.append(keys[c] + text)
        texts.append(",".join(parts))
    unique = list(dict.fromkeys(texts))
    position = {t: i for i, t in enumerate(unique)}
    remap = np.array([position[t] for t in texts], dtype=np.uint32)
    if not ids.size:
        return pl.Series([], dtype=pl.String)
    column = pl.Series(unique, dtype=pl.String).gather(remap[ids])
    return pl.select(pl.when(pl.lit(column) != "").then(pl.lit(column))).to_series()


def _rendered_groups(frame: pl.DataFrame, groups: list[list[str]], defaults: dict, *,
                     compact: bool, raw: dict[str, str] | None = None) -> list[pl.Series]:  # fmt: skip
    return [
        _rendered(frame, g, defaults, compact=compact,
                  raw={k: v for k, v in (raw or {}).items() if k in g}).alias(f"g{i}")
        for i, g in enumerate(groups)
    ]  # fmt: skip


def _number(name: str, *, compact: bool) -> pl.Expr:
    # Polars writes the shortest text that reads back as the same float.
    text = pl.lit(_key(name)) + pl.col(name).cast(pl.String)
    return pl.when(pl.col(name) != 0).then(text) if compact else text


def _string(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String)
    plain = pl.lit(_key(name) + '"') + text + pl.lit('"')
    # Quotes, backslashes and control characters need JSON escapes (rare in names).
    escaped = pl.lit(_key(name)) + pl.struct(text.alias("v")).struct.json_encode().str.slice(5)
    escaped = escaped.str.strip_suffix("}")
    return pl.when(text.str.contains(r'["\\\x00-\x1f]')).then(escaped).otherwise(plain)


def _joined_by_household(
    households: pl.DataFrame, members: pl.DataFrame, texts: pl.Series
) -> pl.Series:
    """Each household's member texts joined with "," in member order (null without members).

    Members are sorted by household: the k-th members of all households are
    gathered at once and the positions concatenated, which beats a group-by.
    """
    n = households.height
    rows, found = engine.household_rows(
        households["household_id"].to_numpy(), members["household_id"].to_numpy()
    )
    rows = rows[found]
    texts = texts.filter(pl.Series(found)) if not found.all() else texts
    counts = np.bincount(rows, minlength=n)
    starts = np.cumsum(counts) - counts
    columns = []
    for k in range(int(counts.max(initial=0))):
        index = np.where(counts > k, starts + k, -1)
        gather = pl.Series(index, dtype=pl.Int64)
        gather = pl.select(pl.when(gather >= 0).then(gather)).to_series().cast(pl.UInt32)
        columns.append(texts.gather(gather).alias(f"m{k}"))
    if not columns:
        return pl.Series([None] * n, dtype=pl.String)
    return (
        pl.DataFrame(columns)
        .select(pl.concat_str(pl.all(), separator=",", ignore_nulls=True))
        .to_series()
    )


def inputs_json(frames: RegionFrames, *, compact: bool | None = None) -> pl.Series:
    """Per household, the JSON of `household_input(household)`: from_json(it) gives it back.

    compact (the default, COMPACT_INPUTS) leaves out the values equal to the
    engine's defaults, which from_json() restores: a household's inputs are
    about a third of `to_json()`'s size (≈ 0.6 instead of 1.8 GB for a
    million households), and PostgreSQL parses jsonb at only ~30 MB/s.
    compact=False writes every key, exactly the keys and values of to_json().
    Code-like fields are rendered once per distinct combination of values,
    numbers and names by Polars; no Python loop runs over households.
    """
    compact = COMPACT_INPUTS if compact is None else compact
    h = engine.with_defaults(frames.households.select(
        "household_id", *[k for k in HOUSEHOLD_KEYS if k in frames.households.columns]
    )).with_columns(frames.households.select([c for c in frames.households.columns if c.startswith("_json_")]))  # fmt: skip
    m = engine.with_member_defaults(frames.members)
    member_defaults = {f.name: engine.field_default(f) for f in engine.MEMBER_FIELDS.values()}
    house_defaults = {f.name: engine.field_default(f) for f in engine.HOUSEHOLD_FIELDS.values()}

    coded = [k for k in MEMBER_KEYS if k not in (*MEMBER_FLOATS, "age", "name")]
    groups = [coded[i : i + 4] for i in range(0, len(coded), 4)]
    parts = _rendered_groups(m, groups, member_defaults, compact=compact)
    member_text = pl.DataFrame(parts).with_columns(m.select("age", *MEMBER_FLOATS, "name")).select(
        pl.concat_str(
            pl.lit("{"),
            pl.concat_str(
                [_number("age", compact=False), *[p.name for p in parts],
                 *[_number(k, compact=compact) for k in MEMBER_FLOATS], _string("name")],
                separator=",", ignore_nulls=True,
            ),
            pl.lit("}"),
        )
    ).to_series()  # fmt: skip
    members_text = _joined_by_household(h, m, member_text)

    numbers = [k for k in HOUSEHOLD_KEYS if h.schema[k] in (pl.Float64, pl.Int64)]
    flags = [k for k in HOUSEHOLD_KEYS if h.schema[k] == pl.Boolean]
    others = [k for k in HOUSEHOLD_KEYS if k not in numbers and k not in flags]
    raw = {k: f"_json_{k}" for k in engine.LIST_FIELDS if f"_json_{k}" in h.columns}
    parts = _rendered_groups(h, [flags, others], house_defaults, compact=compact, raw=raw)
    house_text = pl.DataFrame(parts).with_columns(h.select(numbers)).select(
        pl.concat_str([*[p.name for p in parts], *[_number(k, compact=compact) for k in numbers]],
                      separator=",", ignore_nulls=True)
    ).to_series()  # fmt: skip
    return (
        pl.DataFrame({"m": members_text, "h": house_text})
        .select(
            pl.concat_str(
                pl.lit('{"members":['),
                pl.col("m").fill_null(""),
                pl.lit("],"),
                pl.col("h"),
                pl.lit("}"),
            )
        )
        .to_series()
    )
