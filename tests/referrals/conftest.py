"""Fixtures of the referral tests."""

import pytest

from jiuzhu.cases import workflow as case_wf
from tests.factories import CaseFactory, PolicyFactory


@pytest.fixture
def planned_case(household, departments):
    """A case in planning whose 一户一策 holds a 医保 and an 教育 measure (policies made)."""
    PolicyFactory(code="yiliao-jiuzhu", department="yibao", needs=["medical"])
    PolicyFactory(code="jiaoyu-zizhu", department="jiaoyu", needs=["education"])
    return CaseFactory(
        status=case_wf.Status.PLANNING, household=household,
        measures=[{"policy": "yiliao-jiuzhu", "department": "yibao", "note": "住院自付部分"},
                  {"policy": "jiaoyu-zizhu", "department": "jiaoyu", "note": ""}],
    )  # fmt: skip
