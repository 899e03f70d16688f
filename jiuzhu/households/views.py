"""Pages a clerk uses: the household list, the household file, the home-visit
form. Each view checks the role, calls one selector or service, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import inlineformset_factory
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from jiuzhu.accounts.access import require_role
from jiuzhu.accounts.roles import (
    HOUSEHOLD_EDITORS,
    HOUSEHOLD_READERS,
    can_edit_households,
    can_export,
    can_import,
    can_reveal_id,
    can_view_dashboard,
)
from jiuzhu.accounts.scope import region_scope, township_choices, village_choices
from jiuzhu.core.text import query_text
from jiuzhu.regions.models import Level

from . import choices as c
from . import selectors, services
from .duplicates import DuplicateIdGuard
from .forms import MEMBER_FIELDS, HouseholdForm, MemberForm, members_cross_check
from .listing import ListChoice, ListOptions, SortedRows
from .models import Household, Member
from .searches import search_recall, search_remember

PAGE_SIZE = 20
# Counting stops here: an exact count of a million households costs more than the
# page itself. A search stops sooner, as "李" alone matches a quarter of a county.
LIST_COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says there are more."""

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        # Unordered: any cap+1 rows will do, so PostgreSQL may take the cheapest.
        if isinstance(self.object_list, SortedRows):
            found = self.object_list.count_upto(self.cap)
        else:
            found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def page_links(page, *, around: int = 2) -> list[int | None]:
    """The page numbers the pager links: the first, the last and a few around the
    current one; None where numbers are left out (shown as …)."""
    last, here = page.paginator.num_pages, page.number
    shown = sorted({1, last, *range(max(1, here - around), min(last, here + around) + 1)})
    links: list[int | None] = []
    for n in shown:
        if links and n - links[-1] > 1:
            links.append(None)
        links.append(n)
    return links


def _require_reader(user) -> None:
    require_role(user, HOUSEHOLD_READERS)


def _region_filter_options(user) -> list[tuple]:
    """(township or None, villages) pairs for the region filter's optgroups."""
    townships = list(township_choices(user=user))
    villages = list(village_choices(user=user))
    by_parent: dict[str, list] = {}
    for v in villages:
        by_parent.setdefault(v.parent_id, []).append(v)
    groups = [(t, by_parent.pop(t.code, [])) for t in townships]
    # Villages granted without their township (a village worker's own village).
    loose = [v for vs in by_parent.values() for v in vs]
    if loose:
        groups.append((None, loose))
    return groups


def _wants_fragment(request) -> bool:
    # htmx swaps only the results; a history restore needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _list_pairs(*, token: str, region: str, tag: str, choice: ListChoice | None = None) -> list:
    """The list's query parameters: the search token (never the search text), the
    filters and the sort, all but the page."""
    pairs = [(k, v) for k, v in (("s", token), ("region", region), ("tag", tag)) if v]
    return pairs + (choice.query_items() if choice else [])


def _list_query(**kwargs) -> str:
    return urlencode(_list_pairs(**kwargs))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "HX-History-Restore-Request")  # the same URL answers two shapes
def household_list_view(request):
    """GET shows a page of the list; POST (the search form) keeps the search text in
    the session and answers with the list under a URL holding only its token."""
    _require_reader(request.user)
    data = request.POST if request.method == "POST" else request.GET
    region = data.get("region", "")
    tag = data.get("tag", "")
    options = ListOptions.collect()
    choice = options.choose(data)
    if request.method == "POST" or "q" in request.GET:
        # An old link or a hand-typed ?q= is moved off the URL at once, like a post.
        q = data.get("q", "").strip()
        token = search_remember(session=request.session, text=q)
        url = reverse("households:list")
        query = _list_query(token=token, region=region, tag=tag, choice=choice)
        url += f"?{query}" if query else ""
        if request.method == "POST" and _wants_fragment(request):
            response = _list_response(
                request, q=q, token=token, region=region, tag=tag, options=options, choice=choice
            )
            response["HX-Push-Url"] = url
            return response
        response = HttpResponseRedirect(url)
        response.status_code = 303  # see other: the browser fetches the list with GET
        return response
    token = request.GET.get("s", "")
    q = search_recall(session=request.session, token=token)
    return _list_response(
        request, q=q or "", token=token if q else "", region=region, tag=tag,
        options=options, choice=choice, expired=q is None, page_number=request.GET.get("page"),
    )  # fmt: skip


