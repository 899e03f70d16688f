from django.apps import AppConfig

from jiuzhu.cases import hooks as cases
from jiuzhu.policies import hooks as policies


class ReferralsConfig(AppConfig):
    name = "jiuzhu.referrals"
    verbose_name = "转介与个案会商"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What referrals answers on the hooks of the apps below it (jiuzhu.core.hooks).
        # Imported here, not at the top: models load after the app configs.
        from . import selectors, services, tasks  # noqa: F401 - tasks registers the push job

        cases.transition_guards.register(services.refuse_submit_while_tasks_open)
        cases.measure_referrals.register(selectors.case_measure_referrals)
        policies.received_policy_codes.register(selectors.delivered_codes)
        policies.received_policy_pairs.register(selectors.delivered_pairs)
