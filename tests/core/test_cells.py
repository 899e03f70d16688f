"""Formula-safe cells: what people typed never becomes a formula in an export."""

import csv
import io

import openpyxl
import pytest

from jiuzhu.core import cells

pytestmark = pytest.mark.core

TYPED = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\t=1", "\r=1"]


def _saved(write_only: bool, values) -> list:
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    if write_only:
        ws.append(cells.xlsx_row(ws, values))
    else:
        for i, v in enumerate(values, start=1):
            cells.set_text(ws.cell(1, i), v)
    out = io.BytesIO()
    wb.save(out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    return list(sheet[1])


@pytest.mark.parametrize("write_only", [True, False])
def test_typed_text_that_looks_like_a_formula_is_a_string_cell(write_only):
    row = _saved(write_only, [*TYPED, -5, 2.5, "普通文字"])
    texts, (number, decimal, plain) = row[: len(TYPED)], row[len(TYPED) :]
    assert [c.value for c in texts] == TYPED
    assert {c.data_type for c in texts} == {"s"}
    assert (number.value, number.data_type) == (-5, "n")  # a negative number stays a number
    assert (decimal.value, plain.value) == (2.5, "普通文字")


def test_a_control_character_xml_refuses_is_replaced_not_fatal():
    (cell,) = _saved(True, ["控\x01制\ufffe"])
    assert cell.value == "控\ufffd制\ufffd"


def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe():
    out = io.StringIO()
    csv.writer(out).writerow(cells.csv_row([*TYPED, -5, "普通"]))
    back = next(csv.reader(io.StringIO(out.getvalue())))
    assert back[: len(TYPED)] == ["'" + t for t in TYPED]
    assert back[len(TYPED) :] == ["-5", "普通"]
