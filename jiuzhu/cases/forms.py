"""Forms of the case pages. They only collect and render: the services validate
(every caller, not only these pages, goes through them) and their
{field: Chinese message} errors are put back on the form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.regions.models import Level

from .models import STAFF_CHANNELS, Channel, Proxy, TicketKind


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, each message beside its field."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class CaseOpenForm(forms.Form):
    channel = forms.ChoiceField(
        label="受理渠道",
        choices=[(c.value, c.label) for c in Channel if c in STAFF_CHANNELS],
        initial=Channel.WINDOW,
    )
    proxy = forms.ChoiceField(
        label="办理方式",
        choices=Proxy.choices,
        initial=Proxy.IN_PERSON,
        widget=forms.RadioSelect,
        required=False,
        help_text="窗口受理和村级代办时填写",
    )
    note = forms.CharField(
        label="受理说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        help_text="申请事项、提交的材料、代办人等",
    )


class PublicReportForm(forms.Form):
    about = forms.ChoiceField(
        label="您要",
        choices=[("self", "为自己或家人申请救助"), ("other", "报告身边需要帮助的人")],
        initial="self",
        widget=forms.RadioSelect,
        required=False,
    )
    name = forms.CharField(
        label="姓名", required=False, max_length=64,
        help_text="申请人本人姓名;报告他人时填写被报告人姓名",
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 32}),
    )  # fmt: skip
    phone = forms.CharField(
        label="联系电话", required=False, max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
    )  # fmt: skip
    village = forms.ChoiceField(label="所在村(社区)", required=False)
    address = forms.CharField(
        label="住址(可不填)", required=False, max_length=256,
        widget=forms.TextInput(attrs={"maxlength": 128}),
    )  # fmt: skip
    description = forms.CharField(
        label="遇到的困难", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 500}),
        help_text="例如:家里有人生病住院、没有收入、房屋倒塌等,500字以内",
    )  # fmt: skip
    # Honeypot: hidden from people by CSS; a bot that fills every box gives itself away.
    website = forms.CharField(label="网址", required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择村(社区)")] + [
            (township.name, [(v.code, v.name) for v in vs]) for township, vs in villages
        ]


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label="来电类型", choices=TicketKind.choices, initial=TicketKind.HELP)
    caller_name = forms.CharField(label="来电人", required=False, max_length=64)
    caller_phone = forms.CharField(
        label="来电号码", required=False, max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )  # fmt: skip
    region = forms.ChoiceField(
        label="所属区划", help_text="知道村(社区)的选到村,不知道的选乡镇或县"
    )
    content = forms.CharField(
        label="来电诉求", widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000})
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [
            (
                r.code,
                f"{r.parent.name} {r.name}" if r.level == Level.VILLAGE and r.parent else r.name,
            )
            for r in regions
        ]
