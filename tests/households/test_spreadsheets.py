"""Spreadsheet ledgers: template, upload → preview → commit, and export.

Every workbook here is a real .xlsx built with openpyxl and sent through the
pages, as a county clerk would."""

import datetime as dt
import io
import os
import socket
import time
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jiuzhu.accounts.models import AccessAction, AccessLog, Role
from jiuzhu.households import choices as c
from jiuzhu.households import spreadsheets
from jiuzhu.households.crypto import decrypt
from jiuzhu.households.models import Household, Member
from jiuzhu.households.spreadsheets import exporting
from jiuzhu.jobs import services as job_services
from jiuzhu.jobs.models import Job, JobStatus
from jiuzhu.regions.models import Level, Region
from tests.factories import UserFactory, make_household, make_id_number, member_data
from tests.support.sheets import HH_HEADERS, M_HEADERS, bad_checksum, hh, mem, preview, upload, xlsx

pytestmark = pytest.mark.core

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _upload_path(url: str):
    """The uploaded file behind a preview URL."""
    from django.conf import settings

    return settings.VAR_DIR / "imports" / f"{url.rstrip('/').rsplit('/', 1)[-1]}.xlsx"


@pytest.fixture
def villages(county):
    """Two villages of one township (in scope) and one of another (out of scope)."""
    first = county["townships"][0]
    inside = list(Region.objects.filter(parent=first, level=Level.VILLAGE).order_by("code")[:2])
    other = Region.objects.filter(level=Level.VILLAGE).exclude(parent=first).order_by("code")[0]
    return {"township": first, "a": inside[0], "b": inside[1], "outside": other}


@pytest.fixture
def clerk(villages):
    return UserFactory.township_staff(villages["township"])


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def mixed_file(villages):
    """Household 1 good; 2 has one bad member row; 3 has a bad household cell;
    and a member row points at a household that is not in the file."""
    households = [
        hh(1, villages["a"], 特困人员="是", 已享受救助帮扶="最低生活保障金、医疗救助"),
        hh(2, villages["a"]),
        hh(3, villages["b"], 住房安全状况="茅草房"),
    ]
    members = [
        mem(1, "户主", "测试甲一", 残疾类型="肢体残疾", 残疾等级="二级"),  # row 2
        mem(1, "配偶", "测试甲二"),  # row 3
        mem(2, "户主", "测试乙一"),  # row 4
        mem(2, "子女", "测试乙二", id_number=bad_checksum()),  # row 5
        mem(3, "户主", "测试丙一"),  # row 6
        mem(9, "户主", "测试丁一"),  # row 7: no household 9
    ]
    return xlsx(households, members)


def test_preview_lists_each_bad_row_in_chinese_and_writes_nothing(client, villages, clerk):
    login(client, clerk)
    _, response = preview(client, mixed_file(villages))
    assert response.status_code == 200
    assert response.context["good_count"] == 1
    assert response.context["bad_count"] == 2
    texts = [p.text for p in response.context["problems"]]
    assert any(t.startswith("成员 第5行 身份证号:身份证号无效:校验码不正确") for t in texts), texts
    assert any(t.startswith("家庭 第4行 住房安全状况:“茅草房”不是可选项") for t in texts), texts
    assert any(t.startswith("成员 第7行 户序号:「家庭」表中没有户序号为“9”的家庭") for t in texts)
    html = response.content.decode()
    assert "第5行" in html and "校验码不正确" in html and "茅草房" in html
    assert "尚未写入任何数据" in html
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0


