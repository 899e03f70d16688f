import pytest

from jiuzhu.regions import luquan


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
