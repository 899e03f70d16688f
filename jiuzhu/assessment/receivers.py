"""Re-assess a household whenever its file changes (same transaction)."""

from django.dispatch import receiver

from jiuzhu.households.signals import household_changed


@receiver(household_changed)
def reassess_on_change(sender, household, actor, **kwargs):
    from .services import assessment_run

    assessment_run(actor=None, household=household, trigger="change")
