from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "jiuzhu.households"
    verbose_name = "困难家庭档案"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the import and export jobs
