"""Demo accounts: one user per role, each granted one region of the demo county.

The password is the same for all of them: JIUZHU_DEMO_PASSWORD, or Jiuzhu-2026.
`make run` prints it with the URL; it is a demo, never a deployment default.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from django.db import transaction

from jiuzhu.accounts.models import RegionGrant, Role, User
from jiuzhu.policies.models import Department
from jiuzhu.regions import luquan
from jiuzhu.regions.models import Level, Region

COUNTY = luquan.COUNTY
CUIHUA = "530128109000"  # 翠华镇: the township of the demo township and village users
DEFAULT_PASSWORD = "Jiuzhu-2026"  # noqa: S105 - demo only, printed by --print-logins


def demo_password() -> str:
    return os.environ.get("JIUZHU_DEMO_PASSWORD") or DEFAULT_PASSWORD


# ---------------------------------------------------------------------------
# Demo users


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str
    region: str  # granted region code; "village" = first village of 翠华镇
    department: str = ""  # the department or social organisation (a Department code)
    superuser: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", Role.ADMIN, "系统管理员演示账号", COUNTY, superuser=True),
    DemoUser("xian", Role.COUNTY_STAFF, "县民政局演示账号", COUNTY),
    DemoUser("zhen", Role.TOWNSHIP_STAFF, "翠华镇民政办演示账号", CUIHUA),
    DemoUser("cun", Role.VILLAGE_WORKER, "村(居)信息员演示账号", "village"),
    DemoUser("lingdao", Role.LEADER, "县领导演示账号", COUNTY),
    DemoUser("yibao", Role.DEPARTMENT_OFFICER, "县医保局演示账号", COUNTY, department="yibao"),
    DemoUser(
        "jiaoyu", Role.DEPARTMENT_OFFICER, "县教育体育局演示账号", COUNTY, department="jiaoyu"
    ),
    DemoUser("shegong", Role.SERVICE_ORG, "县社会工作服务中心演示账号", COUNTY, department="shegong"),
]


def demo_village() -> Region:
    """The village of the demo village worker: the first one under 翠华镇."""
    return (
        Region.objects.filter(level=Level.VILLAGE, code__startswith=CUIHUA[:9])
        .order_by("code")
        .first()
    )


def _region_code(spec: DemoUser) -> str:
    return demo_village().code if spec.region == "village" else spec.region


@transaction.atomic
def ensure_users(*, password: str | None = None) -> list[User]:
    """Create or refresh the demo users with exactly their one region grant."""
    password = password or demo_password()
    users = []
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.role = spec.role
        user.display_name = spec.display_name
        user.department = spec.department
        user.is_superuser = spec.superuser
        user.is_staff = spec.superuser
        user.is_active = True
        if not user.has_usable_password() or not user.check_password(password):
            user.set_password(password)
        user.save()
        code = _region_code(spec)
        user.grants.exclude(region_id=code).delete()
        RegionGrant.objects.get_or_create(user=user, region_id=code)
        users.append(user)
    return users


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def logins_table(*, host: str, port: int | str) -> str:
    """The URL and the demo logins, as printed by `make run`."""
    password = demo_password()
    names = dict(Region.objects.filter(level__lte=Level.VILLAGE).values_list("code", "name"))
    rows = [("用户名", "密码", "角色", "授权区划")]

    departments = dict(Department.objects.values_list("code", "short_name"))
    village = demo_village()
    for spec in DEMO_USERS:
        code = village.code if spec.region == "village" and village else spec.region
        role = Role(spec.role).label
        extra = departments.get(spec.department, spec.department)
        if extra:
            role = f"{role}({extra})"
        region = names.get(code, code)
        if code == (village.code if village else None):
            region = f"{names.get(CUIHUA, '')}{region}"
        rows.append((spec.username, password, role, region))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = [f"http://{host}:{port}/", ""]
    for i, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
