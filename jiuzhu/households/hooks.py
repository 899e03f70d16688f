"""What households asks the apps above it (jiuzhu.core.hooks)."""

from jiuzhu.core.hooks import Hook

#: (*, household, actor) -> None. A household file or its members changed; called
#: inside the writing transaction, so what a callable writes (assessment: the
#: re-assessment) commits or rolls back with the change.
household_changed = Hook("households.household_changed")

#: () -> households.listing.ListFacets | None. The sorts, filters and row columns an
#: app above adds to the household list (assessment: the hardship index, the latest
#: assessment, causes and circles). Called once per list request.
household_list_facets = Hook("households.household_list_facets")
