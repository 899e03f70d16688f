"""The streaming spreadsheet reader on its own: values as calamine gave them, and
each limit refusing while reading."""

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from jiuzhu.core import sheets
from tests.support import crafted

pytestmark = pytest.mark.core


def _book(fill) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    fill(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(data: bytes, name: str = "表", **limits) -> list:
    with sheets.open_workbook(data, limits=sheets.Limits(**limits)) as book:
        return list(book.rows(name))


# Cells carry no time zone: a naive datetime is what Excel holds.
MORNING = dt.datetime(2024, 5, 1, 10, 30)  # noqa: DTZ001
NOON = dt.datetime(2023, 3, 15, 12, 0)  # noqa: DTZ001


def test_cells_come_back_typed_as_the_old_reader_gave_them():
    def fill(ws):
        ws.append([1, 2.5, -3, True, "文字", dt.date(2024, 5, 1), MORNING])
        ws["H1"] = "=1+1"  # a formula without a cached value reads as empty
        ws["I1"] = 45000
        ws["I1"].number_format = 'yyyy"年"m"月"d"日"'
        ws["J1"] = 45000.5
        ws["J1"].number_format = "h:mm"
        ws["K1"] = 45000
        ws["K1"].number_format = "0.00"
        ws["M1"] = "  两边有空格 "

    ((number, cells),) = _rows(_book(fill))
    assert number == 1
    assert cells == [
        1.0, 2.5, -3.0, True, "文字", dt.date(2024, 5, 1), MORNING,
        None, dt.date(2023, 3, 15), NOON, 45000.0, None, "  两边有空格 ",
    ]  # fmt: skip
    assert isinstance(cells[0], float)


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers():
    def fill(ws):
        ws["A1"] = "表头"
        ws["C5"] = "x"
        ws.row_dimensions[9].height = 30  # a row element holding no cell

    assert _rows(_book(fill)) == [(1, ["表头"]), (5, [None, None, "x"])]


def test_rows_holding_data_are_counted_while_reading():
    data = crafted.raw_xlsx({"表": (crafted.row_xml(n, [n]) for n in range(1, 12))})
    assert len(_rows(data, max_rows=11)) == 11
    with pytest.raises(sheets.LimitExceeded, match=re.escape("「表」表超过 10 行")):
        _rows(data, max_rows=10)


def test_a_value_beyond_the_column_limit_is_refused_naming_its_cell():
    data = crafted.raw_xlsx({"表": ['<row r="7"><c r="K7"><v>1</v></c></row>']})
    with pytest.raises(
        sheets.LimitExceeded, match=re.escape("「表」表 K7 单元格超出第 10 列(J 列)")
    ):
        _rows(data, max_columns=10)


def test_a_long_shared_string_is_refused_only_where_a_cell_uses_it():
    unused = crafted.raw_xlsx(
        {"表": ['<row r="1"><c r="A1" t="s"><v>1</v></c></row>']}, shared_strings=["长" * 50, "短"]
    )
    assert _rows(unused, max_cell_chars=10) == [(1, ["短"])]
    used = crafted.raw_xlsx(
        {"表": ['<row r="2"><c r="B2" t="s"><v>0</v></c></row>']}, shared_strings=["长" * 50]
    )
    with pytest.raises(
        sheets.LimitExceeded, match=re.escape("「表」表 B2 单元格的文字超过 10 个字符")
    ):
        _rows(used, max_cell_chars=10)


def test_a_part_inflating_past_its_declared_limit_is_refused_before_it_is_read():
    bomb = crafted.zip_bomb(inflated_mb=20)
    with pytest.raises(sheets.LimitExceeded, match=re.escape("文件解压后超过 10 MB")):
        sheets.open_workbook(bomb, limits=sheets.Limits(max_unzipped_bytes=10 * sheets.MiB))
    small_part = sheets.Limits(max_part_bytes=10 * sheets.MiB)
    too_big = re.escape("文件解压后超过 10 MB(「成员」表)")
    with (
        sheets.open_workbook(bomb, limits=small_part) as book,
        pytest.raises(sheets.LimitExceeded, match=too_big),
    ):
        list(book.rows("成员"))
    with (
        sheets.open_workbook(bomb) as book,
        pytest.raises(sheets.LimitExceeded, match=re.escape("压缩大小的 100 倍以上")),
    ):
        list(book.rows("成员"))


def test_an_entity_declaration_is_not_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "哈哈哈哈哈哈哈哈">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    data = crafted.raw_xlsx(
        {"表": ['<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>']}
    )
    # The DOCTYPE would have to precede the root: put one in front of the sheet's XML.
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = laughs.encode() + body.split(b"?>", 1)[1]
            dst.writestr(info.filename, body)
    try:
        rows = _rows(out.getvalue())
    except sheets.SheetError:
        return  # refused as broken: fine too
    assert rows == [] or "哈" not in str(rows)


def test_files_that_are_not_xlsx_are_named_in_chinese():
    with pytest.raises(sheets.SheetError, match=re.escape("旧版 Excel")):
        sheets.open_workbook(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(sheets.SheetError, match=re.escape("无法识别的文件类型")):
        sheets.open_workbook(b"a,b\n1,2\n")
    with pytest.raises(sheets.SheetError, match=re.escape("文件已损坏")):
        sheets.open_workbook(b"PK\x03\x04broken")
    with pytest.raises(sheets.LimitExceeded, match=re.escape("文件过大(超过 1 MB)")):
        sheets.open_workbook(
            b"PK\x03\x04" + b"\0" * sheets.MiB, limits=sheets.Limits(max_file_bytes=sheets.MiB)
        )


def test_csv_in_gb18030_reads_with_the_same_limits():
    data = "户序号,姓名\n1,测试甲\n\n2,测试乙\n".encode("gb18030")
    assert list(sheets.csv_rows(data)) == [
        (1, ["户序号", "姓名"]), (2, ["1", "测试甲"]), (4, ["2", "测试乙"])
    ]  # fmt: skip
    with pytest.raises(sheets.LimitExceeded, match=re.escape("超过 2 行")):
        list(sheets.csv_rows(data, limits=sheets.Limits(max_rows=2)))
    with pytest.raises(sheets.LimitExceeded, match=re.escape("第 1 行超过 1 列")):
        list(sheets.csv_rows(data, limits=sheets.Limits(max_columns=1)))
