"""Reads of cases: the receipt (回执) behind a receipt code — what was received, masked,
and the legal limits the case runs under."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from jiuzhu.cases import services
from jiuzhu.cases import workflow as wf
from jiuzhu.cases.deadlines import case_deadlines
from jiuzhu.cases.models import Case
from jiuzhu.cases.selectors import case_receipt, mask_name
from jiuzhu.regions.models import Region

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _report(village: str, **overrides) -> Case:
    data = {
        "name": "测试申报人", "phone": "13900000002", "village_code": village,
        "description": "家中老人长期患病,无人照顾,收入很低", "about_self": True,
    }  # fmt: skip
    return services.case_report_public(**(data | overrides))


def test_a_receipt_names_what_was_received_with_the_name_masked(village):
    case = _report(village)
    receipt = case_receipt(receipt_code=case.receipt_code.lower())
    place = Region.objects.select_related("parent").get(pk=village)

    assert receipt.title == "社会救助申请受理回执" and receipt.subject_label == "申请人"
    assert receipt.name_masked == "测****" and receipt.channel_label == "群众自主申报"
    assert receipt.place == f"{place.parent.name} {place.name}"
    assert receipt.received_at == case.created_at and not receipt.merged
    survey, total = case_deadlines(case)
    assert receipt.limits == [
        f"入户调查:自受理之日起3个工作日内,最迟{survey.due:%Y-%m-%d}",
        f"办理总时限:自受理之日起30个工作日内,最迟{total.due:%Y-%m-%d}",
    ]


def test_a_report_about_someone_else_is_a_report_receipt(village):
    case = _report(village, about_self=False, name="李四")
    receipt = case_receipt(receipt_code=case.receipt_code)
    assert receipt.title == "困难情况报告回执" and receipt.subject_label == "被报告人"
    assert receipt.name_masked == "李*"


def test_a_merged_report_runs_under_the_limits_of_its_original(village):
    original = _report(village)
    Case.objects.filter(pk=original.pk).update(created_at=timezone.now() - timedelta(days=10))
    again = _report(village, description="再次反映:老人病情加重")
    assert again.duplicate_of_id == original.pk

    receipt = case_receipt(receipt_code=again.receipt_code)
    original.refresh_from_db()
    assert receipt.merged and receipt.received_at == again.created_at
    due = [d.due for d in case_deadlines(original)]
    pairs = zip(due, receipt.limits, strict=True)
    assert receipt.limits and all(f"最迟{d:%Y-%m-%d}" in line for d, line in pairs)


def test_a_finished_case_prints_no_limits_and_a_bad_code_no_receipt(village):
    case = _report(village)
    Case.objects.filter(pk=case.pk).update(status=wf.Status.CLOSED)
    assert case_receipt(receipt_code=case.receipt_code).limits == []
    assert case_receipt(receipt_code="ABC") is None
    assert case_receipt(receipt_code="ABCDEFGHJK") is None


def test_names_are_masked_to_their_first_character_only():
    assert [mask_name(n) for n in ("张三丰", "欧阳娜娜", "王", " ", "")] == [
        "张**", "欧***", "*", "—", "—"
    ]  # fmt: skip


def test_the_receipt_page_shows_the_receipt_and_nothing_to_reach_the_person(village):
    client = Client()
    response = client.post("/apply/", {
        "about": "self", "name": "王测试", "phone": "13912345678", "village": village,
        "address": "测试村三组18号", "description": "车祸后不能干活,家里没有收入", "website": "",
    })  # fmt: skip
    assert response.status_code == 302
    body = client.get("/apply/receipt/").content.decode()
    case = Case.objects.get()
    for shown in (
        "社会救助申请受理回执",
        "王**",
        "受理单位(盖章)",
        "办理时限",
        case.receipt_code[:5],
    ):
        assert shown in body, shown
    for personal in ("王测试", "13912345678", "测试村三组18号", "车祸"):
        assert personal not in body, personal