def test_commit_writes_exactly_the_good_households_with_members_and_history(
    client, villages, clerk
):
    login(client, clerk)
    url, _ = preview(client, mixed_file(villages))
    response = client.post(url, follow=True)
    assert "已导入 1 户" in response.content.decode()
    household = Household.objects.get()
    assert household.source == c.Source.IMPORT
    assert household.village_id == villages["a"].code
    assert household.tag_tekun is True
    assert household.assistance_received == [c.Assistance.DIBAO, c.Assistance.MEDICAL]
    assert household.head_name == "测试甲一" and household.member_count == 2
    head = household.members.get(relation=c.Relation.HEAD)
    assert (head.disability_type, head.disability_grade) == (c.DisabilityType.PHYSICAL, 2)
    assert Household.history.filter(id=household.pk, history_user=clerk).count() == 1
    assert Member.history.filter(household_id=household.pk, history_user=clerk).count() == 2
    # Household 2's head row was fine, but its second member was not: none of it.
    assert not Member.objects.filter(name__in=["测试乙一", "测试乙二", "测试丙一"]).exists()
    log = AccessLog.objects.get(action=AccessAction.IMPORT)
    assert log.user == clerk and "导入1户2人,跳过2户" in log.detail
    assert reverse("households:detail", args=[household.pk]) in response.content.decode()


def test_committing_the_same_upload_twice_imports_it_once(client, villages, clerk):
    login(client, clerk)
    url, _ = preview(client, xlsx([hh(1, villages["a"])], [mem(1)]))
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert Household.objects.count() == 1
    assert AccessLog.objects.filter(action=AccessAction.IMPORT).count() == 1


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_an_upload_being_committed_is_not_committed_again(client, villages, clerk):
    login(client, clerk)
    url, _ = preview(client, xlsx([hh(1, villages["a"])], [mem(1)]))
    # As while a worker runs its import job:
    Job.objects.create(
        kind="import", key=spreadsheets.import_key(_token(url)), actor=clerk,
        status=JobStatus.RUNNING, params={"token": _token(url)},
    )  # fmt: skip
    assert "正在导入" in client.get(url).content.decode()
    assert "正在导入" in client.post(url).content.decode()
    assert Household.objects.count() == 0
    assert Job.objects.filter(kind="import").count() == 1


def test_an_import_interrupted_by_a_crash_shows_as_failed_and_continues_without_duplicates(
    client, villages, clerk
):
    login(client, clerk)
    households = [hh(k, villages["a"]) for k in (1, 2, 3)]
    members = [mem(k, name=f"测试户主{k}") for k in (1, 2, 3)]
    url, _ = preview(client, xlsx(households, members))
    token = _token(url)
    Job.objects.create(
        kind="import", key=spreadsheets.import_key(token), actor=clerk, params={"token": token},
        status=JobStatus.RUNNING, worker=f"{socket.gethostname()}:{2**22 + 7}",  # a dead process
    )  # fmt: skip
    report = spreadsheets.validate(source=_upload_path(url), user=clerk)

    def crash_after_the_first_batch(done, total, message):
        if done >= 1:
            raise KeyboardInterrupt  # the worker is killed between two batches

    with pytest.raises(KeyboardInterrupt):
        spreadsheets.import_commit(
            actor=clerk, report=report, token=token, batch_size=1,
            progress=crash_after_the_first_batch,
        )  # fmt: skip
    assert Household.objects.count() == 1
    assert job_services.job_recover() == 1  # as the restarted worker does

    page = client.get(url).content.decode()
    assert "上次导入未完成" in page and "任务执行中断" in page and "请重新开始" in page
    assert "正在导入" not in page
    assert "中断前已导入的 <strong" in page and "重新开始导入(剩余 2 户)" in page

    done = client.post(url, follow=True).content.decode()
    assert "已导入 3 户" in done
    assert sorted(Household.objects.values_list("head_name", flat=True)) == [
        "测试户主1", "测试户主2", "测试户主3"
    ]  # fmt: skip
    assert Job.objects.filter(kind="import", status=JobStatus.DONE).count() == 1
    # Committed: the uploaded file (ID numbers) is gone, and posting again writes nothing.
    assert not list((_upload_path(url).parent).glob("*.xlsx"))
    client.post(url)
    assert Household.objects.count() == 3


