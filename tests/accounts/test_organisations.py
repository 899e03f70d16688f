"""An account belongs to its department or social organisation (User.department, a
policies.Department code): the user admin offers the library's departments and social
organisations (accounts.hooks.organisations) and checks that one fits the role; the
migration maps the old free-text organisation of existing accounts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiuzhu.accounts import hooks
from jiuzhu.accounts.forms import UserAdminForm, organisation_error
from jiuzhu.accounts.models import Role, User
from tests.factories import DepartmentFactory, UserFactory
from tests.support.clients import client_for, page_text

ORGANISATIONS = [("yibao", "县医保局", False), ("shegong", "县社会工作服务中心", True)]


@pytest.mark.core
@pytest.mark.parametrize(
    ("role", "code", "error"),
    [
        (Role.DEPARTMENT_OFFICER, "yibao", ""),
        (Role.SERVICE_ORG, "shegong", ""),
        (Role.DEPARTMENT_OFFICER, "", "请选择所属部门或机构"),
        (Role.SERVICE_ORG, "", "请选择所属部门或机构"),
        (Role.SERVICE_ORG, "yibao", "社会组织的账号应属于一个社会组织"),
        (Role.DEPARTMENT_OFFICER, "shegong", "部门经办员应属于一个政府部门或群团组织"),
        (Role.DEPARTMENT_OFFICER, "nowhere", "部门或机构“nowhere”不存在"),
        (Role.COUNTY_STAFF, "yibao", "只有部门经办员和社会组织的账号填写所属部门或机构"),
        (Role.COUNTY_STAFF, "", ""),
    ],
)
def test_an_account_belongs_to_an_organisation_that_fits_its_role(role, code, error):
    message = organisation_error(role=role, code=code, organisations=ORGANISATIONS)
    assert (error in message) if error else message == ""
    assert bool(message) == bool(error)


@pytest.mark.core
def test_policies_answers_the_organisations_hook_with_the_library(db):
    DepartmentFactory(code="yibao")
    DepartmentFactory(code="shegong")
    rows = {code: social for answer in hooks.organisations.results() for code, _, social in answer}
    assert rows["yibao"] is False and rows["shegong"] is True


def _admin_post(user: User, **changes) -> dict:
    data = {
        "username": user.username, "role": user.role, "display_name": user.display_name,
        "department": user.department, "phone": "", "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0", "grants-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.core
def test_the_user_admin_offers_the_organisations_and_refuses_one_that_does_not_fit(db):
    DepartmentFactory(code="yibao")
    DepartmentFactory(code="shegong")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    account = UserFactory(role=Role.SERVICE_ORG, department="")
    client = client_for(admin)
    url = f"/admin/accounts/user/{account.pk}/change/"
    page = page_text(client.get(url))
    assert '<optgroup label="社会组织">' in page and 'value="shegong"' in page

    refused = client.post(url, _admin_post(account, department="yibao"))
    assert refused.status_code == 200
    assert "社会组织的账号应属于一个社会组织" in refused.content.decode()
    assert User.objects.get(pk=account.pk).department == ""

    saved = client.post(url, _admin_post(account, department="shegong"))
    assert saved.status_code == 302
    assert User.objects.get(pk=account.pk).department == "shegong"


@pytest.mark.core
def test_the_form_keeps_the_choices_of_the_hook(db):
    DepartmentFactory(code="shegong")
    form = UserAdminForm(instance=UserFactory(role=Role.SERVICE_ORG, department="shegong"))
    groups = dict(form.fields["department"].choices[1:])
    assert ("shegong", "县社会工作服务中心") in groups["社会组织"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_an_organisation_account_by_its_organisations_name(county):
    before = [("accounts", "0003_access_duplicate_id"), ("policies", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before[:1])
    apps = executor.loader.project_state(before).apps
    OldUser = apps.get_model("accounts", "User")
    OldDepartment = apps.get_model("policies", "Department")
    OldDepartment.objects.create(code="shegong", name="县社会工作服务中心", short_name="社工中心",
                                 kind="social_work")  # fmt: skip
    OldUser.objects.create(username="org-by-name", role="service_org",
                           organisation="县社会工作服务中心")  # fmt: skip
    OldUser.objects.create(username="org-by-short", role="service_org", organisation="社工中心")
    OldUser.objects.create(username="org-unknown", role="service_org", organisation="某慈善会")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    departments = dict(
        User.objects.filter(username__startswith="org-").values_list("username", "department")
    )
    assert departments == {"org-by-name": "shegong", "org-by-short": "shegong", "org-unknown": ""}
    assert User.objects.get(username="org-unknown").display_name == "某慈善会"
