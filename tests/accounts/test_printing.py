"""The print header ({% print_header %}): the bureau of the record's county, the title,
the time and who printed; nothing else about the user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from jiuzhu.accounts.templatetags.printing import bureau_name
from tests.factories import UserFactory

pytestmark = [pytest.mark.core, pytest.mark.django_db]

HEADER = Template('{% load printing %}{% print_header "家庭档案(一户一档)" region %}')


def test_the_bureau_is_named_after_the_county_of_the_region(county, village):
    assert bureau_name(village) == "禄劝彝族苗族自治县民政局"
    assert bureau_name(county["villages"][-1]) == "禄劝彝族苗族自治县民政局"
    assert bureau_name(county["county"]) == "禄劝彝族苗族自治县民政局"
    assert bureau_name("990000000000") == "民政局"  # a county the tree does not hold
    assert bureau_name(None) == "民政局"


def test_a_configured_bureau_name_overrides_the_county(settings, village):
    settings.JIUZHU_BUREAU_NAME = "某某市某某区民政局"
    assert bureau_name(village) == "某某市某某区民政局"


def test_the_header_names_the_printing_user_and_role_only(village):
    worker = UserFactory.village_worker(village, display_name="测试打印人")
    html = HEADER.render(Context({"user": worker, "region": village}))
    assert "禄劝彝族苗族自治县民政局" in html and "家庭档案(一户一档)" in html
    assert "打印人 测试打印人(村(居)信息员)" in html
    assert worker.username not in html and "data-print-time" in html


def test_an_anonymous_print_of_the_header_names_no_printing_user(village):
    html = HEADER.render(Context({"user": AnonymousUser(), "region": village}))
    assert "禄劝彝族苗族自治县民政局" in html and "打印人" not in html
