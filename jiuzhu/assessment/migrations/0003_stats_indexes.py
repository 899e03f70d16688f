"""A partial index for the statistics of the latest assessments (jiuzhu.assessment.stats).

The nine factor scores of the latest rows in grouping order, with what the
counts by place read (household, circle, multi-cause) carried along: the
factor × score table of a million households is an index-only scan that is
already sorted (0.4 s), and the wide rows (inputs, needs) are never read.
Written as SQL rather than Meta.indexes because only PostgreSQL has INCLUDE;
SQLite gets the same columns as plain key columns.
"""

from django.db import migrations

NAME = "assessment_latest_factors"
FACTORS = "illness, disability, schooling, housing, disaster, employment, skills, labour, other"


def create(apps, schema_editor):
    table = schema_editor.quote_name("assessment_assessment")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} ({FACTORS}) "
            "INCLUDE (household_id, circle, multi_cause) WHERE is_latest"
        )
    else:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} "
            f"({FACTORS}, household_id, circle, multi_cause) WHERE is_latest"
        )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_model_preview")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
