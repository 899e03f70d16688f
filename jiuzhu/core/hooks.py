"""Named hooks: how a lower app asks the apps above it, without importing them.

The apps are layered (pyproject.toml, the import-linter "layers" contract): a
module imports only from its own layer or lower ones. But some rules of a lower
app depend on an upper one — a case may not be submitted while its conference
tasks (referrals) are open; only the joint review (reviews) decides a case on
its agenda; a household receives a policy a department delivered by referral.
Imports upwards would make a cycle (and did, hidden inside functions), so the
lower app declares a Hook in its `hooks.py`, says there what a callable gets and
answers, and calls it; the upper app registers its callables on it in its
AppConfig.ready(). The lower app never learns who answered.

A hook is a named list of callables, called in registration order with keyword
arguments only. `results` collects every answer (providers: context for a page,
codes, frames); `run` calls each for its effect (guards, which raise to refuse);
`first` is the first answer that is not None. Kept deliberately small: no
priorities, no async, no discovery — what is registered is read in the ready()
methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """One extension point: `register` a callable, then the declaring app calls them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callables: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._callables)} registered)"

    def register(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Add a callable (once: registering it again changes nothing); usable as a decorator."""
        if fn not in self._callables:
            self._callables.append(fn)
        return fn

    @property
    def registered(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._callables)

    def results(self, **kwargs: Any) -> list[Any]:
        """Every registered callable's answer, in registration order."""
        return [fn(**kwargs) for fn in self._callables]

    def run(self, **kwargs: Any) -> None:
        """Call each registered callable for its effect (a guard raises to refuse)."""
        for fn in self._callables:
            fn(**kwargs)

    def first(self, **kwargs: Any) -> Any:
        """The first answer that is not None (None when nobody answers)."""
        for fn in self._callables:
            answer = fn(**kwargs)
            if answer is not None:
                return answer
        return None
