"""Writes to cases and hotline tickets, one module per job: `intake` (case_create and
its three doors), `transitions` (the workflow's moves), `plan` (the household file,
一户一策), `complexity` (复杂案件: a longer deadline) and `hotline`. Each service is
atomic, takes the acting user (None only for the public), locks the row it moves,
checks the table in workflow.py, and writes its timeline row and history in the same
transaction.

Errors: IllegalTransition (a move the table forbids, HTTP 409), DuplicateCase,
PermissionDenied (wrong role or region), ValidationError {field: Chinese message}.
"""

from ..workflow import CaseError, DuplicateCase, IllegalTransition, UnknownAction
from .common import NOTE_MAX, receipt_code_new
from .complexity import case_mark_complex
from .hotline import ticket_create, ticket_open_case, ticket_transition
from .intake import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    DUPLICATE_DAYS,
    PHONE_DAILY_LIMIT,
    case_create,
    case_open,
    case_report_public,
)
from .plan import MEASURES_MAX, case_link_household, case_measures_save
from .transitions import case_log, case_transition, cases_implement

__all__ = [
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "DUPLICATE_DAYS",
    "MEASURES_MAX",
    "NOTE_MAX",
    "PHONE_DAILY_LIMIT",
    "CaseError",
    "DuplicateCase",
    "IllegalTransition",
    "UnknownAction",
    "case_create",
    "case_link_household",
    "case_log",
    "case_mark_complex",
    "case_measures_save",
    "case_open",
    "case_report_public",
    "case_transition",
    "cases_implement",
    "receipt_code_new",
    "ticket_create",
    "ticket_open_case",
    "ticket_transition",
]
