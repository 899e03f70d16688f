"""Accounts: password hashing, lockout, session timeout, login and landing pages."""

from __future__ import annotations

import importlib.util
import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import ApiToken, Role
from tests.factories import PASSWORD, UserFactory, make_household

pytestmark = pytest.mark.core


def fresh_settings():
    """Execute jiuzhu/settings.py anew, untouched by the test-time overrides."""
    import jiuzhu.settings as loaded

    spec = importlib.util.spec_from_file_location("jiuzhu_settings_fresh", loaded.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- passwords ------------------------------------------------------------------------


def test_argon2_is_the_first_password_hasher_in_the_real_settings():
    real = fresh_settings()
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_password_set_under_the_real_settings_is_stored_as_argon2(db, settings):
    settings.PASSWORD_HASHERS = fresh_settings().PASSWORD_HASHERS
    user = UserFactory(role=Role.VILLAGE_WORKER)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_an_old_pbkdf2_hash_still_verifies_and_is_upgraded_to_argon2_on_login(db, settings):
    settings.PASSWORD_HASHERS = fresh_settings().PASSWORD_HASHERS
    user = UserFactory(role=Role.VILLAGE_WORKER)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    assert check_password(PASSWORD, user.password)

    Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# --- lockout -----------------------------------------------------------------------------


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _token(client: Client, username: str, password: str):
    return client.post(
        "/api/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(db):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    client = Client()
    for _ in range(4):
        response = _login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    _login(client, user.username, "wrong-password")

    response = _login(client, user.username, PASSWORD)

    assert response.status_code == 429
    assert "账户已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/households/").status_code == 302  # still not logged in


def test_four_wrong_passwords_do_not_lock_the_account(db):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    client = Client()
    for _ in range(4):
        _login(client, user.username, "wrong-password")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_is_per_username_so_colleagues_behind_the_same_address_can_log_in(db):
    victim = UserFactory(role=Role.VILLAGE_WORKER)
    colleague = UserFactory(role=Role.VILLAGE_WORKER)
    client = Client()
    for _ in range(5):
        _login(client, victim.username, "wrong-password")
    response = _login(Client(), colleague.username, PASSWORD)
    assert response.status_code == 302


def test_five_wrong_passwords_through_the_api_lock_the_token_endpoint_too(db):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    client = Client()
    for _ in range(4):
        assert _token(client, user.username, "wrong-password").status_code == 401
    _token(client, user.username, "wrong-password")

    response = _token(client, user.username, PASSWORD)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "token" not in response.json()
    assert "锁定" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=user).exists()


def test_wrong_passwords_on_the_api_also_lock_the_login_page(db):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    client = Client()
    for _ in range(5):
        _token(client, user.username, "wrong-password")
    response = _login(client, user.username, PASSWORD)
    assert "账户已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- sessions --------------------------------------------------------------------------------


def test_sessions_end_after_thirty_idle_minutes_and_slide_with_each_request():
    real = fresh_settings()
    assert real.SESSION_COOKIE_AGE == 30 * 60
    assert real.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_pushes_the_session_expiry_thirty_minutes_ahead(db, client):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    client.force_login(user)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))

    client.get("/households/")

    expiry = Session.objects.get(pk=client.session.session_key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


def test_an_expired_session_redirects_to_the_login_page(db, client, county):
    user = UserFactory(role=Role.VILLAGE_WORKER, regions=[county["villages"][0].code])
    client.force_login(user)
    assert client.get("/households/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/households/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/households/")


# --- login page and landing pages -------------------------------------------------------------


def test_the_login_page_is_in_chinese(db, client):
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-Hans"' in page
    for text in ("登录", "用户名", "密码"):
        assert text in page
    for english in ("Username", "Password", "Log in"):
        assert english not in page


def test_a_wrong_password_shows_a_chinese_message(db, client):
    user = UserFactory(role=Role.VILLAGE_WORKER)
    page = _login(client, user.username, "wrong-password").content.decode()
    assert "用户名或密码错误" in page


def test_an_anonymous_visitor_is_sent_to_the_login_page(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.VILLAGE_WORKER, "/households/"),
        (Role.TOWNSHIP_STAFF, "/households/"),
        (Role.COUNTY_STAFF, "/households/"),
        (Role.ADMIN, "/households/"),
        (Role.LEADER, "/dashboard/"),
        (Role.DEPARTMENT_OFFICER, "/inbox/"),
        (Role.SERVICE_ORG, "/inbox/"),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_logging_in_lands_each_role_on_its_home(county, client, role, landing):
    grant = county["county"] if role != Role.VILLAGE_WORKER else county["villages"][0].code
    user = UserFactory(role=role, regions=[grant])

    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200
    page = response.content.decode()
    if landing == "/households/":
        assert "家庭档案" in page
    elif landing == "/dashboard/":
        assert "统计概览" in page
    else:
        # Officers of departments and social organisations land on their referrals.
        assert "待接收的转介" in page and "暂无可办理事项" not in page


def test_the_leader_dashboard_shows_counts_but_no_names(county, client):
    village = county["villages"][0]
    households = [make_household(village=village.code, tag_dibao=True) for _ in range(3)]
    leader = UserFactory(role=Role.LEADER, regions=[county["county"]])
    client.force_login(leader)

    page = client.get("/dashboard/").content.decode()

    row = page[page.index(village.parent.name) :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">3</td>' in row
    for h in households:
        assert h.head_name not in page
        assert h.number not in page
        for m in h.members.all():
            assert m.name not in page
            assert m.id_masked not in page


def test_the_dashboard_counts_only_the_leaders_region(county, client):
    first, second = county["townships"][:2]
    inside = next(v for v in county["villages"] if v.parent_id == first.code)
    outside = next(v for v in county["villages"] if v.parent_id == second.code)
    make_household(village=inside.code)
    make_household(village=outside.code)
    make_household(village=outside.code)
    leader = UserFactory(role=Role.LEADER, regions=[first.code])
    client.force_login(leader)
    response = client.get("/dashboard/")
    assert response.context["totals"]["total"] == 1


def test_a_department_officer_cannot_open_the_dashboard_or_the_household_list(county, client):
    officer = UserFactory(role=Role.DEPARTMENT_OFFICER, regions=[county["county"]])
    client.force_login(officer)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/households/").status_code == 404
