"""Events other apps listen to. Sent inside the writing transaction, so a
listener's writes commit or roll back together with the change."""

from django.dispatch import Signal

# kwargs: household, actor
household_changed = Signal()
