"""Download names: Chinese in `filename*`, an ASCII fallback, nothing a header or a file
system cannot hold."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core import downloads

pytestmark = pytest.mark.core


def test_a_chinese_name_is_sent_in_utf8_with_an_ascii_fallback():
    header = downloads.content_disposition("翠华镇应享未享名单_20261208.xlsx")
    assert header == (
        'attachment; filename="20261208.xlsx"; '
        "filename*=UTF-8''%E7%BF%A0%E5%8D%8E%E9%95%87%E5%BA%94%E4%BA%AB%E6%9C%AA%E4%BA%AB"
        "%E5%90%8D%E5%8D%95_20261208.xlsx"
    )
    assert downloads.filename_of(header) == "翠华镇应享未享名单_20261208.xlsx"
    assert header.isascii()


def test_a_name_without_any_ascii_letter_falls_back_to_download():
    header = downloads.content_disposition("家庭档案导入模板.xlsx")
    assert 'filename="download.xlsx"' in header
    assert downloads.filename_of(header) == "家庭档案导入模板.xlsx"


def test_separators_quotes_and_control_characters_become_underscores():
    name = downloads.safe_name('../县/"民政"\r\n局:\u202e纪要.docx')
    assert name == "_县__民政___局__纪要.docx"
    assert "/" not in name and '"' not in name and "\r" not in name and "\u202e" not in name
    assert downloads.safe_name("") == "下载文件"
    assert downloads.safe_name("  . ") == "下载文件"


def test_a_very_long_name_is_cut_keeping_its_suffix():
    name = downloads.safe_name("很长的名字" * 100 + ".xlsx")
    assert len(name) == downloads.MAX_NAME
    assert name.endswith(".xlsx")


def test_attachment_sets_the_header_on_the_response_and_returns_it():
    response: dict = {"Content-Disposition": 'attachment; filename="old.xlsx"'}
    assert downloads.attachment(response, "致困原因统计表.xlsx") is response
    assert downloads.filename_of(response["Content-Disposition"]) == "致困原因统计表.xlsx"


def test_the_plain_filename_is_read_when_there_is_no_utf8_name():
    assert downloads.filename_of('attachment; filename="a \\"b\\".docx"') == 'a "b".docx'
    assert downloads.filename_of("attachment; filename=plain.xlsx") == "plain.xlsx"
    assert downloads.filename_of("attachment") == ""
    assert downloads.filename_of("attachment; filename*=UTF-8''%FF%FE") == ""


@given(st.text(max_size=200))
def test_any_name_round_trips_through_the_header_as_its_safe_form(name):
    header = downloads.content_disposition(name)
    assert header.isascii() and "\n" not in header and "\r" not in header
    saved = downloads.filename_of(header)
    assert saved == downloads.safe_name(name)
    assert saved and "/" not in saved and "\\" not in saved and len(saved) <= downloads.MAX_NAME
    fallback = downloads.filename_of(header.split("; filename*=")[0])
    assert fallback.isascii() and fallback
