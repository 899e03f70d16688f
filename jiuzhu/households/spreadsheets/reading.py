"""Reading an uploaded workbook: open it, find each sheet's header row, turn cells
into the values the forms expect (labels mapped to codes)."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import python_calamine

from .columns import (
    _FALSE,
    _SPLIT_MULTI,
    _TRUE,
    KEY,
    KEY_HEADER,
    MAX_HOUSEHOLD_ROWS,
    MAX_MEMBER_ROWS,
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


def _open(source: Path | bytes | IO[bytes]) -> python_calamine.CalamineWorkbook:
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:8])
        source = io.BytesIO(source)
    elif isinstance(source, Path):
        with source.open("rb") as fh:
            head = fh.read(8)
    else:
        head = source.read(8)
        source.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            "这是旧版 Excel(.xls)文件,请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再上传。"
        )
    if not head.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            "无法识别的文件类型:请上传 Excel 工作簿(.xlsx)文件,可先在本页下载导入模板。"
        )
    try:
        return python_calamine.load_workbook(source)
    except Exception as exc:  # calamine raises several unrelated types for bad files
        raise SpreadsheetError(
            "文件已损坏或不是 Excel 工作簿(.xlsx),请用 Excel 或 WPS 打开检查后重新保存再上传。"
        ) from exc


def _read_sheet(book, name: str, columns: list[Column], limit: int) -> Sheet:
    names = {n.strip(): n for n in book.sheet_names}
    rows = book.get_sheet_by_name(names[name]).to_python(skip_empty_area=False)
    wanted = {_norm(col.header): col for col in columns}
    wanted.update({_norm(col.name): col for col in columns if col.name != KEY})
    header_at = None
    # A ledger often has a title line above the header: look a few rows down.
    for i, cells in enumerate(rows[:10]):
        if any(_norm(_text(v)) == _norm(KEY_HEADER) for v in cells):
            header_at = i
            break
    if header_at is None:
        raise SpreadsheetError(
            f"「{name}」表找不到表头行(应有一行以“{KEY_HEADER}”等列名作表头),请使用导入模板。"
        )
    index: dict[str, int] = {}
    for pos, value in enumerate(rows[header_at]):
        col = wanted.get(_norm(_text(value)))
        if col is not None and col.name not in index:
            index[col.name] = pos
    missing = [col.header for col in columns if col.name not in index]
    if missing:
        raise SpreadsheetError(
            f"「{name}」表缺少以下列:{'、'.join(missing)}。请使用最新的导入模板,不要删除或改写列名。"
        )
    positions = list(index.values())
    data: list[tuple[int, list[Any]]] = []
    for i in range(header_at + 1, len(rows)):
        cells = rows[i]
        if all(_text(cells[p]) == "" for p in positions if p < len(cells)):
            continue
        data.append((i + 1, cells))
        if len(data) > limit:
            raise SpreadsheetError(f"「{name}」表超过 {limit} 行,请拆分为多个文件分批导入。")
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
