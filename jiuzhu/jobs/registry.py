"""The kinds of job, registered by the domain apps (each in its own tasks.py,
imported from its AppConfig.ready()), so that this app never imports them.

A kind's `run(job=…, progress=…)` calls one domain service with the job's
parameters and a progress callback and returns a JSON summary of the result.
Exceptions listed in `refusals` are expected outcomes (a bad file, a missing
permission): their text is the Chinese reason the page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Run = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str  # shown to people: 季度推送, 台账导入, …
    run: Run
    refusals: tuple[type[Exception], ...] = ()
    # Renders job.result inside the progress partial (as `result`); optional.
    result_template: str = ""
    # The page that shows this job in context (the import preview, the push page).
    page_url: Callable[[Any], str] | None = None
    # The access-log line written when someone downloads the job's file.
    download_detail: Callable[[Any], str] | None = None


@dataclass
class _Registry:
    kinds: dict[str, JobKind] = field(default_factory=dict)
    cleanups: dict[str, Callable[[], int]] = field(default_factory=dict)


_registry = _Registry()


def register(kind: JobKind) -> JobKind:
    """Make a job kind known (idempotent: ready() may run twice in tests)."""
    _registry.kinds[kind.kind] = kind
    return kind


def kind_of(kind: str) -> JobKind:
    try:
        return _registry.kinds[kind]
    except KeyError:
        raise LookupError(f"未登记的任务类型:{kind}") from None


def find(kind: str) -> JobKind | None:
    """The kind, or None for a record of a kind no longer in the code."""
    return _registry.kinds.get(kind)


def label_of(kind: str) -> str:
    known = _registry.kinds.get(kind)
    return known.label if known else kind


def register_cleanup(name: str, cleanup: Callable[[], int]) -> None:
    """A housekeeping step of a domain app (e.g. purge expired uploads); returns a count."""
    _registry.cleanups[name] = cleanup


def cleanups() -> dict[str, Callable[[], int]]:
    return dict(_registry.cleanups)
