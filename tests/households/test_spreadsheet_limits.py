"""Crafted spreadsheets uploaded for real: each is refused in Chinese naming the
limit it broke (or read at no cost), quickly, without memory growing, and nothing
is written or kept. The numbers themselves are in bench/spreadsheet_limits_bench.py."""

import resource
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiuzhu.accounts.models import Role
from jiuzhu.households.models import Household
from jiuzhu.regions.models import Level, Region
from tests.factories import UserFactory
from tests.support import crafted

pytestmark = pytest.mark.core

# Loose on purpose: the old reader took 11 s and 1.5 GB for one of these, or died.
SECONDS = 15  # the machine running CI may be shared: generous, memory is the sharper check
GROWTH_MB = 200


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def village(county):
    return Region.objects.filter(level=Level.VILLAGE).order_by("code")[0]


@pytest.fixture
def clerk(client, village):
    user = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[village.parent.code])
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def upload_within_budget(client, data: bytes):
    peak, t0 = _peak_mb(), time.perf_counter()
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("台账.xlsx", data)}
    )
    assert time.perf_counter() - t0 < SECONDS
    assert _peak_mb() - peak < GROWTH_MB
    return response


def assert_refused(response, expected: str, var_dir) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html, html[:3000]
    assert "未写入任何数据" in html
    imports = var_dir / "imports"
    assert not imports.exists() or not any(imports.iterdir())
    assert Household.objects.count() == 0


CASES = {
    "xfd": (
        lambda v: crafted.openpyxl_ledger_with_far_cell("XFD1048576", village=v),
        "「成员」表 XFD1048576 单元格超出第 256 列",
    ),
    "columns": (
        lambda v: crafted.too_many_columns(village=v, column=300),
        "「成员」表 KN3 单元格超出第 256 列(IV 列):最多读取 256 列",
    ),
    "bomb": (lambda v: crafted.zip_bomb(inflated_mb=400), "文件解压后超过 300 MB"),
    "rows": (
        lambda v: crafted.too_many_rows(village=v, members=30_001),
        "「成员」表超过 30000 行,请拆分为多个文件分批导入",
    ),
    "string": (
        lambda v: crafted.huge_shared_string(village=v, chars=1_000_000),
        "「成员」表 C2 单元格的文字超过 2000 个字符",
    ),
    "xls": (lambda v: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 6000, "旧版 Excel(.xls)"),
    "nonzip": (lambda v: "户序号,姓名\n1,测试\n".encode(), "无法识别的文件类型"),
    "truncated": (
        lambda v: crafted.openpyxl_ledger_with_far_cell("B3", village=v)[:3000],
        "文件已损坏",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_crafted_file_is_refused_naming_its_limit_and_nothing_is_written(
    client, clerk, village, _var_dir, case
):
    make, expected = CASES[case]
    response = upload_within_budget(client, make(village.code))
    assert_refused(response, expected, _var_dir)


def test_a_value_far_down_column_ah_costs_nothing_and_is_ignored_right_of_the_header(
    client, clerk, village
):
    # Calamine allocated every cell of A1:AH1048576 (1.5 GB, 11 s) for this 6.8 KB file.
    # The 成员 header ends at column T: what lies right of it is not the ledger's.
    data = crafted.openpyxl_ledger_with_far_cell("AH1048576", village=village.code)
    response = upload_within_budget(client, data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["problem_count"] == 0, [p.text for p in preview.context["problems"]]
    assert preview.context["good_count"] == 1
    assert Household.objects.count() == 0


def test_a_value_far_down_a_ledger_column_is_reported_on_its_row(client, clerk, village):
    data = crafted.openpyxl_ledger_with_far_cell("B1048576", village=village.code)
    response = upload_within_budget(client, data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    texts = [p.text for p in preview.context["problems"]]
    assert any(t.startswith("成员 第1048576行 户序号:不能为空") for t in texts), texts


def test_rows_holding_only_formatting_far_below_the_data_are_skipped(client, clerk, village):
    data = crafted.sparse_rows_far_below(village=village.code, empty_rows=50_000)
    response = upload_within_budget(client, data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["problem_count"] == 0, [p.text for p in preview.context["problems"]]
    assert preview.context["good_count"] == 1
