"""Pages of the county joint review (月度联席会议) and the publicity list (公示).
County staff hold the meetings; leaders (领导) see the list of meetings with their
counts. Any other role or page, and any meeting outside the user's counties,
answers 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.accounts import roles
from jiuzhu.accounts.access import require_role as _require
from jiuzhu.accounts.models import AccessAction
from jiuzhu.accounts.pages import attempt, bulk_report
from jiuzhu.accounts.pages import error_text as _error_text
from jiuzhu.accounts.roles import role_of as _role
from jiuzhu.accounts.services import access_log_write
from jiuzhu.cases import services as case_services
from jiuzhu.cases.selectors import case_scope
from jiuzhu.cases.workflow import Status
from jiuzhu.core import downloads
from jiuzhu.core.bulk import TooMany
from jiuzhu.core.workflow import WorkflowError
from jiuzhu.policies.models import Department

from . import selectors, services
from .minutes import minutes_docx, publicity_notice_docx
from .models import Decision, ReviewMeeting

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _meeting(request, meeting_id) -> ReviewMeeting:
    return selectors.access_meeting_by_id(user=request.user, meeting_id=meeting_id)


@login_required
def meeting_list_view(request):
    _require(request.user, roles.REVIEW_LIST_READERS)
    counties = list(selectors.county_choices(user=request.user))
    waiting = 0
    if _role(request.user) in roles.REVIEW_EDITORS:
        waiting = case_scope(user=request.user).filter(status=Status.SUBMITTED).count()
    page = Paginator(selectors.meeting_list(user=request.user), 24).get_page(
        request.GET.get("page")
    )
    can_read = _role(request.user) in roles.REVIEW_READERS
    return render(request, "reviews/list.html", {
        "page": page, "counties": counties, "waiting": waiting, "can_read": can_read,
        "can_edit": _role(request.user) in roles.REVIEW_EDITORS,
        "publicity_over": selectors.publicity_list(user=request.user, state="over").count()
        if can_read else 0,
    })  # fmt: skip


class MeetingForm(forms.Form):
    county = forms.ModelChoiceField(label="县(区)", queryset=None, empty_label=None)
    month = forms.CharField(
        label="会议月份", widget=forms.DateInput(attrs={"type": "month"}),
        error_messages={"required": "请选择会议月份"},
    )  # fmt: skip
    held_on = forms.DateField(
        label="会议日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写会议日期", "invalid": "请按 年-月-日 填写"},
    )  # fmt: skip
    place = forms.CharField(label="会议地点", max_length=64, required=False)
    chair = forms.CharField(label="主持人", max_length=32, error_messages={"required": "请填写"})
    recorder = forms.CharField(label="记录人", max_length=32, required=False)
    departments = forms.ModelMultipleChoiceField(
        label="参会部门", queryset=Department.objects.all(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个部门"},
    )  # fmt: skip
    attendees = forms.CharField(
        label="参会人员", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "姓名及职务,每行一人"}),
    )  # fmt: skip
    with_agenda = forms.BooleanField(
        label="将乡镇已提交、待县级审核的个案全部列入议程", required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = selectors.county_choices(user=user)

    def clean_month(self) -> dt.date:
        value = self.cleaned_data["month"].strip()
        try:
            return dt.datetime.strptime(value[:7], "%Y-%m").date()  # noqa: DTZ007 (a date)
        except ValueError:
            raise ValidationError("请按 年-月 填写,如 2026-11") from None


@login_required
def meeting_create_view(request):
    _require(request.user, roles.REVIEW_EDITORS)
    today = timezone.localdate()
    form = MeetingForm(
        request.POST or None, user=request.user,
        initial={"month": f"{today:%Y-%m}", "held_on": today,
                 "departments": list(Department.objects.filter(kind="government"))},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user, county=data["county"], month=data["month"],
                held_on=data["held_on"], chair=data["chair"], place=data["place"],
                recorder=data["recorder"], attendees=data["attendees"],
                departments=list(data["departments"]), with_agenda=data["with_agenda"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except (WorkflowError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            n = meeting.items.count()
            messages.success(request, f"已登记{meeting.title},议程{n}件")
            return redirect("reviews:detail", meeting_id=meeting.pk)
    return render(request, "reviews/new.html", {"form": form})


@login_required
def meeting_detail_view(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    can_edit = _role(request.user) in roles.REVIEW_EDITORS and meeting.is_draft
    rows = selectors.agenda(meeting=meeting)
    return render(request, "reviews/detail.html", {
        "meeting": meeting, "rows": rows, "can_edit": can_edit, **_summary(rows),
        "candidates": list(selectors.candidates(meeting=meeting)) if can_edit else [],
        "decisions": Decision.choices,
        "departments": list(meeting.departments.order_by("code")),
        "in_publicity": sum(
            1 for r in rows
            if r.item.decision == Decision.APPROVE and r.case.status == "publicised"
        ),
        "to_publicise": sum(
            1 for r in rows
            if r.item.decision == Decision.APPROVE and r.case.status == "approved"
        ) if _role(request.user) in roles.REVIEW_EDITORS else 0,
        "today": timezone.localdate(),
    })  # fmt: skip


def _summary(rows) -> dict:
    counts = {d: sum(1 for r in rows if r.item.decision == d) for d in Decision.values}
    return {
        "counts": counts, "total": len(rows), "undecided": sum(1 for r in rows if not r.item.decision),
    }  # fmt: skip


@login_required
@require_POST
def item_decide_view(request, meeting_id: int, item_id: int):
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    item = selectors.access_item_by_id(meeting=meeting, item_id=item_id)
    error = ""
    try:
        item = services.item_decide(
            actor=request.user, item=item, decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except (ValidationError, WorkflowError, PermissionDenied) as exc:
        error = _error_text(exc)
    if request.headers.get("HX-Request"):
        # The row in place, and the agenda's counts out of band.
        rows = selectors.agenda(meeting=meeting)
        row = next(r for r in rows if r.item.pk == item.pk)
        return render(request, "reviews/_item.html", {
            "row": row, "meeting": meeting, "can_edit": True, "error": error,
            "decisions": Decision.choices, "posted": request.POST if error else None,
            "oob": True, **_summary(rows),
        })  # fmt: skip
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"已登记第{item.position}项的会议决定:{item.get_decision_display()}"
        )
    return redirect(f"{meeting_url(meeting)}#item-{item.pk}")


@login_required
@require_POST
def items_decide_view(request, meeting_id: int):
    """批量登记: the same decision for the ticked items of the agenda."""
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    decision = request.POST.get("decision", "")
    try:
        result = services.items_decide(
            actor=request.user, meeting=meeting, item_ids=request.POST.getlist("item"),
            decision=decision, reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except (ValidationError, WorkflowError, PermissionDenied, TooMany) as exc:
        messages.error(request, _error_text(exc))
    else:
        verb = f"登记“{Decision(decision).label}”"
        bulk_report(request, result, verb=verb)
    return redirect(f"{meeting_url(meeting)}#agenda")


def meeting_url(meeting: ReviewMeeting) -> str:
    return reverse("reviews:detail", kwargs={"meeting_id": meeting.pk})


@login_required
@require_POST
def item_remove_view(request, meeting_id: int, item_id: int):
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    item = selectors.access_item_by_id(meeting=meeting, item_id=item_id)
    attempt(request, lambda: services.agenda_remove(actor=request.user, item=item),
            success=f"已将个案 {item.case.number} 移出议程", errors=(WorkflowError,))  # fmt: skip
    return redirect("reviews:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def agenda_add_view(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    ids = [i for i in request.POST.getlist("case") if i.isdigit()]
    cases = list(selectors.candidates(meeting=meeting).filter(pk__in=ids))
    if not cases:
        messages.error(request, "请勾选要列入议程的个案")
        return redirect("reviews:detail", meeting_id=meeting.pk)
    attempt(request, lambda: services.agenda_add(actor=request.user, meeting=meeting, cases=cases),
            success=f"已列入议程{len(cases)}件", errors=(WorkflowError,))  # fmt: skip
    return redirect("reviews:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_conclude_view(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    minutes = request.POST.get("minutes", "")
    attempt(request, lambda: services.meeting_conclude(actor=request.user, meeting=meeting,
                                                       minutes=minutes),
            success="已形成会议纪要,各项决定已办理到个案", errors=(WorkflowError,))  # fmt: skip
    return redirect("reviews:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def publicise_view(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    _require(request.user, roles.REVIEW_EDITORS)
    attempt(request, lambda: services.publicise_approved(actor=request.user, meeting=meeting),
            success=lambda n: f"已对{n}户发布公示,公示期满无异议后方可实施帮扶",
            errors=(WorkflowError,))  # fmt: skip
    return redirect("reviews:publicity")


@login_required
def minutes_view(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    data = minutes_docx(meeting=meeting, rows=selectors.agenda(meeting=meeting))
    return _docx_download(request, meeting, data, name=f"{meeting.title}纪要",
                          detail=f"下载{meeting.title}纪要")  # fmt: skip


def _docx_download(request, meeting: ReviewMeeting, data: bytes, *, name: str, detail: str):
    """A meeting's Word document as a download, logged (it names households)."""
    access_log_write(
        user=request.user, action=AccessAction.EXPORT, object_type="review_meeting",
        object_id=str(meeting.pk), detail=detail,
    )  # fmt: skip
    return downloads.attachment(HttpResponse(data, content_type=DOCX), f"{name}.docx")


