"""No code reaches a screen as a code: as each role, every page reachable from the home
page by links and htmx GETs (tests/support/walk.py) is opened in the demo county —
households generated and assessed, the policy library, a month of casework made
through the services (jiuzhu/demo) — and its visible text must hold no factor key,
department code, status, role, measure, need or job code; every download it offers
must be saved under a Chinese file name (read from `filename*`, as a browser does).

The API is exempt (its codes are its contract), and so is the model editor's
"直接编辑 JSON" box (a textarea: the model's data itself, edited as JSON).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings

from jiuzhu.accounts.models import Role, User
from jiuzhu.assessment.batch import assess_region
from jiuzhu.assessment.models import ModelStatus
from jiuzhu.cases.workflow import Status as CaseStatus
from jiuzhu.cases.workflow import TicketStatus
from jiuzhu.demo import generator
from jiuzhu.demo.casework import make_casework
from jiuzhu.engine.model import FACTORS
from jiuzhu.engine.needs import NEED_LABELS
from jiuzhu.households.spreadsheets import exporting
from jiuzhu.jobs.models import JobStatus
from jiuzhu.policies.models import Department, DepartmentKind, Measure
from jiuzhu.policies.services import library_load
from jiuzhu.referrals.workflow import Status as ReferralStatus
from jiuzhu.regions import luquan
from jiuzhu.reviews.models import Decision, MeetingStatus
from tests.support.walk import code_pattern, codes_in, enum_codes, has_chinese, walk

HOUSEHOLDS = 300
# Each role's demo account (jiuzhu/demo/users.py) and the pages it must at least reach.
ROLES = {
    "xian": ("/households/", "/cases/", "/reviews/", "/policies/find/", "/assessment/stats/"),
    "zhen": ("/households/", "/cases/", "/inbox/"),
    "cun": ("/households/", "/cases/"),
    "yibao": ("/inbox/", "/referrals/"),
    "shegong": ("/inbox/", "/referrals/"),
}


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    """The demo county at 300 households, built once for the module inside a transaction
    that is rolled back at its end (each test runs in a savepoint of it)."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        luquan.load()
        generator.ensure_users(password="Demo-pass-2024")
        library_load()
        generator.generate(households=HOUSEHOLDS, seed=530128)
        assess_region(None)
        made = make_casework(seed=530128)
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def codes(demo_county, db) -> set[str]:
    """Every code a person must not read: stored values of the enums people see as
    labels, the nine factor keys, the needs and each department's code."""
    return (
        set(FACTORS)
        | set(NEED_LABELS)
        | set(Department.objects.values_list("code", flat=True))
        | enum_codes(
            CaseStatus, TicketStatus, ReferralStatus, JobStatus, MeetingStatus, Decision,
            ModelStatus, Role, Measure, DepartmentKind,
        )  # fmt: skip
    )


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_county_has_casework_for_the_walk_to_reach(demo_county, db):
    assert demo_county.get("cases", 0) >= 5
    assert demo_county.get("review_meetings", 0) >= 1


@pytest.mark.parametrize("username", list(ROLES))
def test_no_page_a_role_reaches_shows_a_code_as_text(username, codes, monkeypatch):
    # Enough households to make the county's ledger export a background job with a file.
    monkeypatch.setattr(exporting, "EXPORT_INLINE_MAX", 10)
    pattern = code_pattern(codes)
    result = walk(_client(username))
    opened = {v.url.split("?")[0] for v in result.pages}
    assert set(ROLES[username]) <= opened, sorted(opened)
    assert len(result.pages) >= 8
    found = {
        v.url: codes_in(v.text, pattern) for v in result.pages if codes_in(v.text, pattern)
    }  # fmt: skip
    assert found == {}
    errors = [(v.url, v.status, v.found_on) for v in result.visits if v.status >= 500]
    assert errors == []


@pytest.mark.parametrize("username", ["xian", "zhen"])
def test_every_download_a_role_reaches_has_a_chinese_file_name(username, demo_county, db,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.setattr(exporting, "EXPORT_INLINE_MAX", 10)
    result = walk(_client(username))
    names = {v.url: v.download for v in result.downloads}
    assert len(names) >= 3, names
    assert {url: name for url, name in names.items() if not has_chinese(name)} == {}
    reached = {url.split("?")[0] for url in names}
    assert {"/policies/find.xlsx", "/assessment/stats.xlsx", "/households/import/template.xlsx"
            } <= reached  # fmt: skip
    # The ledger export, as a background job (over 10 households) and its file.
    assert any(u.startswith("/jobs/") and u.endswith("/download/") for u in reached)
    if username == "xian":  # the joint review's documents
        assert {u.rsplit("/", 1)[-1] for u in reached} >= {"minutes.docx", "publicity.docx"}
