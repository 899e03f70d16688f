"""Schemathesis over /api/openapi.json, as a county and as a village user: no
answer is a server error, and every answer — status code, content type, body — is
one the schema documents. Examples are bounded (MAX_EXAMPLES per operation and
user) so the run stays around a minute; PostgreSQL only (not `core`): the point is
what the production database refuses (NUL bytes, 64-bit offsets)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jiuzhu.accounts.models import ApiToken, Role
from tests.factories import UserFactory, make_household

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # A real WSGI call ends with close_old_connections, which would close the
    # test's connection mid-transaction; Django's own test client disconnects it too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=[Role.COUNTY_STAFF, Role.VILLAGE_WORKER], ids=["county", "village"])
def api_user(request, county, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    village = county["villages"][0].code
    region = county["county"] if request.param == Role.COUNTY_STAFF else village
    user = UserFactory(role=request.param, regions=[region])
    make_household(village=village)
    _, raw = ApiToken.issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


# Loaded at collection: serving the schema needs no database. (The lazy
# `schemathesis.pytest.from_fixture` loader reads a node attribute pytest 9 removed.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_every_api_answer_is_documented_and_none_is_a_server_error(case, api_user):
    case.call_and_validate(headers=api_user, checks=CHECKS)
