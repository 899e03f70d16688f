"""Reads of household files. Every function takes the acting user and applies
their region scope and role, so no view or API endpoint can forget it. Asking
for a household outside the scope raises NotFound, exactly as for a household
that does not exist (jiuzhu.accounts.access)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Right, Substr

from jiuzhu.accounts.access import NotFound, pk_of
from jiuzhu.accounts.roles import can_read_households
from jiuzhu.accounts.scope import township_choices, user_scope_codes, village_choices
from jiuzhu.core import idnumber
from jiuzhu.regions.models import Region, prefix_of

from . import choices as c
from .crypto import lookup_hash
from .models import Household, Member

_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_FEW_NAMES = 5000  # more people than any full name has, fewer than any surname
HOUSEHOLD_NOT_FOUND = "家庭档案不存在"
MEMBER_NOT_FOUND = "家庭成员不存在"


def household_scope(*, user) -> QuerySet[Household]:
    """All households the user may read."""
    if not can_read_households(user):
        return Household.objects.none()
    return Household.objects.under_codes(user_scope_codes(user))


def household_list(
    *,
    user,
    q: str = "",
    region: str = "",
    tag: str = "",
) -> QuerySet[Household]:
    """Households in scope, narrowed by a search text, a region code and a tag."""
    qs = household_scope(user=user).select_related("village")
    q = (q or "").strip()
    if q:
        if _ID_LIKE.match(q):
            try:
                number = idnumber.parse(q).number
            except idnumber.InvalidIdNumber:
                number = idnumber.normalise(q)
            qs = qs.filter(members__id_hash=lookup_hash(number))
        elif q.isdigit():
            qs = qs.filter(number__startswith=q)
        else:
            villages = list(
                village_choices(user=user)
                .filter(name__contains=q)
                .values_list("code", flat=True)[:50]
            )
            qs = qs.filter(_name_or_village(q, villages))
    if region:
        try:
            qs = qs.filter(village__code__startswith=prefix_of(region))
        except (ValueError, KeyError):
            qs = qs.none()
    if tag:
        qs = qs.filter(**{tag: True}) if tag in c.TAG_LABELS else qs.none()
    return qs.order_by("-id")


def _name_or_village(q: str, villages: list[str]) -> Q:
    """Households with a member whose name starts with q, or in one of the villages.

    Name matches are counted first (one index-only scan, at most _FEW_NAMES+1).
    A full name matches a handful of people: their household ids go in as
    literals, i.e. primary-key lookups. As a subquery, PostgreSQL would plan
    for matches spread evenly and, newest first with LIMIT 20, walk all
    million households when the few matches are old ones. A surname matches
    tens of thousands, spread everywhere: a semi-join (or EXISTS, next to the
    villages) finds a page of them within the first rows. Never "A OR id IN
    (subquery)": with a large subquery PostgreSQL checks every household
    against an unhashed list (measured: over 15 minutes for 李 at 1M).
    """
    by_name = Member.objects.filter(name__startswith=q).order_by()
    few = list(by_name.values_list("household_id", flat=True)[: _FEW_NAMES + 1])
    if len(few) <= _FEW_NAMES:
        condition = Q(id__in=sorted(set(few)))
        return condition | Q(village_id__in=villages) if villages else condition
    if villages:
        return Q(village_id__in=villages) | Exists(by_name.filter(household_id=OuterRef("pk")))
    return Q(id__in=by_name.values("household_id"))


def access_household_by_id(*, user, household_id) -> Household:
    """One household in the user's scope; NotFound when it is missing, outside the
    scope, or the user's role reads no household files (one answer for all three)."""
    pk = pk_of(household_id, message=HOUSEHOLD_NOT_FOUND)
    try:
        return (
            household_scope(user=user)
            .select_related("village", "village__parent", "group")
            .get(pk=pk)
        )
    except Household.DoesNotExist:
        raise NotFound(HOUSEHOLD_NOT_FOUND) from None


def access_member_by_id(*, user, member_id) -> Member:
    """One member whose household is in the user's scope; NotFound otherwise."""
    pk = pk_of(member_id, message=MEMBER_NOT_FOUND)
    try:
        return Member.objects.select_related("household").get(
            pk=pk, household__in=household_scope(user=user)
        )
    except Member.DoesNotExist:
        raise NotFound(MEMBER_NOT_FOUND) from None


def household_find_by_number(*, user, number: str) -> Household | None:
    """The household in the user's scope with this 户编号 (a clerk typing it), or None."""
    number = (number or "").strip()
    if not number:
        return None
    return household_scope(user=user).filter(number=number).first()


PICK_LIMIT = 8  # results a picker shows: enough to choose from on a phone
_ID_TAIL = re.compile(r"^\d{3}[\dXx]$")  # the last four characters of an ID number


@dataclass
class Pick:
    """One household a picker offers, with the member it is told apart by (the one
    whose ID number ends as searched, else the head): name and masked ID number."""

    household: Household
    person: str
    id_masked: str


