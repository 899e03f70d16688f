"""What the engine is given for a stored household (assessment.inputs): every stored
value the engine reads, the same through the per-household and the batch path."""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pytest

from jiuzhu.assessment import batch
from jiuzhu.assessment.inputs import from_json, household_input
from jiuzhu.assessment.models import Assessment
from jiuzhu.households import choices as c
from jiuzhu.households.models import Household
from tests.factories import make_household, make_id_number, member_data

pytestmark = pytest.mark.core


def test_the_engine_input_carries_the_stored_values(village):
    household = make_household(village=village, deposits=Decimal("1234.56"), vehicles=3)
    h = household_input(Household.objects.get(pk=household.pk))
    assert (h.deposits, h.vehicles) == (1234.56, 3)
    assert isinstance(h.deposits, float) and isinstance(h.vehicles, int)
    stored = Assessment.objects.latest_only().get(household=household)
    json.dumps(stored.inputs)  # stored as plain JSON numbers


def test_both_matching_paths_read_the_members_sex_and_flag(village):
    household = make_household(
        village=village,
        members=[
            member_data(id_number=make_id_number(sex="M"), veteran=True),
            member_data(relation=c.Relation.SPOUSE, id_number=make_id_number(sex="F")),
        ],
    )
    h = household_input(Household.objects.get(pk=household.pk))
    assert [(m.sex, m.veteran) for m in h.members] == [("M", True), ("F", False)]

    frames = batch.load_region(village)
    assert frames.members.schema["veteran"] == pl.Boolean
    got = frames.members.filter(pl.col("household_id") == household.pk).sort("id")
    assert got.select(pl.col("sex").cast(pl.String), "veteran").rows() == [
        ("M", True), ("F", False)
    ]  # fmt: skip
    # The stored inputs (batch and single) carry both and read back as the same input.
    texts = batch.inputs_json(frames)
    ids = frames.households["household_id"].to_list()
    stored = json.loads(texts[ids.index(household.pk)])
    assert from_json(stored) == h
