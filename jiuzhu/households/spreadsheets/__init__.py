"""Spreadsheet ledgers (台账): the import template, reading and validating an
uploaded .xlsx, committing its good households, and the registry export.

Two sheets carry the data: 「家庭」 (one row per household) and 「成员」 (one row
per member), linked by a sheet-local 户序号. Headers are the fields' Chinese
labels, so a ledger built from the template can be read back by header name in
any column order. Every row is validated by the same forms as the home-visit
page (labels are first mapped to codes), so a spreadsheet can never store
anything the page would refuse.

One module per job: `columns` (the layout), `reading` (cells to form values),
`validation` (the row-by-row report), `commit` (in batches), `importing` (the
commit as a background job), `uploads` (files between preview and commit),
`template` and `export` (writing, with `writing`'s shared styles).
Reading streams the sheets through `jiuzhu.core.sheets` (row, column and size
limits applied while reading, so a crafted file is refused in Chinese before it
costs memory); writing uses openpyxl, every user text through `jiuzhu.core.cells`.
"""

from .columns import (
    MAX_HOUSEHOLD_ROWS,
    MAX_MEMBER_ROWS,
    MAX_UPLOAD_BYTES,
    UPLOAD_TTL_SECONDS,
    XLSX_CONTENT_TYPE,
    Column,
    household_columns,
    member_columns,
)
from .commit import ImportResult, import_commit, imported_keys
from .export import ExportResult, export_ledger
from .importing import import_key, import_run, import_start
from .reading import Sheet, SpreadsheetError, read_workbook
from .template import build_template
from .uploads import (
    Upload,
    UploadNotFound,
    upload_finish,
    upload_get,
    upload_save,
    uploads_purge,
)
from .validation import HouseholdRow, MemberRow, Problem, Report, validate

__all__ = [
    "MAX_HOUSEHOLD_ROWS",
    "MAX_MEMBER_ROWS",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_TTL_SECONDS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ExportResult",
    "HouseholdRow",
    "ImportResult",
    "MemberRow",
    "Problem",
    "Report",
    "Sheet",
    "SpreadsheetError",
    "Upload",
    "UploadNotFound",
    "build_template",
    "export_ledger",
    "household_columns",
    "import_commit",
    "import_key",
    "import_run",
    "import_start",
    "imported_keys",
    "member_columns",
    "read_workbook",
    "upload_finish",
    "upload_get",
    "upload_save",
    "uploads_purge",
    "validate",
]