def household_pick(*, user, q: str) -> list[Pick]:
    """Households in the user's scope for a picker's search text: a name (or its first
    characters), a household number (or its first digits), a village's name, a full ID
    number, or the last four characters of a member's ID number. At most PICK_LIMIT;
    ID numbers only masked."""
    q = (q or "").strip()
    if not q:
        return []
    people: dict[int, tuple[str, str]] = {}
    if _ID_TAIL.match(q):
        matched = (
            Member.objects.annotate(tail=Right("id_masked", 4))
            .filter(tail=q.upper(), household__in=household_scope(user=user))
            .order_by("-household_id", "id")
            .values_list("household_id", "name", "id_masked")[: PICK_LIMIT * 4]
        )
        for household_id, name, masked in matched:
            people.setdefault(household_id, (name, masked))
        qs = household_scope(user=user).filter(id__in=list(people)[:PICK_LIMIT])
    else:
        qs = household_list(user=user, q=q)
    found = list(qs.select_related("village", "village__parent").order_by("-id")[:PICK_LIMIT])
    heads = Member.objects.filter(
        household__in=[h.pk for h in found if h.pk not in people], relation=c.Relation.HEAD
    ).values_list("household_id", "name", "id_masked")
    for household_id, name, masked in heads:
        people.setdefault(household_id, (name, masked))
    return [Pick(h, *people.get(h.pk, ("", ""))) for h in found]


def household_picked(*, user, household_id: str = "", text: str = "") -> Household | None:
    """The household a form's picker chose (its id, checked against the scope), or —
    without the picker's script — the one whose household number was typed; None when
    the form names none. A chosen id outside the scope raises NotFound, as a missing one."""
    if (household_id or "").strip():
        return access_household_by_id(user=user, household_id=household_id.strip())
    text = (text or "").strip()
    if text.isdigit():
        return household_find_by_number(user=user, number=text)
    return None


def dashboard_rows(*, user) -> list[dict]:
    """Counts by township under the user's grants: aggregates only, no names.

    One grouped query (households by the township prefix of their village code)
    rather than one per township, so the page stays quick on a big county."""
    codes = user_scope_codes(user)
    aggregates = {
        "total": Count("id"),
        **{name: Count("id", filter=Q(**{name: True})) for name, _ in c.TAGS},
    }
    places = {t.code[:9]: t for t in township_choices(user=user)}
    width = 9
    if not places:
        # A grant below township level (a village): count by village instead.
        width = 12
        places = {r.code[:12]: r for r in Region.objects.filter(code__in=codes)}
    counted = {
        row.pop("place"): row
        for row in Household.objects.under_codes(codes)
        .annotate(place=Substr("village_id", 1, width))
        .order_by()
        .values("place")
        .annotate(**aggregates)
    }
    missing = [p.ljust(12, "0") for p in counted if p not in places]
    places.update({r.code[:width]: r for r in Region.objects.filter(code__in=missing)})
    empty = dict.fromkeys(aggregates, 0)
    rows = []
    for prefix, region in sorted(places.items()):
        counts = counted.get(prefix, empty)
        rows.append({"region": region, **counts, "tag_counts": [counts[n] for n, _ in c.TAGS]})
    return rows


@dataclass
class Change:
    at: datetime
    who: str
    kind: str  # 新建 / 修改 / 删除
    subject: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


def _display(model, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    f = model._meta.get_field(name)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "assistance_received":
        return "、".join(c.Assistance(v).label for v in value if v in c.Assistance.values) or "—"
    if name == "special_circumstances":
        return "、".join(c.Special(v).label for v in value if v in c.Special.values) or "—"
    if name in ("village", "group"):
        region = Region.objects.filter(code=value).first()
        return region.name if region else str(value)
    return str(value)


_SKIP = {"updated_at", "created_at", "head_name", "member_count", "household"}
_KIND = {"+": "新建", "~": "修改", "-": "删除"}


def _changes_for(records, model, subject_of) -> list[Change]:
    changes: list[Change] = []
    records = list(records)
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) and records[i + 1].id == rec.id else None
        who = str(rec.history_user) if rec.history_user else "系统"
        change = Change(rec.history_date, who, _KIND[rec.history_type], subject_of(rec))
        if prev is not None and rec.history_type == "~":
            delta = rec.diff_against(prev)
            for ch in delta.changes:
                if ch.field in _SKIP:
                    continue
                label = model._meta.get_field(ch.field).verbose_name
                change.fields.append(
                    (
                        str(label),
                        _display(model, ch.field, ch.old),
                        _display(model, ch.field, ch.new),
                    )
                )
            if not change.fields:
                continue
        changes.append(change)
    return changes


def household_history(*, household: Household) -> list[Change]:
    """Every recorded change to the household and its members, newest first."""
    h_records = (
        Household.history.filter(id=household.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    m_records = (
        Member.history.filter(household_id=household.pk)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    changes = _changes_for(h_records, Household, lambda r: "家庭信息")
    changes += _changes_for(m_records, Member, lambda r: f"成员 {r.name}")
    changes.sort(key=lambda ch: ch.at, reverse=True)
    return changes
