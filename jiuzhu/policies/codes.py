"""The registry's codes for the condition fields: allowed values and their labels."""

from jiuzhu.households import choices as c

_CHOICES = {
    "housing_safety": c.HousingSafety,
    "housing_tenure": c.HousingTenure,
    "special_circumstances": c.Special,
    "assistance_received": c.Assistance,
    "relation": c.Relation,
    "occupation": c.Occupation,
    "labour_ability": c.LabourAbility,
    "skill": c.Skill,
    "health_status": c.HealthStatus,
    "disease": c.Disease,
    "self_care": c.SelfCare,
    "dibao_status": c.DibaoStatus,
    "disability_type": c.DisabilityType,
    "disability_subsidy": c.DisabilitySubsidy,
    "school_stage": c.SchoolStage,
    "sex": c.Sex,
}

# field → allowed codes (for jiuzhu.engine.conditions.validate)
CODES: dict[str, set[str]] = {f: {str(v) for v, _ in k.choices} for f, k in _CHOICES.items()}
# field → code → label
CODE_LABELS: dict[str, dict[str, str]] = {
    f: {str(v): str(label) for v, label in k.choices} for f, k in _CHOICES.items()
}
