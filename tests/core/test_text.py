"""Typed text: control characters and direction overrides refused, names visible."""

import pytest

from jiuzhu.core import text

pytestmark = pytest.mark.core


@pytest.mark.parametrize(
    "value", ["控\x01制", "a\x00b", "x\x7fy", "x\x85y", "张三\u202e1234", "a\u2066b", "\u200f"]
)
def test_control_and_direction_characters_are_refused(value):
    assert text.text_problem(value, multiline=True) is not None


def test_line_breaks_only_in_multiline_text():
    assert text.text_problem("第一行\r\n第二行\t缩进", multiline=True) is None
    assert "换行符" in text.text_problem("第一行\n第二行")


@pytest.mark.parametrize("value", ["\u202e\u200b", "\u200b", "   ", "\u3164", "\ufeff"])
def test_a_name_must_hold_a_visible_character(value):
    assert text.name_problem(value) is not None


def test_ordinary_chinese_names_pass_the_check():
    assert text.name_problem("张三") is None
    assert text.name_problem("阿依古丽·买买提") is None


def test_a_query_never_fails_it_just_matches_nothing():
    assert text.query_text("张\x00三") == "张\ufffd三"
    assert text.query_text("张三") == "张三"
