from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jiuzhu.assessment"
    verbose_name = "综合评估"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the re-assessment on change
