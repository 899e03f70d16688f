"""The household list's sorts and filters, read from the query string through a whitelist.

The household file knows its own orders (newest first, the head's name, the number);
the apps above add theirs through `hooks.household_list_facets` (assessment: the
hardship index, the latest assessment, causes and circles), so the list can sort by
a result without households importing the app that computes it. Every value comes
from a fixed list: an unknown one is dropped with a Chinese notice naming the field,
never an error page.

A sort may apply to only some households (`present`: those with an assessment, for
the hardship index). Those come first in the sort's order and the rest follow, newest
first: two queries the database answers from an index each (`SortedRows`), where
one "ORDER BY … NULLS LAST" over a join would sort the whole scope for every page
(decision 0007).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Collate

from .hooks import household_list_facets


@dataclass(frozen=True)
class ListSort:
    key: str
    label: str
    order_by: tuple
    # The households the order applies to (None: all). The others follow, newest first.
    present: Q | None = None


@dataclass(frozen=True)
class ListFilter:
    name: str  # the query-string parameter
    label: str  # the field's Chinese name, as in a notice
    choices: tuple[tuple[str, str], ...]  # (value, label); the whitelist
    condition: Callable[[str], Q]  # a chosen value → the households it keeps


@dataclass(frozen=True)
class RowDetails:
    """What an upper app shows in a row of the list, by household id."""

    headers: tuple[str, ...]
    cells: Callable[[Sequence[int]], dict[int, tuple[str, ...]]]


@dataclass(frozen=True)
class ListFacets:
    """What one app adds to the list (the answer of hooks.household_list_facets)."""

    sorts: tuple[ListSort, ...] = ()
    filters: tuple[ListFilter, ...] = ()
    details: RowDetails | None = None


class ByteOrder(Collate):
    """A text column compared byte by byte: COLLATE "C" on PostgreSQL (the collation of
    households 0008's index), SQLite's default BINARY as it is."""

    def __init__(self, column: str):
        super().__init__(F(column), "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


DEFAULT_SORT = "new"
OWN_SORTS = (
    ListSort(DEFAULT_SORT, "最新登记在前", ("-id",)),
    ListSort("name", "户主姓名", ("head_name", "id")),
    # By village, then number: the number's own order, as a number begins with its
    # village's code (services.household_number_next); within a region's prefix one index
    # answers it (households 0008, decision 0007). A household that moved village sorts
    # with its new village.
    ListSort("number", "户编号", (ByteOrder("village_id"), ByteOrder("number"))),
)


@dataclass
class ListChoice:
    """The sort and filters a request asked for, each checked against the whitelist."""

    sort: ListSort
    filters: dict[str, str] = field(default_factory=dict)  # name → value
    notices: list[str] = field(default_factory=list)  # unknown values, in Chinese

    def query_items(self) -> list[tuple[str, str]]:
        """The non-default choices as query-string pairs (for links and forms)."""
        items = [] if self.sort.key == DEFAULT_SORT else [("sort", self.sort.key)]
        return items + list(self.filters.items())


@dataclass
class ListOptions:
    """Every sort and filter the list offers, its own and the upper apps'."""

    sorts: list[ListSort]
    filters: list[ListFilter]
    details: list[RowDetails]

    @classmethod
    def collect(cls) -> ListOptions:
        facets = [f for f in household_list_facets.results() if f is not None]
        sorts = [OWN_SORTS[0]]
        for f in facets:
            sorts += f.sorts
        sorts += OWN_SORTS[1:]
        return cls(
            sorts=sorts,
            filters=[flt for f in facets for flt in f.filters],
            details=[f.details for f in facets if f.details is not None],
        )

    def choose(self, data) -> ListChoice:
        """The sort and filters in `data` (a QueryDict), unknown values dropped with a notice."""
        by_key = {s.key: s for s in self.sorts}
        key = (data.get("sort") or DEFAULT_SORT).strip()
        choice = ListChoice(sort=by_key.get(key, by_key[DEFAULT_SORT]))
        if key not in by_key:
            choice.notices.append("排序方式无效,已按“最新登记在前”排列")
        for flt in self.filters:
            value = (data.get(flt.name) or "").strip()
            if not value:
                continue
            if value in dict(flt.choices):
                choice.filters[flt.name] = value
            else:
                choice.notices.append(f"{flt.label}筛选条件无效,已忽略")
        return choice

    def apply(self, qs: QuerySet, choice: ListChoice) -> QuerySet:
        """Narrow `qs` by the chosen filters (the sort is SortedRows' job)."""
        for flt in self.filters:
            if flt.name in choice.filters:
                qs = qs.filter(flt.condition(choice.filters[flt.name]))
        return qs

    def row_details(self, ids: Sequence[int]) -> tuple[list[str], dict[int, list[str]]]:
        """The extra columns' headers and each household's cells ("—" where none)."""
        headers: list[str] = []
        cells: dict[int, list[str]] = {i: [] for i in ids}
        for d in self.details:
            headers += d.headers
            found = d.cells(ids) if ids else {}
            for i in ids:
                cells[i] += found.get(i, ("—",) * len(d.headers))
        return headers, cells


class SortedRows:
    """A sorted queryset for a Paginator: the sort's households first, then the rest.

    Supports what the list's paginator needs: `count_upto(limit)` and slicing.
    """

    def __init__(self, qs: QuerySet, sort: ListSort):
        if sort.present is None:
            self.parts = [qs.order_by(*sort.order_by)]
        else:
            self.parts = [
                qs.filter(sort.present).order_by(*sort.order_by),
                qs.exclude(sort.present).order_by("-id"),
            ]
        self._counts: dict[int, int] = {}

    def count_upto(self, limit: int) -> int:
        """The number of rows, counting no further than limit + 1."""
        total = 0
        for k, part in enumerate(self.parts):
            found = part.order_by()[: limit + 1 - total].count()
            if found <= limit - total:
                self._counts[k] = found  # exact
            total += found
            if total > limit:
                break
        return total

    def _count(self, k: int) -> int:
        if k not in self._counts:
            self._counts[k] = self.parts[k].count()
        return self._counts[k]

    def __len__(self) -> int:
        return sum(self._count(k) for k in range(len(self.parts)))

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("SortedRows is read in slices")
        start, stop = item.start or 0, item.stop
        rows: list = []
        offset = start  # where the slice starts within the current part
        for k, part in enumerate(self.parts):
            want = None if stop is None else stop - start - len(rows)
            if want is not None and want <= 0:
                break
            got = list(part[offset : None if want is None else offset + want])
            rows += got
            if k + 1 < len(self.parts):
                # The next part starts where this one ended.
                offset = 0 if got else max(0, offset - self._count(k))
        return rows
