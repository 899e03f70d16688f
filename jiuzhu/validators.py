"""Django's side of `jiuzhu.core.text`: validators for the fields a person types
into, and one call that puts them on every text field of a form.

Forms (the home-visit page, which the API and the spreadsheet import reuse, the
case, hotline, assessment and review forms) call `guard_text_fields` in their
__init__; services that take text straight from a view or the API (notes,
reasons, minutes, tasks) call `text_error` where they already check lengths."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from jiuzhu.core import text


def validate_line(value: str) -> None:
    problem = text.text_problem(value or "")
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_multiline(value: str) -> None:
    problem = text.text_problem(value or "", multiline=True)
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_name(value: str) -> None:
    problem = text.name_problem(value or "")
    if problem:
        raise ValidationError(problem, code="invisible_name")


def text_error(value: str, *, label: str, multiline: bool = True, name: bool = False) -> str | None:
    """'标签:问题' for a service's {field: message} errors, or None."""
    problem = (
        text.name_problem(value or "") if name else text.text_problem(value or "", multiline=multiline)
    )
    return f"{label}:{problem}" if problem else None


def guard_text_fields(form: forms.BaseForm, *, names: tuple[str, ...] = ()) -> None:
    """Check every free-text field of the form: a Textarea may hold line breaks, any
    other text field may not; the fields in `names` are people's names."""
    for field_name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            continue
        if field_name in names:
            check = validate_name
        elif isinstance(field.widget, forms.Textarea):
            check = validate_multiline
        else:
            check = validate_line
        if check not in field.validators:
            field.validators.append(check)
