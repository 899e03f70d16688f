"""Reading an uploaded workbook: open it, find each sheet's header row, turn cells
into the values the forms expect (labels mapped to codes)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from jiuzhu.core import sheets

from .columns import (
    _FALSE,
    _SPLIT_MULTI,
    _TRUE,
    KEY,
    KEY_HEADER,
    MAX_HOUSEHOLD_ROWS,
    MAX_MEMBER_ROWS,
    MAX_UPLOAD_BYTES,
    SHEET_HOUSEHOLDS,
    SHEET_MEMBERS,
    Column,
    household_columns,
    member_columns,
)


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (type, sheets, columns); nothing is written."""


class _Bad(Exception):
    """A cell that cannot be turned into form data; the message says why."""


def _norm(text: str) -> str:
    """Compare labels and headers the way a clerk sees them: full-width and
    half-width forms alike, spaces and required-field stars ignored."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*]+", "", text).lower()


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(round(raw, 6))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).replace("\u3000", " ").replace("\xa0", " ").strip()


_choice_maps: dict[tuple, dict[str, Any]] = {}


def _choice_map(col: Column) -> dict[str, Any]:
    found = _choice_maps.get(col.choices)
    if found is None:
        found = {}
        for value, label in col.choices:
            found[_norm(str(value))] = value
            found[_norm(str(label))] = value
            if isinstance(value, int) and value:
                found[f"{value}级"] = value
        _choice_maps[col.choices] = found
    return found


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 20_000 < raw < 80_000:
        # A date typed into a cell formatted as a number: Excel's day serial.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
    text = _text(raw)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return text  # the form says it is not a date


def _convert(col: Column, raw: Any) -> Any:
    """Turn one cell into the value the form expects, mapping labels to codes."""
    if col.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = _norm(_text(raw))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad(f"“{_text(raw)}”无法识别,请填“是”或“否”")
    if col.kind == "choice":
        text = _text(raw)
        if not text:
            return col.default
        value = _choice_map(col).get(_norm(text))
        if value is None:
            raise _Bad(f"“{text}”不是可选项,可填:{'、'.join(col.labels())}")
        return value
    if col.kind == "multi":
        parts = [p for p in _SPLIT_MULTI.split(_text(raw)) if p]
        mapping = _choice_map(col)
        unknown = [p for p in parts if _norm(p) not in mapping]
        if unknown:
            raise _Bad(f"“{'、'.join(unknown)}”不是可选项,可填:{'、'.join(col.labels())}")
        return list(dict.fromkeys(mapping[_norm(p)] for p in parts))
    if col.kind in ("decimal", "int"):
        if isinstance(raw, bool):
            raise _Bad("应填数字")
        text = _text(raw).replace(",", "").replace(",", "")
        return text if text else str(col.default if col.default is not None else "")
    if col.kind == "date":
        return _date(raw)
    return _text(raw)


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    index: dict[str, int]  # column name → position in a row
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells)

    def value(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        return cells[i] if i is not None and i < len(cells) else ""


# A ledger's own limits on top of the reader's (which refuses zip bombs and
# files that inflate past a few hundred MB). No field of the forms holds more
# than 255 characters: a cell ten times that long was not typed by a clerk.
LIMITS = sheets.Limits(max_file_bytes=MAX_UPLOAD_BYTES, max_columns=256, max_cell_chars=2_000)
HEADER_SEARCH_ROWS = 10


def _open(source: Path | bytes | IO[bytes]) -> sheets.Workbook:
    try:
        return sheets.open_workbook(source, limits=LIMITS)
    except sheets.SheetError as exc:
        raise SpreadsheetError(str(exc)) from exc


def _read_sheet(book: sheets.Workbook, name: str, columns: list[Column], limit: int) -> Sheet:
    sheet_name = next(n for n in book.sheet_names if n.strip() == name)
    wanted = {_norm(col.header): col for col in columns}
    wanted.update({_norm(col.name): col for col in columns if col.name != KEY})
    key = _norm(KEY_HEADER)
    index: dict[str, int] = {}
    positions: list[int] = []
    width = 0
    data: list[tuple[int, list[Any]]] = []
    # Streamed: rows are counted, and the file refused, while the sheet is read.
    # The title lines and the header come on top of the data rows.
    rows = book.rows(sheet_name, max_rows=limit + HEADER_SEARCH_ROWS)
    try:
        for number, cells in rows:
            if not index:
                # A ledger often has a title line above the header: look a few rows down.
                if number > HEADER_SEARCH_ROWS:
                    break
                if not any(_norm(_text(v)) == key for v in cells):
                    continue
                for pos, value in enumerate(cells):
                    col = wanted.get(_norm(_text(value)))
                    if col is not None and col.name not in index:
                        index[col.name] = pos
                missing = [col.header for col in columns if col.name not in index]
                if missing:
                    raise SpreadsheetError(
                        f"「{name}」表缺少以下列:{'、'.join(missing)}。"
                        "请使用最新的导入模板,不要删除或改写列名。"
                    )
                positions = list(index.values())
                # Columns right of the last known one are not ours: never kept.
                width = max(positions) + 1
                continue
            if all(_text(cells[p]) == "" for p in positions if p < len(cells)):
                continue
            data.append((number, cells[:width]))
            if len(data) > limit:
                raise SpreadsheetError(sheets.msg_too_many_rows(name, limit))
    except sheets.SheetError as exc:
        raise SpreadsheetError(str(exc)) from exc
    finally:
        rows.close()
    if not index:
        raise SpreadsheetError(
            f"「{name}」表找不到表头行(应有一行以“{KEY_HEADER}”等列名作表头),请使用导入模板。"
        )
    return Sheet(name, columns, index, data)


def read_workbook(*, source: Path | bytes | IO[bytes]) -> tuple[Sheet, Sheet]:
    """Open an .xlsx and return its 家庭 and 成员 sheets; raise SpreadsheetError."""
    book = _open(source)
    try:
        present = {n.strip() for n in book.sheet_names}
        missing = [n for n in (SHEET_HOUSEHOLDS, SHEET_MEMBERS) if n not in present]
        if missing:
            raise SpreadsheetError(
                f"文件缺少工作表「{'」「'.join(missing)}」。导入文件需要「{SHEET_HOUSEHOLDS}」和"
                f"「{SHEET_MEMBERS}」两张工作表,请使用导入模板。"
            )
        households = _read_sheet(book, SHEET_HOUSEHOLDS, household_columns(), MAX_HOUSEHOLD_ROWS)
        members = _read_sheet(book, SHEET_MEMBERS, member_columns(), MAX_MEMBER_ROWS)
    finally:
        book.close()
    if not households.rows:
        raise SpreadsheetError(f"「{SHEET_HOUSEHOLDS}」表没有填写任何家庭。")
    return households, members
