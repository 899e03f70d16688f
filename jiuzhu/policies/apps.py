from django.apps import AppConfig

from jiuzhu.accounts import hooks as accounts


class PoliciesConfig(AppConfig):
    name = "jiuzhu.policies"
    verbose_name = "政策一本通"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What policies answers on the hooks of the apps below it (jiuzhu.core.hooks).
        # Imported here, not at the top: models load after the app configs.
        from . import selectors

        accounts.organisations.register(selectors.organisation_choices)
