from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import inlineformset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_POST

from jiuzhu.accounts.roles import (
    can_edit_households,
    can_export,
    can_import,
    can_read_households,
    can_reveal_id,
)

from . import choices as c
from . import selectors, services
from .forms import MEMBER_FIELDS, HouseholdForm, MemberForm, members_cross_check
from .models import Household, Member

PAGE_SIZE = 20


def _require_reader(user) -> None:
    if not can_read_households(user):
        raise Http404


@login_required
def household_list_view(request):
    _require_reader(request.user)
    q = request.GET.get("q", "")
    region = request.GET.get("region", "")
    tag = request.GET.get("tag", "")
    qs = selectors.household_list(user=request.user, q=q, region=region, tag=tag)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "region": region,
        "tag": tag,
        "tags": c.TAGS,
        "townships": selectors.township_choices(user=request.user),
        "villages": selectors.village_choices(user=request.user)
        if len(selectors.user_scope_codes(request.user))
        else [],
        "can_edit": can_edit_households(request.user),
        "can_export": can_export(request.user),
        "can_import": can_import(request.user),
    }
    template = (
        "households/_results.html" if request.headers.get("HX-Request") else "households/list.html"
    )
    return render(request, template, context)


@login_required
def household_detail_view(request, household_id: int):
    _require_reader(request.user)
    try:
        household = selectors.household_get(user=request.user, household_id=household_id)
    except Household.DoesNotExist:
        raise Http404 from None
    context = {
        "h": household,
        "members": household.members.all(),
        "history": selectors.household_history(household=household),
        "can_edit": can_edit_households(request.user),
        "can_reveal": can_reveal_id(request.user),
    }
    return render(request, "households/detail.html", context)


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    fields=MEMBER_FIELDS,
    extra=0,
    can_delete=True,
)


def _member_fields(form) -> dict:
    data = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
    data["id_number"] = form.cleaned_data.get("id_number", "")
    return data


@login_required
def household_edit_view(request, household_id: int | None = None):
    """The home-visit form: a household and its members on one phone-sized page."""
    if not can_edit_households(request.user):
        raise Http404
    household = None
    if household_id is not None:
        try:
            household = selectors.household_get(user=request.user, household_id=household_id)
        except Household.DoesNotExist:
            raise Http404 from None
    villages = selectors.village_choices(user=request.user)
    extra = 1 if household is None else 0
    FormSet = inlineformset_factory(
        Household,
        Member,
        form=MemberForm,
        fields=MEMBER_FIELDS,
        extra=extra,
        can_delete=household is not None,
    )
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=household, village_choices=villages)
        formset = FormSet(request.POST, instance=household or Household(), prefix="m")
        cross_errors: list[str] = []
        if form.is_valid() and formset.is_valid():
            kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
            kept = [f for f in kept if not (formset.can_delete and formset._should_delete_form(f))]
            summary = []
            for f in kept:
                data = _member_fields(f)
                if f.instance.pk and not data["id_number"]:
                    data["id_number"] = "stored:" + str(f.instance.pk)
                summary.append(data)
            cross_errors = members_cross_check(summary)
            if not cross_errors:
                new, changed, removed = [], [], []
                for f in formset.forms:
                    if f.instance.pk and formset.can_delete and formset._should_delete_form(f):
                        removed.append(f.instance)
                    elif f.instance.pk:
                        if f.has_changed():
                            changed.append((f.instance, _member_fields(f)))
                    elif f.has_changed():
                        new.append(_member_fields(f))
                try:
                    saved = services.household_visit_save(
                        actor=request.user,
                        household=household,
                        fields=form.cleaned_data,
                        members_new=new,
                        members_changed=changed,
                        members_removed=removed,
                    )
                except PermissionDenied as exc:
                    cross_errors = [str(exc)]
                else:
                    messages.success(request, f"已保存家庭档案 {saved.number}")
                    return redirect("households:detail", household_id=saved.pk)
        messages.error(request, "表单有错误,请按红色提示修改后再保存,尚未保存任何内容。")
    else:
        form = HouseholdForm(instance=household, village_choices=villages)
        formset = FormSet(instance=household or Household(), prefix="m")
        cross_errors = []
    return render(
        request,
        "households/edit.html",
        {
            "form": form,
            "formset": formset,
            "h": household,
            "cross_errors": cross_errors,
            "tags": c.TAGS,
        },
    )


@login_required
@require_POST
def member_reveal_view(request, member_id: int):
    try:
        member = selectors.member_get(user=request.user, member_id=member_id)
    except Member.DoesNotExist:
        raise Http404 from None
    try:
        number = services.id_number_reveal(actor=request.user, member=member)
    except PermissionDenied:
        return HttpResponse("无权查看", status=403)
    return HttpResponse(f'<span class="id-full">{escape(number)}</span>')
