"""tests/factories.py has a factory for every model of the project (a new model without
one fails here), and each factory builds valid rows, again and again."""

from __future__ import annotations

import factory
import pytest
from django.apps import apps
from django.db import models
from simple_history.models import HistoricalChanges

from tests import factories

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _project_models() -> list[type[models.Model]]:
    """The concrete models of the jiuzhu apps, without simple_history's history tables
    (those are written by simple_history, never built)."""
    return [
        m for m in apps.get_models()
        if m._meta.app_config.name.startswith("jiuzhu.") and not issubclass(m, HistoricalChanges)
    ]  # fmt: skip


FACTORIES = sorted(
    (
        f for f in vars(factories).values()
        if isinstance(f, type) and issubclass(f, factory.django.DjangoModelFactory)
        and f._meta.model is not None
    ),
    key=lambda f: f.__name__,
)  # fmt: skip


def _empty_json_defaults(obj: models.Model) -> list[str]:
    """JSON fields holding their empty default ([] or {}): the models declare them without
    blank=True, so full_clean would call the platform's own empty lists blank."""
    return [
        f.name for f in obj._meta.fields
        if isinstance(f, models.JSONField | models.TextField) and getattr(obj, f.attname) in ([], {})
    ]  # fmt: skip


def test_every_model_of_the_project_has_a_factory():
    covered = {f._meta.model for f in FACTORIES}
    missing = sorted(m._meta.label for m in _project_models() if m not in covered)
    assert missing == [], f"tests/factories.py 缺少这些模型的 factory: {missing}"
    listed = {m._meta.label for m in _project_models()}
    assert {"accounts.User", "households.Member", "cases.Case", "reviews.ReviewItem"} <= listed
    assert not any(label.split(".")[1].startswith("Historical") for label in listed)


def test_no_two_factories_claim_the_same_model():
    labels = [f._meta.model._meta.label for f in FACTORIES]
    assert sorted(labels) == sorted(set(labels))


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_builds_two_distinct_valid_rows_of_its_model(factory_class, county):
    model = factory_class._meta.model
    first, second = factory_class(), factory_class()

    assert isinstance(first, model) and isinstance(second, model)
    assert first.pk is not None and first.pk != second.pk
    for obj in (first, second):
        stored = model._default_manager.get(pk=obj.pk)
        stored.full_clean(exclude=_empty_json_defaults(stored))