@login_required
def publicity_notice_view(request, meeting_id: int):
    """The publicity notices of the meeting's approved cases now in publicity, one page
    per village, to post on its notice board (公示栏)."""
    meeting = _meeting(request, meeting_id)
    rows = [
        r for r in selectors.agenda(meeting=meeting)
        if r.item.decision == Decision.APPROVE and r.case.status == "publicised"
    ]  # fmt: skip
    civil = Department.objects.filter(code="minzheng").values_list("phone", flat=True).first()
    data = publicity_notice_docx(
        county_name=meeting.county.name, rows=rows, phone=civil or "",
        days=settings.PUBLICITY_DAYS,
    )  # fmt: skip
    return _docx_download(request, meeting, data, name=f"{meeting.title}审核结果公示",
                          detail=f"下载{meeting.title}公示文书({len(rows)}户)")  # fmt: skip


@login_required
@require_POST
def implement_view(request):
    """批量实施: the ticked cases whose publicity is over, each 实施帮扶."""
    _require(request.user, roles.REVIEW_EDITORS)
    try:
        result = case_services.cases_implement(
            actor=request.user, case_ids=request.POST.getlist("case")
        )
    except TooMany as exc:
        messages.error(request, str(exc))
    else:
        bulk_report(request, result, verb="实施帮扶")
    return redirect(f"{reverse('reviews:publicity')}?state=over")


@login_required
def publicity_view(request):
    _require(request.user, roles.REVIEW_READERS)
    state = request.GET.get("state", "")
    qs = selectors.publicity_list(user=request.user, state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "reviews/publicity.html", {
        "page": page, "state": state, "can_edit": _role(request.user) in roles.REVIEW_EDITORS,
        "today": timezone.localdate(),
    })  # fmt: skip

