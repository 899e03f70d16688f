"""What each role may do with household files inside its granted regions.

Department officers and social organisations see households only through
referrals and service orders (later issues); leaders see aggregates only.
"""

from .models import Role

HOUSEHOLD_READERS = frozenset(
    {Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.ADMIN}
)
HOUSEHOLD_EDITORS = frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
ID_REVEALERS = frozenset({Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
EXPORTERS = frozenset({Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
IMPORTERS = frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF})
DASHBOARD_VIEWERS = frozenset({Role.LEADER, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF, Role.ADMIN})


def can_read_households(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in HOUSEHOLD_READERS


def can_edit_households(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in HOUSEHOLD_EDITORS


def can_reveal_id(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in ID_REVEALERS


def can_export(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in EXPORTERS


def can_import(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in IMPORTERS


def can_view_dashboard(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in DASHBOARD_VIEWERS


# County staff oversee every job in their regions (a push, a re-assessment, a
# clerk's import); everyone else sees the jobs they started.
JOB_OVERSEERS = frozenset({Role.COUNTY_STAFF, Role.ADMIN})


def can_oversee_jobs(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in JOB_OVERSEERS
