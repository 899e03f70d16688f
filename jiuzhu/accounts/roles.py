"""Every role set of the platform, named by what it allows (one place to read who may do what).

A role says what a user may do; their region grants say where (jiuzhu.accounts.scope).
Department officers and social organisations see households only through the
referrals sent to them (a user's `department` names the department or social
organisation they work for: a policies.Department code); leaders see aggregates only. The workflow tables
(cases/workflow.py, referrals/workflow.py) name their rows' roles from here too.
"""

from __future__ import annotations

from .models import Role

VILLAGE = Role.VILLAGE_WORKER
TOWNSHIP = Role.TOWNSHIP_STAFF
COUNTY = Role.COUNTY_STAFF
DEPARTMENT = Role.DEPARTMENT_OFFICER
SERVICE = Role.SERVICE_ORG  # a social organisation (社会组织): takes referrals as a department does
LEADER = Role.LEADER
ADMIN = Role.ADMIN

# --- household files (一户一档) -----------------------------------------------------
HOUSEHOLD_READERS = frozenset({VILLAGE, TOWNSHIP, COUNTY, ADMIN})
HOUSEHOLD_EDITORS = frozenset({VILLAGE, TOWNSHIP, COUNTY})
ID_REVEALERS = frozenset({TOWNSHIP, COUNTY})
EXPORTERS = frozenset({TOWNSHIP, COUNTY})
IMPORTERS = frozenset({VILLAGE, TOWNSHIP, COUNTY})
DASHBOARD_VIEWERS = frozenset({LEADER, TOWNSHIP, COUNTY, ADMIN})

# --- assessment ---------------------------------------------------------------------
ASSESSORS = frozenset({VILLAGE, TOWNSHIP, COUNTY})  # run an assessment, grade an older member
MODEL_EDITORS = frozenset({COUNTY, ADMIN})  # the model, the 低保 standard, re-assessing a county

# --- policies -----------------------------------------------------------------------
LIBRARY_EDITORS = frozenset({COUNTY, ADMIN})  # 政策一本通
POLICY_FINDERS = frozenset({TOWNSHIP, COUNTY, ADMIN})  # 政策找人

# --- cases and the hotline ----------------------------------------------------------
CASE_READERS = frozenset({VILLAGE, TOWNSHIP, COUNTY, ADMIN})
CASE_OPENERS = frozenset({VILLAGE, TOWNSHIP, COUNTY})  # 一门受理: village and township windows
PLAN_EDITORS = frozenset({VILLAGE, TOWNSHIP})  # 一户一策
HOTLINE_STAFF = frozenset({TOWNSHIP, COUNTY})
# Mark a case complex (复杂案件), which extends its whole-process limit (cases.deadlines).
CASE_COMPLEXITY_MARKERS = frozenset({COUNTY})

# --- referrals and case conferences -------------------------------------------------
CIVIL_AFFAIRS = frozenset({TOWNSHIP, COUNTY})  # send, re-send and close referrals; conferences
REFERRAL_READERS = frozenset({DEPARTMENT, SERVICE, TOWNSHIP, COUNTY})
# Accept, review, assist, feed back: the officer of the department or social organisation
# the referral was sent to (User.department). Their home page is their inbox.
REFERRAL_HANDLERS = frozenset({DEPARTMENT, SERVICE})

# --- the inbox (待办) -----------------------------------------------------------------
INBOX_USERS = frozenset({VILLAGE, TOWNSHIP, COUNTY, DEPARTMENT, SERVICE})

# --- the county joint review (月度联席会议) --------------------------------------------
REVIEW_EDITORS = frozenset({COUNTY})
REVIEW_READERS = frozenset({COUNTY})  # a meeting's households, its minutes, the publicity list
REVIEW_LIST_READERS = frozenset({COUNTY, LEADER})  # the meetings and their counts


def role_of(user) -> str:
    """The user's role, or "" for the public, an anonymous or a deactivated user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    return user.role


def has_role(user, roles: frozenset[str]) -> bool:
    return role_of(user) in roles


def can_read_households(user) -> bool:
    return has_role(user, HOUSEHOLD_READERS)


def can_edit_households(user) -> bool:
    return has_role(user, HOUSEHOLD_EDITORS)


def can_reveal_id(user) -> bool:
    return has_role(user, ID_REVEALERS)


def can_export(user) -> bool:
    return has_role(user, EXPORTERS)


def can_import(user) -> bool:
    return has_role(user, IMPORTERS)


def can_view_dashboard(user) -> bool:
    return has_role(user, DASHBOARD_VIEWERS)


# County staff oversee every job in their regions (a push, a re-assessment, a
# clerk's import); everyone else sees the jobs they started.
JOB_OVERSEERS = frozenset({Role.COUNTY_STAFF, Role.ADMIN})
# The quarterly push covers a county: county staff start it.
PUSH_STARTERS = frozenset({Role.COUNTY_STAFF})


def can_oversee_jobs(user) -> bool:
    return has_role(user, JOB_OVERSEERS)
def can_handle_referrals(user) -> bool:
    return has_role(user, REFERRAL_HANDLERS)


def has_inbox(user) -> bool:
    return has_role(user, INBOX_USERS)


def belongs_to_organisation(role: str) -> bool:
    """Whether an account of this role belongs to a department or social organisation."""
    return role in REFERRAL_HANDLERS
