"""One writer of the access log (accounts.services.access_log_write)."""

from pathlib import Path

import pytest

from jiuzhu.accounts.models import AccessAction, AccessLog, Role
from jiuzhu.accounts.services import access_log_write
from tests.factories import UserFactory

pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parents[2] / "jiuzhu"


def test_an_access_log_row_names_who_did_what_to_which_record(db):
    user = UserFactory(role=Role.TOWNSHIP_STAFF)
    row = access_log_write(user=user, action=AccessAction.EXPORT, object_type="household",
                           object_id=42, detail="导出台账 3户9人")  # fmt: skip
    assert AccessLog.objects.get() == row
    assert (row.user, row.action, row.object_type, row.object_id, row.detail) == (
        user, "export", "household", "42", "导出台账 3户9人"
    )


def test_a_text_longer_than_its_column_is_cut_not_refused(db):
    user = UserFactory(role=Role.COUNTY_STAFF)
    row = access_log_write(user=user, action=AccessAction.EXPORT, object_type="x" * 40,
                           object_id="9" * 80, detail="条件" * 200)  # fmt: skip
    row.refresh_from_db()
    assert (len(row.object_type), len(row.object_id), len(row.detail)) == (32, 64, 255)


def test_no_module_but_the_accounts_service_creates_access_log_rows():
    writers = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "AccessLog.objects.create" in path.read_text(encoding="utf-8")
    ]
    assert writers == ["accounts/services.py"]
