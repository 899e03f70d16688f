"""Bulk actions (批量办理): one step a clerk repeats, applied to several ticked items.

Pure Python, no Django. Every bulk action of the platform works the same way: each
item goes through the same single-item service as when it is done alone (its checks,
its history and timeline row), an item the service refuses is reported with its
Chinese reason, and the others go ahead — the clerk reads which succeeded and which
failed and why. The apps' bulk services run the whole request in one transaction in
which each item's service is a savepoint (its own `transaction.atomic`): a refused
item rolls back alone, and a crash mid-way leaves none of the request written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_ITEMS = 200  # a page holds 20–30 items; anything larger is not a clerk's tick list


class TooMany(ValueError):
    """More items than one bulk request takes (the message is Chinese)."""


@dataclass
class BulkResult:
    """What a bulk action did: the labels of the items done, and (label, reason) of
    those refused."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.failed)

    def failure_lines(self) -> list[str]:
        """One Chinese line per refused item: "label:reason" (the reason alone when it
        names the item already)."""
        return [reason if reason.startswith(label) else f"{label}:{reason}"
                for label, reason in self.failed]  # fmt: skip

    def summary(self, verb: str) -> str:
        """"已接收3件" / "2件未能接收" / both, for the page's message."""
        parts = []
        if self.done:
            parts.append(f"已{verb}{len(self.done)}件:{'、'.join(self.done)}")
        if self.failed:
            parts.append(f"{len(self.failed)}件未能{verb}")
        return ";".join(parts) or f"没有可{verb}的事项"


def check_count(ids: Iterable[Any], *, noun: str = "事项") -> list[Any]:
    """The ticked ids, each once, in the order ticked; TooMany past MAX_ITEMS."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_ITEMS:
        raise TooMany(f"一次最多批量办理{MAX_ITEMS}件{noun},请分批勾选")
    return unique


def run_each(
    items: Iterable[Any],
    *,
    apply: Callable[[Any], Any],
    label: Callable[[Any], str],
    refusals: tuple[type[Exception], ...],
    reason: Callable[[Exception], str] = str,
) -> BulkResult:
    """Apply the single-item service to each item; a refusal is recorded, not raised."""
    result = BulkResult()
    for item in items:
        name = label(item)
        try:
            apply(item)
        except refusals as exc:
            result.failed.append((name, reason(exc) or "无法办理"))
        else:
            result.done.append(name)
    return result
