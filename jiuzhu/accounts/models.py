"""Users, their roles and region grants, API tokens and the access log.

A user sees exactly the households under the regions granted to them
(RegionGrant). What they may do there depends on their role (see roles.py).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VILLAGE_WORKER = "village_worker", "村(居)信息员"
    TOWNSHIP_STAFF = "township_staff", "乡镇(街道)民政办"
    COUNTY_STAFF = "county_staff", "县民政局"
    DEPARTMENT_OFFICER = "department_officer", "部门经办员"
    SERVICE_ORG = "service_org", "社会组织"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    role = models.CharField(
        "角色", max_length=32, choices=Role.choices, default=Role.VILLAGE_WORKER
    )
    display_name = models.CharField("姓名", max_length=32, blank=True)
    # The department or social organisation the account works for (a policies.Department
    # code; accounts sits below policies, so a code, not a foreign key: the user admin
    # offers the existing ones through accounts.hooks.organisations). Referrals sent to
    # it are this user's to accept and handle.
    department = models.CharField(
        "所属部门或机构",
        max_length=32,
        blank=True,
        help_text="部门经办员选择所在部门,社会组织选择所在机构;其他角色不填",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    regions = models.ManyToManyField(
        "regions.Region",
        through="RegionGrant",
        related_name="granted_users",
        blank=True,
        verbose_name="授权区划",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RegionGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="区划")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "区划授权"
        verbose_name_plural = "区划授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="unique_region_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.region}"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(expires_at__gt=timezone.now(), revoked=False)


class ApiToken(models.Model):
    """A bearer token for other county systems; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} 的令牌(至 {self.expires_at:%Y-%m-%d %H:%M})"

    @classmethod
    def issue(cls, *, user: User) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_digest=_digest(raw),
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
        )
        return token, raw

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        token = cls.objects.active().select_related("user").filter(key_digest=_digest(raw)).first()
        if token is None or not token.user.is_active:
            return None
        return token.user


class AccessAction(models.TextChoices):
    REVEAL_ID = "reveal_id", "查看完整身份证号"
    EXPORT = "export", "导出台账"
    IMPORT = "import", "导入台账"
    DUPLICATE_ID = "duplicate_id", "身份证号已建档(拒绝重复建档)"


class AccessLog(models.Model):
    """Who saw or moved personal data, and when (PIPL access trail)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, verbose_name="用户")
    action = models.CharField("操作", max_length=16, choices=AccessAction.choices)
    object_type = models.CharField("对象类型", max_length=32, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    detail = models.CharField("说明", max_length=255, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "访问记录"
        verbose_name_plural = "访问记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"
