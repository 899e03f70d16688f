"""What the template and the export share: header styles, column widths, and a
stored value as the cell shows it."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font, PatternFill

from .columns import Column

_HEAD_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="B42318")
_HEAD_FILL = PatternFill("solid", fgColor="FDE7E4")
_TEXT_KINDS = {"key", "region", "id", "text"}


_WIDTHS = {"id": 22.0, "region": 18.0, "multi": 30.0}


def _width(col: Column) -> float:
    return _WIDTHS.get(col.kind) or max(8.0, min(30.0, len(col.header) * 2.2 + 2))


def _export_value(col: Column, value: Any) -> Any:
    # None leaves the cell out entirely: smaller files, faster writing.
    if value is None or value == "":
        return None
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return str(dict(col.choices).get(value, value))
    if col.kind == "multi":
        labels = dict(col.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or None
    return value