def test_unconfirmed_uploads_are_purged_by_housekeeping_after_their_time_limit(
    client, villages, clerk, _var_dir
):
    login(client, clerk)
    old_url, _ = preview(client, xlsx([hh(1, villages["a"])], [mem(1)]))
    new_url, _ = preview(client, xlsx([hh(2, villages["a"])], [mem(2)]))
    long_ago = time.time() - spreadsheets.UPLOAD_TTL_SECONDS - 60
    for path in (_var_dir / "imports").glob(f"{_token(old_url)}.*"):
        os.utime(path, (long_ago, long_ago))
    assert job_services.housekeeping()["uploads"] == 2  # the ledger and its record
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert sorted(p.stem for p in (_var_dir / "imports").iterdir()) == [_token(new_url)] * 2


def test_a_village_outside_the_uploaders_scope_is_rejected(client, villages, clerk):
    login(client, clerk)
    url, response = preview(client, xlsx([hh(1, villages["outside"])], [mem(1)]))
    texts = [p.text for p in response.context["problems"]]
    assert texts == ["家庭 第2行 所属村(居)代码:所选区划不存在或不在您的管辖范围内"]
    client.post(url)
    assert Household.objects.count() == 0


def test_the_template_round_trips_through_import(client, villages, clerk):
    login(client, clerk)
    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {"家庭", "成员", "填写说明", "区划代码"} <= set(wb.sheetnames)
    ws_h, ws_m = wb["家庭"], wb["成员"]
    assert [cell.value for cell in ws_h[1]] == HH_HEADERS
    assert [cell.value for cell in ws_m[1]] == M_HEADERS
    lists = [dv for dv in ws_m.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) >= 10  # every coded member column has a drop-down
    help_text = " ".join(str(cell.value) for row in wb["填写说明"].iter_rows() for cell in row)
    assert "身份证号" in help_text and "肢体残疾" in help_text
    assert villages["a"].code in [cell.value for cell in wb["区划代码"]["A"]]
    # The clerk edits the example household and uploads it back.
    address_col = HH_HEADERS.index("家庭住址") + 1
    ws_h.cell(row=2, column=address_col, value="测试组8号")
    out = io.BytesIO()
    wb.save(out)
    url, response = preview(client, out.getvalue())
    assert response.context["good_count"] == 1, [p.text for p in response.context["problems"]]
    client.post(url)
    household = Household.objects.get(address="测试组8号")
    assert household.member_count == 3
    assert household.head_name == "示例户主"
    spouse = household.members.get(relation=c.Relation.SPOUSE)
    assert (spouse.disability_type, spouse.disability_grade) == (c.DisabilityType.PHYSICAL, 2)
    # The example head is a veteran (是否退役军人 = 是); the others are not.
    assert dict(household.members.values_list("relation", "veteran")) == {
        c.Relation.HEAD: True, c.Relation.SPOUSE: False, c.Relation.CHILD: False
    }  # fmt: skip


def test_labels_codes_and_cell_types_are_all_understood(villages, clerk):
    households = [
        hh(
            "A-1",
            villages["a"],
            低保对象=True,
            刚性支出困难家庭="否",
            已享受救助帮扶="dibao,医疗救助",
            其他特殊情况="留守老人;独居老人",
            **{"经营性收入(元/年)": 1234.5, "入户调查日期": dt.date(2024, 5, 1)},
        )
    ]
    members = [
        mem("A-1", "head", 残疾类型="physical", 残疾等级=3, 职业="外出务工"),
        mem("A-1", "子女", 就学阶段="初中", **{"教育支出(元/年)": "1,200"}),
    ]
    report = spreadsheets.validate(source=xlsx(households, members, title_row=True), user=clerk)
    assert [p.text for p in report.problems()] == []
    (household,) = report.good
    assert household.row == 3  # a title line above the header is allowed
    assert household.cleaned["tag_dibao"] is True
    assert household.cleaned["assistance_received"] == ["dibao", "medical"]
    assert household.cleaned["special_circumstances"] == ["elder_left_behind", "elder_alone"]
    assert household.cleaned["business_income"] == Decimal("1234.5")
    assert household.cleaned["surveyed_on"] == dt.date(2024, 5, 1)
    head, child = household.members
    assert head.cleaned["disability_grade"] == 3
    assert head.cleaned["occupation"] == c.Occupation.MIGRANT
    assert child.cleaned["education_expense"] == Decimal("1200")


