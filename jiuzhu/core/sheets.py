"""Reading uploaded spreadsheets (.xlsx, .csv) row by row, with limits applied while
reading: no sheet is ever held whole, so a file built to exhaust memory or time is
refused with a Chinese message saying which limit it broke.

An .xlsx is a zip of XML parts. Readers that build the sheet's grid first (calamine,
openpyxl outside read-only mode) allocate rows × columns as the sheet's dimension
claims: one cell at XFD1048576 asks for 17 billion cells. Here the zip members are
checked before and while they are inflated (declared size, inflation ratio, bytes
actually produced), the sheet XML is parsed with lxml's iterparse one ``<row>`` at
a time and freed at once, and only cells holding a value are kept. Rows that hold
nothing (styles only) are skipped without cost, wherever they lie.

    limits = Limits(max_rows=30_000)
    with open_workbook(data, limits=limits) as book:
        for number, cells in book.rows("成员"):
            ...

Values come back as python-calamine (the reader before this one) gave them: numbers as float, booleans as bool, dates
as ``datetime.date`` (or ``datetime.datetime`` when the serial has a time part),
text as str, empty cells as None. A formula cell gives its cached value.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

MiB = 1024 * 1024
# Excel's own limits: nothing a real workbook holds lies beyond them.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767

Cell = str | float | bool | dt.date | dt.datetime | None


class SheetError(Exception):
    """The file cannot be read as a whole; the message says why, in Chinese."""


class LimitExceeded(SheetError):
    """The file breaks one of the reader's limits; the message names it."""


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. The defaults suit a ledger of a few tens of
    thousands of rows; a caller narrows them per sheet."""

    max_file_bytes: int = 20 * MiB  # the file as uploaded (compressed)
    max_unzipped_bytes: int = 300 * MiB  # all zip members inflated, together
    max_part_bytes: int = 200 * MiB  # one sheet's XML, inflated
    max_shared_strings_bytes: int = 60 * MiB  # the shared-strings part, inflated
    max_other_part_bytes: int = 8 * MiB  # workbook, relationships, styles
    max_ratio: int = 100  # inflated / compressed, for a part over RATIO_FLOOR
    max_members: int = 1_000  # entries in the zip
    max_rows: int = 100_000  # rows holding data, per sheet
    max_columns: int = 256  # a value beyond this column refuses the file
    max_cell_chars: int = EXCEL_MAX_CELL_CHARS


# A small part inflates a lot (an empty sheet is 99 % markup): judge ratios only above this.
RATIO_FLOOR = 1 * MiB

_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"
MSG_XLS = (
    "这是旧版 Excel(.xls)文件或设置了打开密码的文件,请在 Excel 中取消密码并“另存为”"
    "“Excel 工作簿(*.xlsx)”后再上传。"
)
MSG_UNKNOWN = "无法识别的文件类型:请上传 Excel 工作簿(.xlsx)文件,可先在本页下载导入模板。"
MSG_BROKEN = "文件已损坏或不是 Excel 工作簿(.xlsx),请用 Excel 或 WPS 打开检查后重新保存再上传。"


def _mb(n: int) -> str:
    return f"{n / MiB:g}"


def msg_too_large(limit: int) -> str:
    return f"文件过大(超过 {_mb(limit)} MB),请拆分后分批导入。"


def msg_too_many_rows(sheet: str, limit: int) -> str:
    return f"「{sheet}」表超过 {limit} 行,请拆分为多个文件分批导入。"


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COLUMNS: dict[str, int] = {}


def _column_index(ref: str) -> int:
    """AH7 → 34 (cached by letters: a sheet has few distinct columns)."""
    letters = ref.rstrip("0123456789")
    n = _COLUMNS.get(letters)
    if n is None:
        n = 0
        for ch in letters[:3]:
            if not "A" <= ch <= "Z":
                return 0
            n = n * 26 + ord(ch) - 64
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = n
    return n


# --- the zip ----------------------------------------------------------------


class _Budget:
    """Bytes the zip may still inflate to, shared by every part read."""

    def __init__(self, total: int) -> None:
        self.left = total


class _CountingReader(io.RawIOBase):
    """A zip member's inflated stream that stops the read the moment it passes
    its own limit or the file's shared budget (headers can lie about sizes)."""

    def __init__(self, raw: IO[bytes], *, limit: int, budget: _Budget, on_limit: str) -> None:
        self._raw = raw
        self._left = limit
        self._budget = budget
        self._on_limit = on_limit

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n if n is not None and n >= 0 else 64 * 1024)
        self._left -= len(data)
        self._budget.left -= len(data)
        if self._left < 0 or self._budget.left < 0:
            raise LimitExceeded(self._on_limit)
        return data

    def readinto(self, b) -> int:  # pragma: no cover - lxml calls read()
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _parser_kwargs() -> dict[str, Any]:
    # No DTD, no entities, no network: an XML part cannot expand or reach out.
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # strict OOXML
)
_ROW_TAGS = [f"{{{ns}}}row" for ns in _MAIN_NS]
_V_TAGS = frozenset(f"{{{ns}}}v" for ns in _MAIN_NS)
_IS_TAGS = frozenset(f"{{{ns}}}is" for ns in _MAIN_NS)
_T_TAGS = [f"{{{ns}}}t" for ns in _MAIN_NS]
_T_SET = frozenset(_T_TAGS)
_RPH_TAGS = frozenset(f"{{{ns}}}rPh" for ns in _MAIN_NS)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_DATE_BUILTINS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FMT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _is_date_format(code: str) -> bool:
    text = _FMT_NOISE.sub("", code).lower()
    if "general" in text:
        return False
    return any(ch in text for ch in "ymdhs")


