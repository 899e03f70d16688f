"""Validating a ledger row by row with the home-visit forms: a report of every
problem, by sheet, row and column, in Chinese. Nothing is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from jiuzhu.accounts.scope import village_choices
from jiuzhu.core import idnumber

from .. import choices as c
from ..duplicates import DuplicateIdGuard
from ..forms import MEMBER_FIELDS, HouseholdForm, MemberForm, members_cross_check
from ..models import Member
from .columns import KEY, KEY_HEADER, SHEET_HOUSEHOLDS, SHEET_MEMBERS
from .reading import Sheet, _Bad, _convert, _text, read_workbook


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str
    key: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet} 第{self.row}行" if self.row else self.sheet

    @property
    def text(self) -> str:
        """One line a clerk can act on, e.g. '成员 第7行 身份证号:身份证号无效:…'."""
        if self.column:
            return f"{self.where} {self.column}:{self.message}"
        return f"{self.where} {self.message}"

    def __str__(self) -> str:
        return self.text


@dataclass
class MemberRow:
    row: int
    key: str
    name: str
    relation: Any
    id_number: str  # normalised, only when valid
    cleaned: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class HouseholdRow:
    row: int
    key: str
    village: str
    cleaned: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.cleaned is not None
            and not self.problems
            and bool(self.members)
            and all(m.cleaned is not None and not m.problems for m in self.members)
        )

    @property
    def head_name(self) -> str:
        heads = [m.name for m in self.members if m.relation == c.Relation.HEAD]
        return heads[0] if heads else ""

    def all_problems(self) -> list[Problem]:
        return self.problems + [p for m in self.members for p in m.problems]


@dataclass
class Report:
    households: list[HouseholdRow]
    orphans: list[Problem]  # member rows that belong to no household of the file

    @property
    def good(self) -> list[HouseholdRow]:
        return [h for h in self.households if h.ok]

    @property
    def bad(self) -> list[HouseholdRow]:
        return [h for h in self.households if not h.ok]

    @property
    def member_count(self) -> int:
        return sum(len(h.members) for h in self.good)

    def without(self, keys) -> Report:
        """The report less the households an earlier run of the same import wrote
        (read again, their members' ID numbers are now on file)."""
        keys = set(keys)
        if not keys:
            return self
        return Report([h for h in self.households if h.key not in keys], self.orphans)

    def problems(self) -> list[Problem]:
        found = [p for h in self.households for p in h.all_problems()] + self.orphans
        # A member row under a duplicated 户序号 hangs under both households.
        found = list({id(p): p for p in found}.values())
        order = {SHEET_HOUSEHOLDS: 0, SHEET_MEMBERS: 1}
        return sorted(found, key=lambda p: (order.get(p.sheet, 2), p.row or 0))


def _form_problems(
    form, *, sheet: Sheet, row: int, key: str, skip: set[str], extra: dict[str, str]
) -> list[Problem]:
    headers = {col.name: col.header for col in sheet.columns}
    problems = []
    for name, messages in form.errors.items():
        if name in skip:
            continue
        message = ";".join(messages)
        if name in extra:
            message += extra[name]
        column = headers.get(name) or (
            str(form.fields[name].label) if name in form.fields else "整体"
        )
        problems.append(Problem(sheet.name, row, column, message, key))
    return problems


def _row_data(sheet: Sheet, cells: list[Any], row: int, key: str):
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for col in sheet.columns:
        if col.name == KEY:
            continue
        try:
            data[col.name] = _convert(col, sheet.value(cells, col.name))
        except _Bad as exc:
            problems.append(Problem(sheet.name, row, col.header, str(exc), key))
    return data, problems


def _key(sheet: Sheet, cells: list[Any]) -> str:
    return _text(sheet.value(cells, KEY))


def validate(*, source: Path | bytes | IO[bytes], user) -> Report:
    """Validate every row of an uploaded ledger; write nothing.

    Raises SpreadsheetError when the file as a whole is unusable."""
    hh_sheet, m_sheet = read_workbook(source=source)
    villages = village_choices(user=user)
    households: list[HouseholdRow] = []
    by_key: dict[str, list[HouseholdRow]] = defaultdict(list)

    for row, cells in hh_sheet.rows:
        key = _key(hh_sheet, cells)
        data, problems = _row_data(hh_sheet, cells, row, key)
        data["source"] = c.Source.IMPORT
        form = HouseholdForm(data=data, village_choices=villages)
        valid = form.is_valid()
        problems += _form_problems(
            form, sheet=hh_sheet, row=row, key=key, skip=_names_of(hh_sheet, problems), extra={}
        )
        if not key:
            problems.insert(0, Problem(hh_sheet.name, row, KEY_HEADER, "不能为空", key))
        cleaned = form.cleaned_data if valid and not problems else None
        household = HouseholdRow(row, key, _text(data.get("village")), cleaned, problems)
        households.append(household)
        if key:
            by_key[key].append(household)

    for key, rows in by_key.items():
        if len(rows) > 1:
            numbers = "、".join(str(h.row) for h in rows)
            for h in rows:
                h.problems.append(
                    Problem(
                        hh_sheet.name, h.row, KEY_HEADER,
                        f"户序号“{key}”在第{numbers}行重复,无法确定成员属于哪一户", key,
                    )
                )  # fmt: skip

    orphans: list[Problem] = []
    guard = DuplicateIdGuard(actor=user, channel="表格导入")
    seen_ids: dict[str, list[MemberRow]] = defaultdict(list)
    for row, cells in m_sheet.rows:
        key = _key(m_sheet, cells)
        data, problems = _row_data(m_sheet, cells, row, key)
        hints = {}
        raw_id = m_sheet.value(cells, "id_number")
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            hints["id_number"] = (
                "(该单元格是数字格式,Excel 只保留15位有效数字,末几位可能已被改写;"
                "请把本列设为“文本”格式后重新录入)"
            )
        form = MemberForm(data=data, instance=Member(), id_guard=guard)
        valid = form.is_valid()
        problems += _form_problems(
            form,
            sheet=m_sheet,
            row=row,
            key=key,
            skip=_names_of(m_sheet, problems),
            extra=hints,
        )
        cleaned = None
        number = ""
        if valid and not problems:
            cleaned = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
            cleaned["id_number"] = number = form.cleaned_data.get("id_number", "")
        elif "id_number" in form.cleaned_data:
            number = form.cleaned_data["id_number"]
        member = MemberRow(
            row, key, _text(data.get("name")), data.get("relation"), number, cleaned, problems
        )
        if number:
            seen_ids[number].append(member)
        owners = by_key.get(key) if key else None
        if not key:
            problems.insert(0, Problem(m_sheet.name, row, KEY_HEADER, "不能为空", key))
            orphans.extend(problems)
        elif not owners:
            problems.insert(
                0,
                Problem(
                    m_sheet.name, row, KEY_HEADER,
                    f"「{SHEET_HOUSEHOLDS}」表中没有户序号为“{key}”的家庭", key,
                ),
            )  # fmt: skip
            orphans.extend(problems)
        else:
            for owner in owners:
                owner.members.append(member)

    # One person, one file: the same number twice in the file spoils every
    # household it appears in (the clerk must decide which one is right).
    for number, rows in seen_ids.items():
        keys = {m.key for m in rows}
        if len(rows) > 1 and len(keys) > 1:
            for m in rows:
                others = "、".join(str(o.row) for o in rows if o is not m)
                m.problems.append(
                    Problem(
                        m_sheet.name, m.row, "身份证号",
                        f"{idnumber.mask(number)} 与本表第{others}行重复,同一人只能登记在一户中",
                        m.key,
                    )
                )  # fmt: skip

    for h in households:
        if not h.members:
            h.problems.append(
                Problem(
                    hh_sheet.name, h.row, KEY_HEADER,
                    f"该户在「{SHEET_MEMBERS}」表中没有成员(户序号“{h.key}”)", h.key,
                )
            )  # fmt: skip
            continue
        summary = [{"relation": m.relation, "id_number": m.id_number} for m in h.members]
        rows_text = "、".join(str(m.row) for m in h.members)
        for problem in members_cross_check(summary):
            column, _, message = problem.partition(":")
            h.problems.append(
                Problem(
                    hh_sheet.name, h.row, column,
                    f"{message}(见「{SHEET_MEMBERS}」表第{rows_text}行)", h.key,
                )
            )  # fmt: skip
    return Report(households, orphans)


def _names_of(sheet: Sheet, problems: list[Problem]) -> set[str]:
    by_header = {col.header: col.name for col in sheet.columns}
    return {by_header[p.column] for p in problems if p.column in by_header}