def test_missing_members_unknown_keys_and_duplicate_numbers_are_reported(villages, clerk):
    twice = make_id_number()
    households = [hh(1, villages["a"]), hh(2, villages["a"]), hh(3, villages["a"])]
    members = [
        mem(1, id_number=twice),  # row 2
        mem(2, id_number=twice),  # row 3
        mem(2, "配偶"),  # row 4
        mem(7),  # row 5
    ]
    report = spreadsheets.validate(source=xlsx(households, members), user=clerk)
    texts = [p.text for p in report.problems()]
    assert "家庭 第4行 户序号:该户在「成员」表中没有成员(户序号“3”)" in texts
    assert any(t.startswith("成员 第2行 身份证号:") and "第3行重复" in t for t in texts)
    assert any(t.startswith("成员 第3行 身份证号:") and "第2行重复" in t for t in texts)
    assert "成员 第5行 户序号:「家庭」表中没有户序号为“7”的家庭" in texts
    assert report.good == []


def test_a_household_without_exactly_one_head_is_reported_on_its_row(villages, clerk):
    households = [hh(1, villages["a"])]
    members = [mem(1, "户主"), mem(1, "户主")]
    report = spreadsheets.validate(source=xlsx(households, members), user=clerk)
    assert [p.text for p in report.problems()] == [
        "家庭 第2行 与户主关系:每户必须有且只有一名户主(现有2名)(见「成员」表第2、3行)"
    ]


def test_an_id_number_typed_as_a_number_explains_excel_formats(villages, clerk):
    # Valid as text; as an Excel number it keeps 15 significant digits and
    # comes back as ...016, whose check character is wrong.
    members = [mem(1, id_number=530128197503150017)]
    report = spreadsheets.validate(source=xlsx([hh(1, villages["a"])], members), user=clerk)
    (problem,) = report.problems()
    assert problem.column == "身份证号" and "文本" in problem.message


def test_an_id_number_already_on_file_is_rejected(villages, clerk):
    number = make_id_number()
    make_household(village=villages["b"].code, members=[member_data(id_number=number)])
    report = spreadsheets.validate(
        source=xlsx([hh(1, villages["a"])], [mem(1, id_number=number)]), user=clerk
    )
    (problem,) = report.problems()
    assert problem.text.startswith("成员 第2行 身份证号:")
    assert "已登记在其他家庭档案中" in problem.message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xe5\xba\x8f\xe5\x8f\xb7,\xe5\xa7\x93\xe5\x90\x8d\n1,2\n", "无法识别的文件类型"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel(.xls)"),
        (b"PK\x03\x04broken", "文件已损坏"),
        ("no-members-sheet", "文件缺少工作表「成员」"),
        ("no-id-column", "「成员」表缺少以下列:身份证号"),
        ("empty", "「家庭」表没有填写任何家庭"),
    ],
)
def test_an_unusable_file_gets_a_clear_chinese_error_and_nothing_is_kept(
    client, villages, clerk, _var_dir, data, expected
):
    if data == "no-members-sheet":
        data = xlsx([hh(1, villages["a"])], [], sheets=("家庭",))
    elif data == "no-id-column":
        data = xlsx([hh(1, villages["a"])], [mem(1)], drop=("身份证号",))
    elif data == "empty":
        data = xlsx([], [])
    login(client, clerk)
    response = upload(client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html and "未写入任何数据" in html
    imports = _var_dir / "imports"
    assert not imports.exists() or not any(imports.iterdir())
    assert Household.objects.count() == 0


def test_another_user_cannot_see_or_commit_someone_elses_upload(client, villages, clerk):
    login(client, clerk)
    url, _ = preview(client, xlsx([hh(1, villages["a"])], [mem(1)]))
    colleague = UserFactory(role=Role.TOWNSHIP_STAFF, regions=[villages["township"].code])
    login(client, colleague)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Household.objects.count() == 0
    login(client, clerk)
    client.post(url)
    assert Household.objects.count() == 1


def test_a_made_up_token_is_not_found(client, clerk):
    login(client, clerk)
    assert client.get(reverse("households:import_preview", args=["x" * 40])).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.DEPARTMENT_OFFICER, Role.SERVICE_ORG, Role.ADMIN]
)
def test_roles_that_may_not_import_get_not_found(client, villages, role):
    login(client, UserFactory(role=role, regions=[villages["township"].code]))
    assert client.get(reverse("households:import")).status_code == 404
    assert client.get(reverse("households:import_template")).status_code == 404
    assert client.post(reverse("households:import"), {}).status_code == 404


