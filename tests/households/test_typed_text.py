"""Names and free text refuse control characters on every channel, naming the field."""

import pytest

from jiuzhu.accounts.models import Role
from jiuzhu.cases import services as case_services
from jiuzhu.households import spreadsheets
from jiuzhu.households.models import Household
from tests.factories import UserFactory, member_data
from tests.support.clients import api_login as login
from tests.support.clients import household_payload as payload
from tests.support.sheets import hh, mem, xlsx

pytestmark = pytest.mark.core


@pytest.fixture
def village(county):
    return county["villages"][0]


@pytest.fixture
def worker(village):
    return UserFactory(role=Role.VILLAGE_WORKER, regions=[village.code])


@pytest.mark.parametrize("name", ["控\x01制", "\u202e\u200b", "张\u202e三"])
def test_the_api_refuses_a_bad_member_name_naming_the_field(village, worker, name):
    before = Household.objects.count()
    body = payload(village=village.code, members=[member_data(name=name)])
    response = login(worker).post("/api/households", body)
    assert response.status_code == 422
    assert "第1名成员 姓名:" in response.json()["detail"]
    assert Household.objects.count() == before


# XML cannot hold C0 characters at all: a ledger can carry C1 and direction controls.
def test_the_import_reports_a_control_character_on_its_row_and_column(
    village, worker, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    data = xlsx([hh(1, village, 家庭住址="村\u202e口")], [mem(1, name="控\x85制")])
    texts = [p.text for p in spreadsheets.validate(source=data, user=worker).problems()]
    assert any(t.startswith("家庭 第2行 家庭住址:不能含有改变文字方向的不可见字符(U+202E)") for t in texts), texts
    assert any(t.startswith("成员 第2行 姓名:不能含有控制字符(U+0085)") for t in texts), texts


def test_a_public_report_refuses_an_invisible_name(village):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        case_services.case_report_public(
            name="\u202e\u200b", phone="13900000001", village_code=village.code,
            description="家里有人生病住院,没有收入来源", address="", about_self=True,
        )  # fmt: skip
    assert "姓名:" in str(refused.value)
