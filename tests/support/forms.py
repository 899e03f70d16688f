"""POST data of the platform's forms, as a browser would send them."""

from __future__ import annotations

from django.forms.models import model_to_dict

from jiuzhu.assessment.forms import ModelParamsForm
from jiuzhu.households.forms import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from jiuzhu.households.models import Household

# --- the home-visit form (household and member formset) ----------------------------------


def household_post(*, village: str, **overrides) -> dict:
    """The household part of the form, filled with each field's default."""
    data: dict = {}
    for name in HOUSEHOLD_FIELDS:
        default = Household._meta.get_field(name).get_default()
        if isinstance(default, bool | list):
            continue  # unchecked boxes are simply absent from a browser POST
        data[name] = "" if default is None else str(default)
    data.update(village=village, group="")
    data.update(overrides)
    return data


def members_post(rows: list[dict], *, initial: int = 0) -> dict:
    """The member formset (prefix m) for the given rows."""
    data = {
        "m-TOTAL_FORMS": str(len(rows)),
        "m-INITIAL_FORMS": str(initial),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if value is False:
                continue
            data[f"m-{i}-{name}"] = "on" if value is True else str(value)
    return data


def existing_rows(household: Household) -> list[dict]:
    """The member rows as the edit page would post them back unchanged."""
    rows = []
    for m in household.members.order_by("id"):
        row = {k: ("" if v is None else v) for k, v in model_to_dict(m, MEMBER_FIELDS).items()}
        row.update(id=m.pk, id_number="")
        rows.append(row)
    return rows


def edit_post(household: Household, rows: list[dict], **household_overrides) -> dict:
    """The whole edit form of a household: its current values, changed by the overrides."""
    current = model_to_dict(household, HOUSEHOLD_FIELDS)
    base = household_post(village=household.village_id)
    for name, value in current.items():
        if isinstance(value, bool | list) or value is None:
            continue
        base[name] = str(value)
    base.update(household_overrides)
    initial = sum(1 for r in rows if r.get("id"))
    return {**base, **members_post(rows, initial=initial)}


# --- the assessment model's parameter form ------------------------------------------------


def model_params_post(data: dict, **changes) -> dict:
    """POST data of the parameter form for the model `data`, as the page would send it;
    `changes` name form fields (e.g. weights__illness=0.5)."""
    form = ModelParamsForm(base=data, initial={"name": "测试草稿"})
    post = {"name": "测试草稿", "note": "测试修改"}
    for name in form.fields:
        if name in ("name", "note"):
            continue
        value = form.initial.get(name)
        post[name] = "" if value is None else str(value)
    post.update({k: str(v) for k, v in changes.items()})
    return post
