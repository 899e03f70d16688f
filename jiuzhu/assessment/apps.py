from django.apps import AppConfig

from jiuzhu.households import hooks as households


class AssessmentConfig(AppConfig):
    name = "jiuzhu.assessment"
    verbose_name = "综合评估"

    def ready(self) -> None:
        # Re-assess a household whenever its file changes, in the same transaction
        # (households.hooks; jiuzhu.core.hooks). Imported here: models load after this.
        from . import listing, services, tasks  # noqa: F401 - tasks registers the re-assessment job

        households.household_changed.register(services.assessment_on_change)
        households.household_list_facets.register(listing.household_list_facets)
