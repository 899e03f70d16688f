"""Workflows as data: a table of allowed transitions, looked up by (action, from status).

Pure Python, no Django. The case, hotline-ticket and referral workflows are
tables of `Transition` rows (cases/workflow.py, referrals/workflow.py); their
services look a move up here and raise on an illegal one, the pages ask which
buttons to show, and the tests iterate the rows. A transition is keyed by
(action, from status): the same action may appear in several rows when its
target or its roles depend on where the record stands.
"""

from __future__ import annotations

from dataclasses import dataclass


class WorkflowError(Exception):
    """A workflow operation that cannot be done; the message is for the clerk (Chinese)."""


class IllegalTransition(WorkflowError):
    """The table does not allow this action from the record's current status (HTTP 409)."""


class UnknownAction(WorkflowError):
    """No row of the table has this action name (HTTP 422)."""


@dataclass(frozen=True)
class Transition:
    action: str  # English verb, the API's action name
    label: str  # the button (Chinese)
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    note_label: str = ""  # non-empty: a note is required and this names it
    needs_household: bool = False  # a report must be matched to a household file first
    needs_measures: bool = False  # 一户一策 must name at least one measure
    stamp: str = ""  # the timestamp field this move sets, if any
    after_publicity: bool = False  # only once the publicity period (公示期) is over
    by_meeting: bool = False  # decided by the county joint review when the case is on its agenda

    @property
    def note_required(self) -> bool:
        return bool(self.note_label)


def row(action, label, sources, target, roles, **kw) -> Transition:
    """A table row; `sources` and `roles` may be any iterables."""
    return Transition(action, label, frozenset(sources), target, frozenset(roles), **kw)


class TransitionTable:
    """A workflow's rows, looked up by (action, from status). `noun` names the record
    in messages (个案, 工单, 转介); `labels` names statuses and `actions` actions."""

    def __init__(self, rows: tuple[Transition, ...], *, noun: str, labels: dict[str, str],
                 actions: dict[str, str]) -> None:  # fmt: skip
        self.rows, self.noun, self.labels, self.actions = rows, noun, labels, actions
        self.names = frozenset(t.action for t in rows)
        self._by_key: dict[tuple[str, str], Transition] = {}
        for r in rows:
            for source in r.sources:
                if (r.action, source) in self._by_key:
                    raise ValueError(f"two rows for {r.action} from {source}")
                self._by_key[(r.action, source)] = r

    def row_for(self, *, action: str, status: str) -> Transition:
        """The row that allows `action` from `status`; raise IllegalTransition if none does."""
        if action not in self.names:
            raise UnknownAction(f"未知的操作“{action}”")
        found = self._by_key.get((action, status))
        if found is None:
            raise IllegalTransition(
                f"{self.noun}当前状态为“{self.labels.get(status, status)}”,"
                f"不能执行“{self.actions[action]}”"
            )
        return found

    def available(self, *, status: str, role: str) -> list[Transition]:
        """The moves a role may make from a status, in table order."""
        return [t for t in self.rows if status in t.sources and role in t.roles]