def _list_response(
    request, *, q, token, region, tag, options, choice, expired=False, page_number=None
) -> HttpResponse:
    qs = options.apply(
        selectors.household_list(user=request.user, q=q, region=region, tag=tag), choice
    )
    cap = SEARCH_COUNT_CAP if q else LIST_COUNT_CAP
    # get_page: a page number past the end shows the last page, one that is not a number the first.
    page = CappedPaginator(SortedRows(qs, choice.sort), PAGE_SIZE, cap=cap).get_page(page_number)
    headers, cells = options.row_details([h.pk for h in page.object_list])
    context = {
        "page": page,
        "rows": [(h, list(zip(headers, cells[h.pk], strict=True))) for h in page.object_list],
        "detail_headers": headers,
        "page_links": page_links(page),
        "q": q,
        "region": region,
        "tag": tag,
        "choice": choice,
        "filtered": bool(q or region or tag or choice.query_items()),
        "query": _list_query(token=token, region=region, tag=tag, choice=choice),
        # The ledger export follows the search, region and tag (not the sort or the
        # assessment's filters, which it does not read).
        "export_query": _list_query(token=token, region=region, tag=tag),
        "query_items": _list_pairs(token=token, region=region, tag=tag, choice=choice),
        "search_expired": expired,
        "can_export": can_export(request.user),
    }
    if _wants_fragment(request):
        return render(request, "households/_results.html", context | {"fragment": True})
    region_options = _region_filter_options(request.user)
    context |= {
        "tags": c.TAGS,
        "sorts": options.sorts,
        "list_filters": options.filters,
        "region_options": region_options,
        # One village and nothing above it: a region filter would offer no choice.
        "show_region_filter": sum(len(vs) + (t is not None) for t, vs in region_options) > 1,
        "can_edit": can_edit_households(request.user),
        "can_import": can_import(request.user),
    }
    return render(request, "households/list.html", context)


@login_required
@require_POST  # posted (with the CSRF token): a search text may be an ID number
def household_pick_view(request):
    """The household picker's results (households/_picker.html): households in the
    user's scope for the text typed, ID numbers masked."""
    _require_reader(request.user)
    q = query_text(request.POST.get("household_q", ""))[:64]
    picks = selectors.household_pick(user=request.user, q=q)
    return render(request, "households/_pick_results.html", {"picks": picks, "q": q.strip()})


@login_required
def household_detail_view(request, household_id: int):
    _require_reader(request.user)
    household = selectors.access_household_by_id(user=request.user, household_id=household_id)
    context = {
        "h": household,
        "members": household.members.all(),
        "history": selectors.household_history(household=household),
        "can_edit": can_edit_households(request.user),
        "can_reveal": can_reveal_id(request.user),
    }
    return render(request, "households/detail.html", context)


def _member_fields(form) -> dict:
    data = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
    data["id_number"] = form.cleaned_data.get("id_number", "")
    return data


def _scope_household_form(form: HouseholdForm, *, user, villages) -> None:
    """Offer only the user's own villages and groups, named so a county clerk can tell
    two 新村 apart."""
    if len({v.parent_id for v in villages}) > 1:
        form.fields["village"].label_from_instance = lambda r: f"{r.parent.name} {r.name}"
    form.fields["village"].empty_label = "请选择村(居)"
    form.fields["group"].queryset = region_scope(user=user).filter(level=Level.GROUP)
    form.fields["group"].empty_label = "(不填)"


