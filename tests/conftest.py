"""Fixtures every test folder shares: the demo county's regions, a village and its
people, the departments referrals go to, and the headless browser with its two-village
world. Helpers that are not fixtures are in tests/support/ and tests/factories.py."""

import os

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.households import choices as c
from jiuzhu.regions import luquan
from tests.factories import (
    DepartmentFactory,
    UserFactory,
    make_household,
    make_id_number,
    member_data,
)
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    SKIP_REASON,
    new_page,
)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (see test_accounts); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _jobs_run_immediately(settings):
    # A started job runs inside the request that starts it; tests/test_jobs_worker.py
    # goes through the real database queue and a real worker process instead.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Load the region tree once; tests roll back to this state.
    with django_db_blocker.unblock():
        luquan.load()


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; without it they are skipped, saying so."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# --- the demo county and its people ------------------------------------------------------


@pytest.fixture
def county(db):
    """The demo county's region tree (real townships, synthetic villages)."""
    from jiuzhu.regions.models import Level, Region

    if (
        Region.objects.filter(level=Level.VILLAGE, code__startswith="530128").count()
        < luquan.VILLAGE_TOTAL
    ):
        luquan.load()  # a transactional (browser) test flushed the database
    townships = list(
        Region.objects.filter(level=Level.TOWNSHIP, code__startswith="530128").order_by("code")
    )
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith="530128").order_by("code")
    )
    return {"county": luquan.COUNTY, "townships": townships, "villages": villages}


@pytest.fixture
def village(county):
    """The code of the demo county's first village."""
    return county["villages"][0].code


@pytest.fixture
def other_village(county):
    """The code of a village in another township (the county's last village)."""
    return county["villages"][-1].code


@pytest.fixture
def household(village):
    """A household of two (head and spouse) in the village, made through the service."""
    return make_household(village=village)


@pytest.fixture
def township(village):
    """乡镇民政办 of the village's township."""
    return UserFactory.township_staff(village)


@pytest.fixture
def county_staff(county):
    """县民政局 of the demo county."""
    return UserFactory.county_staff()


@pytest.fixture
def users(village, county):
    """One user of each role that works on the village's cases and referrals, by role
    (the department officer works for 医保)."""
    return {
        Role.VILLAGE_WORKER: UserFactory.village_worker(village),
        Role.TOWNSHIP_STAFF: UserFactory.township_staff(village),
        Role.COUNTY_STAFF: UserFactory.county_staff(),
        Role.DEPARTMENT_OFFICER: UserFactory.department_officer(
            "yibao", regions=[county["county"]]
        ),
        Role.LEADER: UserFactory(role=Role.LEADER, regions=[county["county"]]),
        Role.ADMIN: UserFactory(role=Role.ADMIN, regions=[county["county"]]),
    }


@pytest.fixture
def departments(db):
    """医保 and 教育, the two departments referrals and conferences go to in tests."""
    return {code: DepartmentFactory(code=code) for code in ("yibao", "jiaoyu")}


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django
    # would then refuse ORM calls from the test body unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def desktop(browser):
    page = new_page(browser, DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def world(county):
    """Two villages in different townships, a household in each, and the people who work there."""
    home = county["villages"][0]
    away = next(v for v in county["villages"] if v.parent_id != home.parent_id)
    worker = UserFactory.village_worker(home, username="cun", display_name="测试村信息员")
    clerk = UserFactory.county_staff(username="xian", display_name="测试县民政")
    spouse_id = make_id_number(sex="F")
    ours = make_household(
        village=home.code,
        members=[
            member_data(name="测试张甲", wage_income=6000),
            member_data(name="测试王乙", relation=c.Relation.SPOUSE, id_number=spouse_id),
        ],
    )
    theirs = make_household(
        village=away.code,
        members=[member_data(name="测试李丙"), member_data(name="测试赵丁", relation="spouse")],
    )
    return {
        "home": home,
        "away": away,
        "worker": worker,
        "clerk": clerk,
        "ours": ours,
        "theirs": theirs,
        "spouse_id": spouse_id,
    }
