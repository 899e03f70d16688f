from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm

from . import hooks
from .models import Role, User
from .roles import belongs_to_organisation


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="用户名",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错5次账户将被锁定30分钟。",
        "inactive": "该账户已停用。",
    }


def organisation_error(*, role: str, code: str, organisations) -> str:
    """Why `code` cannot be the department of an account of `role` ("" when it can).

    `organisations` is (code, name, is_social) as accounts.hooks.organisations answers:
    a department officer belongs to a department or group, a social organisation's
    account to a social organisation, and no other role belongs to either.
    """
    known = {c: is_social for c, _name, is_social in organisations}
    if not belongs_to_organisation(role):
        return "" if not code else "只有部门经办员和社会组织的账号填写所属部门或机构"
    if not code:
        return "请选择所属部门或机构:转介给它的事项由该账号接收办理"
    if code not in known:
        return f"部门或机构“{code}”不存在"
    if role == Role.SERVICE_ORG and not known[code]:
        return "社会组织的账号应属于一个社会组织(慈善组织、社工机构或志愿服务组织)"
    if role == Role.DEPARTMENT_OFFICER and known[code]:
        return "部门经办员应属于一个政府部门或群团组织;社会组织的账号请选择角色“社会组织”"
    return ""


class UserAdminForm(UserChangeForm):
    """The user admin's form: the department or social organisation is chosen from those
    the library holds (accounts.hooks.organisations) and must fit the role."""

    department = forms.ChoiceField(label="所属部门或机构", required=False)

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = [row for rows in hooks.organisations.results() for row in rows]
        departments = [(c, n) for c, n, social in self._organisations if not social]
        social = [(c, n) for c, n, is_social in self._organisations if is_social]
        self.fields["department"].choices = [
            ("", "(不属于部门或机构)"),
            ("政府部门与群团组织", departments),
            ("社会组织", social),
        ]
        self.fields["department"].help_text = User._meta.get_field("department").help_text

    def clean(self):
        data = super().clean()
        message = organisation_error(
            role=data.get("role", ""), code=data.get("department", ""),
            organisations=self._organisations,
        )  # fmt: skip
        if message:
            self.add_error("department", message)
        return data