class _Workbook:
    def __init__(self, zf: zipfile.ZipFile, limits: Limits) -> None:
        self._zf = zf
        self._limits = limits
        self._budget = _Budget(limits.max_unzipped_bytes)
        self._names = {info.filename: info for info in zf.infolist()}
        rels = self._rels("_rels/.rels")
        book_path = next(
            (t for kind, t in rels.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        self._book_path = book_path
        book_rels = self._rels(self._rels_path(book_path))
        root = self._xml(book_path)
        self.date1904 = any(
            _local(el.tag) == "workbookPr" and el.get("date1904") in ("1", "true")
            for el in root.iter()
        )
        self._sheets: dict[str, str] = {}
        for el in root.iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in book_rels:
                self._sheets[el.get("name", "")] = book_rels[rid][1]
        self.sheet_names = list(self._sheets)
        by_kind = {kind.rsplit("/", 1)[-1]: target for kind, target in book_rels.values()}
        self._date_styles = self._read_styles(by_kind.get("styles"))
        self._shared: list[Any] | None = None
        self._shared_path = by_kind.get("sharedStrings")

    # parts

    def _rels_path(self, part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", f"{name}.rels")

    def _rels(self, path: str) -> dict[str, tuple[str, str]]:
        if path not in self._names:
            return {}
        folder = posixpath.dirname(posixpath.dirname(path))
        found = {}
        for el in self._xml(path).iter():
            if _local(el.tag) != "Relationship" or el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            found[el.get("Id", "")] = (el.get("Type", ""), target)
        return found

    def _open(self, path: str, *, limit: int, what: str) -> _CountingReader:
        info = self._names.get(path)
        if info is None:
            raise SheetError(MSG_BROKEN)
        too_big = f"文件解压后超过 {_mb(limit)} MB({what}),请拆分为多个文件分批导入。"
        if info.file_size > limit:
            raise LimitExceeded(too_big)
        if info.file_size > RATIO_FLOOR and info.file_size > self._limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise LimitExceeded(
                f"文件解压后膨胀到压缩大小的 {self._limits.max_ratio} 倍以上({what}),"
                "疑似恶意构造的压缩文件,已拒绝。请用 Excel 或 WPS 重新保存后再上传。"
            )
        try:
            raw = self._zf.open(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
            raise SheetError(MSG_BROKEN) from exc
        if self._budget.left < limit:
            limit = self._budget.left
            too_big = f"文件解压后超过 {_mb(self._limits.max_unzipped_bytes)} MB,请拆分为多个文件分批导入。"
        return _CountingReader(raw, limit=limit, budget=self._budget, on_limit=too_big)

    def _xml(self, path: str) -> etree._Element:
        reader = self._open(path, limit=self._limits.max_other_part_bytes, what=path)
        try:
            parser = etree.XMLParser(**_parser_kwargs())
            return etree.parse(reader, parser).getroot()
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise SheetError(MSG_BROKEN) from exc
        finally:
            reader.close()

    def _read_styles(self, path: str | None) -> frozenset[int]:
        """Indexes of the cell formats (cellXfs) that show a number as a date."""
        if not path or path not in self._names:
            return frozenset()
        root = self._xml(path)
        custom: dict[int, str] = {}
        dates: set[int] = set()
        for el in root.iter():
            if _local(el.tag) == "numFmt":
                try:
                    custom[int(el.get("numFmtId", ""))] = el.get("formatCode", "")
                except ValueError:
                    continue
        for el in root.iter():
            if _local(el.tag) != "cellXfs":
                continue
            for i, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                try:
                    fmt = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fmt in _DATE_BUILTINS or (fmt in custom and _is_date_format(custom[fmt])):
                    dates.add(i)
        return frozenset(dates)

    def _shared_strings(self) -> list[Any]:
        if self._shared is not None:
            return self._shared
        self._shared = strings = []
        path = self._shared_path
        if not path or path not in self._names:
            return strings
        reader = self._open(path, limit=self._limits.max_shared_strings_bytes, what="单元格文字")
        cap = self._limits.max_cell_chars
        try:
            for _, si in etree.iterparse(reader, events=("end",), tag="{*}si", **_parser_kwargs()):
                parts = []
                size = 0
                for el in si.iter():
                    # Phonetic runs (rPh) are furigana, not the cell's text.
                    if _local(el.tag) == "t" and _local(el.getparent().tag) != "rPh":
                        parts.append(el.text or "")
                        size += len(el.text or "")
                strings.append("".join(parts) if size <= cap else _Oversized(size))
                si.clear()
                while si.getprevious() is not None:
                    del si.getparent()[0]
        except etree.XMLSyntaxError as exc:
            raise SheetError(MSG_BROKEN) from exc
        finally:
            reader.close()
        return strings

    # cells

    def _date(self, serial: float) -> Cell:
        if self.date1904:
            epoch = dt.datetime(1904, 1, 1)  # noqa: DTZ001 - a calendar serial, no zone
        elif serial < 60:
            epoch = dt.datetime(1899, 12, 31)  # noqa: DTZ001 - before Excel's 1900-02-29
        else:
            epoch = dt.datetime(1899, 12, 30)  # noqa: DTZ001
        if not 0 <= serial < 2_958_466:
            return serial
        days = int(serial)
        ms = round((serial - days) * 86_400_000)
        value = epoch + dt.timedelta(days=days, milliseconds=ms)
        return value.date() if ms == 0 else value

    def rows(
        self, name: str, *, max_rows: int | None = None, max_columns: int | None = None
    ) -> Iterator[tuple[int, list[Cell]]]:
        """Yield (Excel row number, cells from column A) for each row holding a value."""
        limits = self._limits
        max_rows = limits.max_rows if max_rows is None else max_rows
        max_columns = limits.max_columns if max_columns is None else max_columns
        path = self._sheets.get(name)
        if path is None:
            raise SheetError(f"文件缺少工作表「{name}」。")
        shared = self._shared_strings()
        reader = self._open(path, limit=limits.max_part_bytes, what=f"「{name}」表")
        dates = self._date_styles
        cap = limits.max_cell_chars
        held = seen = 0
        number = 0
        try:
            events = etree.iterparse(reader, events=("end",), tag=_ROW_TAGS, **_parser_kwargs())
            for _, row in events:
                r = row.get("r")
                number = int(r) if r and r.isdigit() else number + 1
                seen += 1
                if number > EXCEL_MAX_ROWS or seen > EXCEL_MAX_ROWS:
                    raise LimitExceeded(
                        f"「{name}」表超过 Excel 的 {EXCEL_MAX_ROWS} 行上限,不是正常的 Excel 工作簿,已拒绝。"
                    )
                cells: dict[int, Cell] = {}
                col = 0
                for c in row:
                    ref = c.get("r")
                    col = _column_index(ref) if ref else col + 1
                    if len(c) == 0:  # a styled empty cell: nothing to read
                        continue
                    # The common shapes inline (a number, a shared or inline string):
                    # this loop runs once per cell of the file.
                    kind = c.get("t")
                    first = c[0]
                    if kind is None and first.tag in _V_TAGS and len(c) == 1:
                        text = first.text
                        style = c.get("s")
                        try:
                            value = float(text) if text is not None else None
                        except ValueError:
                            value = text
                        else:
                            if (
                                style is not None
                                and value is not None
                                and style.isdigit()
                                and int(style) in dates
                            ):
                                value = self._date(value)
                    elif kind == "s" and first.tag in _V_TAGS:
                        try:
                            value = shared[int(first.text)]
                        except (TypeError, ValueError, IndexError):
                            value = None
                    elif (
                        kind == "inlineStr"
                        and first.tag in _IS_TAGS
                        and len(first) == 1
                        and first[0].tag in _T_SET
                    ):
                        value = first[0].text
                    else:
                        value = self._cell(c, shared, dates)
                    if value is None or value == "":
                        continue
                    if col > max_columns:
                        where = ref or f"{column_letter(col)}{number}"
                        raise LimitExceeded(
                            f"「{name}」表 {where} 单元格超出第 {max_columns} 列"
                            f"({column_letter(max_columns)} 列):最多读取 {max_columns} 列,"
                            "请删除多余的列后再上传。"
                        )
                    if value.__class__ is _Oversized or (
                        value.__class__ is str and len(value) > cap
                    ):
                        where = ref or f"{column_letter(col)}{number}"
                        raise LimitExceeded(
                            f"「{name}」表 {where} 单元格的文字超过 {cap} 个字符,请精简后再上传。"
                        )
                    cells[col] = value
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                if not cells:
                    continue
                held += 1
                if held > max_rows:
                    raise LimitExceeded(msg_too_many_rows(name, max_rows))
                out: list[Cell] = [None] * max(cells)
                for i, value in cells.items():
                    out[i - 1] = value
                yield number, out
        except etree.XMLSyntaxError as exc:
            raise SheetError(MSG_BROKEN) from exc
        finally:
            reader.close()

    def _cell(self, c, shared: list[Any], dates: frozenset[int]) -> Any:
        kind = c.get("t", "n")
        text = None
        inline = None
        for child in c:
            tag = child.tag
            if tag in _V_TAGS:
                text = child.text
            elif tag in _IS_TAGS:
                inline = "".join(
                    el.text or ""
                    for el in child.iter(*_T_TAGS)
                    if el.getparent().tag not in _RPH_TAGS
                )
        if kind == "inlineStr":
            return inline
        if text is None:
            return None
        if kind == "s":
            try:
                return shared[int(text)]
            except (ValueError, IndexError):
                return None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                value = dt.datetime.fromisoformat(text.strip())
            except ValueError:
                return text
            return value.date() if value.time() == dt.time() else value
        try:
            number = float(text)
        except ValueError:
            return text
        style = c.get("s")
        if style is not None and style.isdigit() and int(style) in dates:
            return self._date(number)
        return number

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> _Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Oversized(int):
    """A shared string longer than the cell limit: only its length is kept, and
    the cell that uses it is named in the refusal."""


Workbook = _Workbook


def _head(source: Path | bytes | IO[bytes]) -> tuple[bytes, IO[bytes], int]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return data[:8], io.BytesIO(data), len(data)
    if isinstance(source, Path):
        fh = source.open("rb")
        head = fh.read(8)
        fh.seek(0)
        return head, fh, source.stat().st_size
    head = source.read(8)
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    return head, source, size


def open_workbook(source: Path | bytes | IO[bytes], *, limits: Limits | None = None) -> Workbook:
    """Open an .xlsx for streaming; raise SheetError (Chinese) for anything else."""
    limits = limits or Limits()
    head, fh, size = _head(source)
    if size > limits.max_file_bytes:
        raise LimitExceeded(msg_too_large(limits.max_file_bytes))
    if head.startswith(_XLS_MAGIC):
        raise SheetError(MSG_XLS)
    if not head.startswith(_ZIP_MAGIC):
        raise SheetError(MSG_UNKNOWN)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(MSG_BROKEN) from exc
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        zf.close()
        raise LimitExceeded(
            f"文件内含超过 {limits.max_members} 个部件,不是正常的 Excel 工作簿,已拒绝。"
        )
    if sum(info.file_size for info in infos) > limits.max_unzipped_bytes:
        zf.close()
        raise LimitExceeded(
            f"文件解压后超过 {_mb(limits.max_unzipped_bytes)} MB,请拆分为多个文件分批导入。"
        )
    try:
        return _Workbook(zf, limits)
    except Exception:
        zf.close()
        raise


# --- CSV --------------------------------------------------------------------

_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def csv_rows(
    source: Path | bytes | IO[bytes], *, name: str = "CSV", limits: Limits | None = None
) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (line number, cells) of a .csv (UTF-8, with or without BOM, or GB18030 as
    Chinese Excel saves it) under the same row, column and cell limits; empty cells
    as None, every other value as text."""
    limits = limits or Limits()
    _, fh, size = _head(source)
    if size > limits.max_file_bytes:
        raise LimitExceeded(msg_too_large(limits.max_file_bytes))
    sample = fh.read(64 * 1024)
    fh.seek(0)
    encoding = _CSV_ENCODINGS[-1]
    for candidate in _CSV_ENCODINGS:
        try:
            codecs.getincrementaldecoder(candidate)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
    # The module-wide cap only grows here; each cell is checked against ours below.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_cell_chars + 1))
    held = 0
    try:
        for number, record in enumerate(csv.reader(text), start=1):
            cells: list[Cell] = [v if v.strip() else None for v in record]
            while cells and cells[-1] is None:
                cells.pop()
            if not cells:
                continue
            if len(cells) > limits.max_columns:
                raise LimitExceeded(
                    f"{name} 第 {number} 行超过 {limits.max_columns} 列,请删除多余的列后再上传。"
                )
            for i, value in enumerate(cells, start=1):
                if isinstance(value, str) and len(value) > limits.max_cell_chars:
                    raise LimitExceeded(
                        f"{name} 第 {number} 行第 {i} 列的文字超过 {limits.max_cell_chars} 个字符。"
                    )
            held += 1
            if held > limits.max_rows:
                raise LimitExceeded(f"{name} 超过 {limits.max_rows} 行,请拆分为多个文件分批导入。")
            yield number, cells
    except csv.Error as exc:
        raise SheetError(f"{name} 无法按 CSV 读取:某个单元格过长或引号不成对。") from exc
    except UnicodeDecodeError as exc:
        raise SheetError(f"{name} 的文字编码无法识别,请另存为 UTF-8 编码的 CSV 后再上传。") from exc
