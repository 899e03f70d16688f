import pytest

from jiuzhu.regions import luquan


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (see test_accounts); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db):
    """The demo county's region tree (real townships, synthetic villages)."""
    luquan.load()
    from jiuzhu.regions.models import Level, Region

    townships = list(Region.objects.filter(level=Level.TOWNSHIP).order_by("code"))
    villages = list(Region.objects.filter(level=Level.VILLAGE).order_by("code"))
    return {"county": luquan.COUNTY, "townships": townships, "villages": villages}