def _split_members(formset) -> tuple[list, list, list, list[dict]]:
    """Sort the member forms into new / changed / removed, and the list the
    cross-member rules (one head, no repeated ID) are checked against."""
    new, changed, removed, kept = [], [], [], []
    for f in formset.forms:
        deleting = formset.can_delete and formset._should_delete_form(f)
        if f.instance.pk and deleting:
            removed.append(f.instance)
            continue
        if not f.instance.pk and (deleting or not f.has_changed()):
            continue  # an added box left empty, or added then ticked for removal
        data = _member_fields(f)
        if f.instance.pk:
            if f.has_changed():
                changed.append((f.instance, data))
            if not data["id_number"]:
                data = {**data, "id_number": "stored:" + str(f.instance.pk)}
        else:
            new.append(data)
        kept.append(data)
    return new, changed, removed, kept


@login_required
def household_edit_view(request, household_id: int | None = None):
    """The home-visit form: a household and its members on one phone-sized page."""
    require_role(request.user, HOUSEHOLD_EDITORS)
    household = None
    if household_id is not None:
        household = selectors.access_household_by_id(
            user=request.user, household_id=household_id
        )
    villages = village_choices(user=request.user).select_related("parent")
    FormSet = inlineformset_factory(
        Household,
        Member,
        form=MemberForm,
        fields=MEMBER_FIELDS,
        extra=1 if household is None else 0,
        can_delete=True,
    )
    cross_errors: list[str] = []
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=household, village_choices=villages)
        formset = FormSet(
            request.POST, instance=household or Household(), prefix="m",
            form_kwargs={"id_guard": DuplicateIdGuard(actor=request.user, channel="入户登记页面")},
        )  # fmt: skip
        _scope_household_form(form, user=request.user, villages=villages)
        if form.is_valid() and formset.is_valid():
            new, changed, removed, kept = _split_members(formset)
            cross_errors = members_cross_check(kept)
            if not cross_errors:
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
    else:
        initial = {}
        if household is None:
            initial["surveyed_on"] = timezone.localdate()
            only = list(villages[:2])
            if len(only) == 1:
                initial["village"] = only[0]
        form = HouseholdForm(instance=household, initial=initial, village_choices=villages)
        # A new household's first member is usually the head the clerk is talking to.
        first = [{"relation": c.Relation.HEAD}] if household is None else []
        formset = FormSet(instance=household or Household(), prefix="m", initial=first)
        _scope_household_form(form, user=request.user, villages=villages)
    return render(
        request,
        "households/edit.html",
        {
            "form": form,
            "formset": formset,
            "h": household,
            "cross_errors": cross_errors,
            "has_errors": bool(
                cross_errors or form.errors or any(formset.errors) or formset.non_form_errors()
            ),
        },
    )


@login_required
@require_POST
def member_reveal_view(request, member_id: int):
    member = selectors.access_member_by_id(user=request.user, member_id=member_id)
    try:
        number = services.id_number_reveal(actor=request.user, member=member)
    except PermissionDenied:
        return HttpResponse("无权查看完整身份证号", status=403)
    return HttpResponse(
        format_html(
            # The masked number stays for print: a revealed number never prints (print.css).
            '<span class="id-full id-revealed">{}</span><span class="id-masked print-only">{}</span>'
            '<small class="hint reveal-note">本次查看已记入日志</small>',
            number,
            member.id_masked,
        )
    )


@login_required
def dashboard_view(request):
    if not can_view_dashboard(request.user):
        return render(request, "accounts/no_access.html", status=403)
    rows = selectors.dashboard_rows(user=request.user)
    keys = ["total", *[n for n, _ in c.TAGS]]
    totals = {key: sum(r[key] for r in rows) for key in keys}
    return render(
        request,
        "accounts/dashboard.html",
        {
            "rows": rows,
            "tags": c.TAGS,
            "totals": totals,
            "total_tag_counts": [totals[n] for n, _ in c.TAGS],
        },
    )
