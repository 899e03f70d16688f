"""Hypothesis strategies for the engine's inputs: households and members as the registry
holds them (amounts with cents, round figures on a model's thresholds, any double)."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from jiuzhu.engine.inputs import HouseholdInput, MemberInput

# Amounts as the registry holds them (yuan with cents), round figures that land
# exactly on a model threshold, and arbitrary doubles.
cents = st.integers(0, 10_000_000).map(lambda c: c / 100)
round_amounts = st.sampled_from([0.0, 100.0, 1000.0, 1200.0, 3000.0, 5000.0, 6000.0, 10000.0,
                                 20000.0, 30000.0, 50000.0, 100000.0, 0.1, 0.2, 0.3, 1234.56])  # fmt: skip
amounts = st.one_of(cents, round_amounts, st.floats(0, 200_000))

STAGES = ["none", "preschool", "primary", "junior", "senior", "vocational", "college",
          "undergraduate", "postgraduate", "dropout"]  # fmt: skip
DISEASES = ["none", "hypertension", "diabetes", "cardio", "stroke", "kidney_failure", "cancer",
            "leukemia", "severe_mental", "liver", "tuberculosis", "arthritis", "other_serious",
            "other"]  # fmt: skip
CIRCUMSTANCES = ["elder_alone", "elder_left_behind", "child_left_behind", "single_parent",
                 "prisoner_family", "disaster", "accident", "death", "debt", "other"]  # fmt: skip

members = st.builds(
    MemberInput,
    age=st.integers(0, 100),
    relation=st.sampled_from(["head", "spouse", "child", "parent", "other"]),
    occupation=st.sampled_from(
        [
            "farmer",
            "migrant_worker",
            "local_worker",
            "student",
            "preschool",
            "unemployed",
            "none",
            "retired",
            "incapable",
            "flexible",
        ]
    ),  # fmt: skip
    labour_ability=st.sampled_from(["full", "skilled", "weak", "lost", "none"]),
    skill=st.sampled_from(["certified", "some", "none"]),
    wage_income=amounts,
    pension_income=st.one_of(st.just(0.0), amounts),
    health_status=st.sampled_from(["healthy", "weak", "chronic", "serious"]),
    disease=st.sampled_from(DISEASES),
    self_care=st.sampled_from(["full", "partial", "none"]),
    dibao_status=st.sampled_from(["none", "household", "individual"]),
    disability_type=st.sampled_from(["none", "physical", "visual", "mental"]),
    disability_grade=st.integers(0, 4),
    disability_subsidy=st.sampled_from(["none", "living", "care", "both"]),
    school_stage=st.sampled_from(STAGES),
    education_expense=st.one_of(st.just(0.0), amounts),
    elderly_level=st.one_of(st.none(), st.integers(0, 4)),
    sex=st.sampled_from(["M", "F"]),
    veteran=st.booleans(),
    name=st.sampled_from(["", "甲", "乙丙"]),
).map(
    lambda m: (
        dataclasses.replace(m, disability_grade=0)
        if m.disability_type == "none"
        else dataclasses.replace(m, disability_grade=max(m.disability_grade, 1))
    )
)

households = st.builds(
    HouseholdInput,
    members=st.lists(members, min_size=0, max_size=7).map(tuple),
    rural=st.booleans(),
    tag_tekun=st.booleans(),
    tag_dibao=st.booleans(),
    tag_dibao_edge=st.booleans(),
    tag_orphan=st.booleans(),
    tag_unsupported_child=st.booleans(),
    tag_monitored=st.booleans(),
    tag_rigid_expense=st.booleans(),
    business_income=st.one_of(st.just(0.0), amounts),
    rental_income=st.one_of(st.just(0.0), amounts),
    support_income=st.one_of(st.just(0.0), amounts),
    subsidy_income=st.one_of(st.just(0.0), amounts),
    land_planted_mu=st.floats(0, 50),
    land_transfer_income=st.one_of(st.just(0.0), amounts),
    livestock_sheds=st.integers(0, 5),
    livestock_kind=st.sampled_from(["none", "cattle", "pig"]),
    livestock_count=st.integers(0, 50),
    serious_illness_expense=st.one_of(st.just(0.0), amounts),
    daily_medical_expense=st.one_of(st.just(0.0), amounts),
    housing_safety=st.sampled_from(["safe", "damaged", "c", "d", "none"]),
    housing_tenure=st.sampled_from(["own", "rent", "borrowed", "public"]),
    rent_expense=st.one_of(st.just(0.0), amounts),
    assistance_received=st.lists(
        st.sampled_from(["dibao", "medical", "temporary"]), unique=True
    ).map(tuple),
    special_circumstances=st.lists(st.sampled_from(CIRCUMSTANCES), max_size=5).map(tuple),
    disaster_loss=st.one_of(st.just(0.0), amounts),
    deposits=st.one_of(st.just(0.0), amounts),
    vehicles=st.integers(0, 2),
)


# Condition trees of the policy library's language (jiuzhu.engine.conditions): household
# tests, member nodes, and all/any groups of them nested a few levels deep.
leaves = st.one_of(
    st.builds(lambda v: {"field": "size", "op": "le", "value": v}, st.integers(1, 6)),
    st.builds(
        lambda v: {"field": "circle", "op": "in", "value": v},
        st.lists(st.integers(0, 3), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "index", "op": "ge", "value": v}, st.floats(0, 100)),
    st.builds(lambda v: {"field": "below_edge", "op": "eq", "value": v}, st.booleans()),
    st.builds(
        lambda v: {"field": "causes", "op": "contains", "value": v},
        st.sampled_from(["illness", "disability", "housing", "labour"]),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "needs", "op": "any_of", "value": v},
        st.lists(
            st.sampled_from(["medical", "housing", "nursing", "basic_living"]),
            min_size=1,
            unique=True,
        ),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "housing_safety", "op": "in", "value": v},
        st.lists(st.sampled_from(["c", "d", "safe"]), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "assistance_received", "op": "not_contains", "value": v},
        st.sampled_from(["dibao", "medical"]),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "rigid_share", "op": "gt", "value": v}, st.floats(0, 2)),
)
member_leaves = st.one_of(
    st.builds(lambda v: {"field": "age", "op": "ge", "value": v}, st.integers(0, 90)),
    st.builds(
        lambda v: {"field": "disability_grade", "op": "in", "value": v},
        st.lists(st.integers(1, 4), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "elderly_level", "op": "ge", "value": v}, st.integers(0, 4)),
    st.builds(lambda v: {"field": "seriously_ill", "op": "eq", "value": v}, st.booleans()),
    st.builds(
        lambda v: {"field": "school_stage", "op": "ne", "value": v},
        st.sampled_from(["none", "primary", "dropout"]),
    ),  # fmt: skip
    st.builds(
        lambda op, v: {"field": "sex", "op": op, "value": v},
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(["M", "F"]),
    ),  # fmt: skip
    st.builds(
        lambda v: {"field": "sex", "op": "in", "value": v},
        st.lists(st.sampled_from(["M", "F"]), min_size=1, unique=True),
    ),  # fmt: skip
    st.builds(lambda v: {"field": "veteran", "op": "eq", "value": v}, st.booleans()),
)
member_nodes = st.builds(lambda parts, k: {k: parts},
                         st.lists(member_leaves, min_size=1, max_size=3),
                         st.sampled_from(["all", "any"]))  # fmt: skip
conditions = st.recursive(
    st.one_of(
        leaves,
        member_nodes.map(lambda n: {"member": n}),
        member_nodes.map(lambda n: {"no_member": n}),
    ),  # fmt: skip
    lambda inner: st.builds(
        lambda parts, k: {k: parts},
        st.lists(inner, min_size=1, max_size=4),
        st.sampled_from(["all", "any"]),
    ),  # fmt: skip
    max_leaves=8,
)
