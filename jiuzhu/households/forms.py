"""Validation shared by the home-visit form, the API and spreadsheet import.

Every error message is Chinese and names the field by its label, so a clerk
can fix the right cell or box.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.accounts.access import NotFound
from jiuzhu.core import idnumber
from jiuzhu.regions.models import Level, Region
from jiuzhu.validators import guard_text_fields

from . import choices as c
from . import selectors
from .crypto import lookup_hash
from .duplicates import DuplicateIdGuard
from .models import Household, Member

# Tuples, not lists: Django's inline formset appends its foreign key to
# Meta.fields in place, which would leak "household" into every other user.
HOUSEHOLD_FIELDS = (
    "village", "group", "address", "phone", "source",
    *[name for name, _ in c.TAGS],
    "business_income", "rental_income", "support_income", "subsidy_income",
    "land_planted_mu", "land_transferred_mu", "land_transfer_income",
    "livestock_sheds", "livestock_kind", "livestock_count", "deposits", "vehicles",
    "serious_illness_expense", "daily_medical_expense",
    "housing_safety", "housing_tenure", "rent_expense",
    "assistance_received", "special_circumstances", "disaster_loss", "special_note",
    "surveyed_on",
)  # fmt: skip

MEMBER_FIELDS = (
    "relation", "name", "phone", "occupation", "labour_ability", "skill",
    "wage_income", "pension_income", "health_status", "disease", "self_care",
    "dibao_status", "disability_type", "disability_grade", "disability_subsidy",
    "school_stage", "education_expense", "veteran",
)  # fmt: skip


class HouseholdForm(forms.ModelForm):
    assistance_received = forms.MultipleChoiceField(
        label="已享受救助帮扶",
        choices=c.Assistance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    special_circumstances = forms.MultipleChoiceField(
        label="其他特殊情况",
        choices=c.Special.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS
        # type=date needs ISO values whatever the locale (zh-hans would render 2024/05/01).
        widgets = {
            "surveyed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, village_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            village_choices
            if village_choices is not None
            else Region.objects.filter(level=Level.VILLAGE)
        )
        self.fields["group"].queryset = Region.objects.filter(level=Level.GROUP)
        for name in ("village", "group"):
            self.fields[name].error_messages["invalid_choice"] = (
                "所选区划不存在或不在您的管辖范围内"
            )
        guard_text_fields(self)

    def clean(self):
        data = super().clean()
        village, group = data.get("village"), data.get("group")
        if village and group and group.parent_id != village.code:
            self.add_error("group", "所属组不在所选村(居)内")
        return data


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=20, required=False)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS

    def __init__(self, *args, id_guard: DuplicateIdGuard | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Logs and throttles refused duplicates (see duplicates.py); every channel passes one.
        self.id_guard = id_guard
        # Editing a member may leave the ID box empty: the stored number stays.
        self.fields["id_number"].required = self.instance.pk is None
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        guard_text_fields(self, names=("name",))

    def clean_id_number(self) -> str:
        text = self.cleaned_data.get("id_number", "")
        if not text:
            return ""
        try:
            parsed = idnumber.parse(text)
        except idnumber.InvalidIdNumber as exc:
            raise ValidationError(f"身份证号无效:{exc}") from exc
        self.parsed_id = parsed
        guard = self.id_guard
        if guard is not None and guard.blocked:
            raise ValidationError(guard.blocked_message(), code="id_checks_paused")
        digest = lookup_hash(parsed.number)
        clash = Member.objects.filter(id_hash=digest)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        village = clash.values_list("household__village_id", flat=True).first()
        if village is not None:
            if guard is not None:
                guard.refused(id_hash=digest, village_code=village)
            raise ValidationError("该身份证号已登记在其他家庭档案中,同一人不能重复建档")
        return parsed.number

    def clean(self):
        data = super().clean()
        kind, grade = data.get("disability_type"), data.get("disability_grade")
        if kind is not None and grade is not None:
            if kind == c.DisabilityType.NONE and grade != 0:
                self.add_error("disability_grade", "无残疾时残疾等级应为“无”")
            if kind != c.DisabilityType.NONE and grade == 0:
                self.add_error("disability_grade", "有残疾时请选择残疾等级(一级至四级)")
        return data


def errors_as_text(form: forms.BaseForm) -> dict[str, str]:
    """Map each failing field to '字段名:错误' so the message names the field."""
    result: dict[str, str] = {}
    for field, messages in form.errors.items():
        label = form.fields[field].label if field in form.fields else "整体"
        result[field] = f"{label}:{';'.join(messages)}"
    return result


def members_cross_check(members: list[dict]) -> list[str]:
    """Rules across the member list: exactly one head, no duplicate ID number."""
    problems = []
    heads = sum(1 for m in members if m.get("relation") == c.Relation.HEAD)
    if heads != 1:
        problems.append(f"与户主关系:每户必须有且只有一名户主(现有{heads}名)")
    seen: set[str] = set()
    for m in members:
        number = m.get("id_number")
        if number and number in seen:
            problems.append(f"身份证号:{idnumber.mask(number)} 在本户中重复出现")
        if number:
            seen.add(number)
    return problems


def household_from_picker(*, user, data) -> tuple[Household | None, str]:
    """(household, error) from a form's household picker (households/_picker.html).

    The picker posts the chosen household's id (`household`), checked here against
    the user's scope again; without its script the clerk's text (`household_q`, or an
    older form's `household_number`) is taken as a household number. (None, "") when
    the form names no household; (None, a Chinese message) when it names one the user
    may not see or that does not exist (the same message for both)."""
    chosen = (data.get("household") or "").strip()
    text = (data.get("household_q") or data.get("household_number") or "").strip()
    try:
        household = selectors.household_picked(user=user, household_id=chosen, text=text)
    except NotFound:
        household = None
    if household is None and not chosen and text and not text.isdigit():
        return None, f"家庭档案:请从“{text[:40]}”的搜索结果中选择一户"
    if household is None and (chosen or text):
        return None, f"家庭档案:未找到您管辖范围内的家庭档案“{text[:40] or chosen[:20]}”"
    return household, ""
