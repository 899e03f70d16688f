from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jiuzhu.assessment"
    verbose_name = "综合评估"

    def ready(self) -> None:
        # receivers: the re-assessment on change; tasks: the county re-assessment job.
        from . import receivers, tasks  # noqa: F401