@pytest.mark.parametrize("role", [Role.VILLAGE_WORKER, Role.LEADER, Role.ADMIN])
def test_roles_that_may_not_export_get_not_found(client, villages, role):
    login(client, UserFactory(role=role, regions=[villages["a"].code]))
    assert client.get(reverse("households:export")).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def _sheet_rows(data: bytes, name: str) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in wb[name].iter_rows(values_only=True)]


def test_export_holds_only_in_scope_households_with_masked_ids_and_is_logged(
    client, villages, clerk
):
    inside = make_household(village=villages["a"].code, tag_dibao=True)
    other_inside = make_household(village=villages["b"].code)
    outside = make_household(village=villages["outside"].code)
    numbers = {m.pk: decrypt(m.id_cipher) for m in Member.objects.all()}
    login(client, clerk)
    response = client.get(reverse("households:export"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    households = _sheet_rows(data, "家庭")
    assert households[0][: len(HH_HEADERS)] == HH_HEADERS
    exported = {row[0] for row in households[1:]}
    assert exported == {inside.number, other_inside.number}
    members = _sheet_rows(data, "成员")
    assert members[0][: len(M_HEADERS)] == M_HEADERS
    id_col = M_HEADERS.index("身份证号")
    ids = [row[id_col] for row in members[1:]]
    assert len(ids) == 4 and all("*" in number for number in ids)
    flat = repr(households) + repr(members)
    assert not any(full in flat for full in numbers.values())
    assert outside.number not in flat
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.user == clerk and "2户4人" in log.detail

    filtered = client.get(reverse("households:export"), {"tag": "tag_dibao"})
    rows = _sheet_rows(b"".join(filtered.streaming_content), "家庭")
    assert [row[0] for row in rows[1:]] == [inside.number]
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 2


def test_a_large_export_is_written_by_a_job_and_offered_for_download_then_logged(
    client, villages, clerk, monkeypatch
):
    monkeypatch.setattr(exporting, "EXPORT_INLINE_MAX", 1)
    inside = make_household(village=villages["a"].code)
    other_inside = make_household(village=villages["b"].code)
    login(client, clerk)
    response = client.get(reverse("households:export"))
    job = Job.objects.get(kind="export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE and job.result["households"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "台账导出" in page and "已生成台账:2 户、4 人" in page
    assert f'href="/jobs/{job.pk}/download/"' in page
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()  # not yet handed out

    download = client.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    rows = _sheet_rows(b"".join(download.streaming_content), "家庭")
    assert {row[0] for row in rows[1:]} == {inside.number, other_inside.number}
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.user == clerk and log.detail == "导出台账 2户4人(全部授权区划)"
    # Another user, even of the same township, neither sees the job nor gets the file.
    login(client, UserFactory(role=Role.TOWNSHIP_STAFF, regions=[villages["township"].code]))
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_an_export_reads_back_with_the_import_columns(client, villages, clerk):
    make_household(village=villages["a"].code, assistance_received=[c.Assistance.TEKUN])
    login(client, clerk)
    data = b"".join(client.get(reverse("households:export")).streaming_content)
    hh_sheet, m_sheet = spreadsheets.read_workbook(source=data)
    assert len(hh_sheet.rows) == 1 and len(m_sheet.rows) == 2
    households = _sheet_rows(data, "家庭")
    assert households[1][HH_HEADERS.index("已享受救助帮扶")] == "特困人员供养金"
