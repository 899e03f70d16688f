from django.apps import AppConfig

from jiuzhu.cases import hooks as cases


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jiuzhu.reviews"
    verbose_name = "县级联席会议审核"

    def ready(self) -> None:
        # What the joint review answers on the case workflow's hooks (jiuzhu.core.hooks).
        # Imported here, not at the top: models load after the app configs.
        from . import selectors

        cases.transition_guards.register(selectors.refuse_outside_the_meeting)
        cases.agenda_meeting.register(selectors.open_agenda_meeting)
        cases.review_history.register(selectors.case_reviews)
