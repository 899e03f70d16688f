"""A household's latest assessment becomes a pointer row (LatestAssessment) instead of
an `is_latest` flag on the wide assessment rows; the assessment table loses the
indexes and foreign-key checks that cost a batch run most, keeps inputs and needs as
text, and a batch row may name the earlier row holding its unchanged inputs (see the
models' docstrings).

The pointers are filled from the rows flagged latest before the flag goes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import jiuzhu.assessment.fields

FACTORS = ("illness", "disability", "schooling", "housing", "disaster", "employment", "skills",
           "labour", "other")  # fmt: skip
COPIED = ("index", "multi_cause", "cause_count", "circle", "below_standard",
          "below_edge")  # fmt: skip


def fill(apps, schema_editor):
    qn = schema_editor.quote_name
    columns = ", ".join(qn(c) for c in COPIED)
    halves = ", ".join(f"{f}_x2" for f in FACTORS)
    doubled = ", ".join(f"CAST({f} * 2 AS SMALLINT)" for f in FACTORS)
    schema_editor.execute(
        f"INSERT INTO {qn('assessment_latestassessment')} "
        f"(household_id, assessment_id, inputs_id, {halves}, {columns}) "
        f"SELECT household_id, id, id, {doubled}, {columns} FROM {qn('assessment_assessment')} "
        "WHERE is_latest"
    )


def unfill(apps, schema_editor):
    qn = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {qn('assessment_assessment')} SET is_latest = "
        f"(id IN (SELECT assessment_id FROM {qn('assessment_latestassessment')}))"
    )


def drop_stats_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS assessment_latest_factors")


def leave_room(apps, schema_editor):
    """Half-full pages: a batch run's million pointer updates stay in their page (HOT)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE assessment_latestassessment SET (fillfactor = 50)")


def halves(label):
    return models.PositiveSmallIntegerField(verbose_name=f"{label}(半分数,得分×2)")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("assessment", "0003_stats_indexes"),
        ("households", "0003_scope_and_name_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="LatestAssessment",
            fields=[
                (
                    "household",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="latest_assessment",
                        serialize=False,
                        to="households.household",
                        verbose_name="家庭",
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="latest_of",
                        to="assessment.assessment",
                        verbose_name="最新评估",
                    ),
                ),
                ("illness_x2", halves("因病")),
                ("disability_x2", halves("因残")),
                ("schooling_x2", halves("因学")),
                ("housing_x2", halves("因房")),
                ("disaster_x2", halves("因灾")),
                ("employment_x2", halves("就业")),
                ("skills_x2", halves("技术")),
                ("labour_x2", halves("劳动力")),
                ("other_x2", halves("其他")),
                (
                    "index",
                    models.DecimalField(decimal_places=1, max_digits=4, verbose_name="困难指数"),
                ),
                ("multi_cause", models.BooleanField(default=False, verbose_name="多因致困")),
                (
                    "cause_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="致困因子数"),
                ),
                (
                    "circle",
                    models.PositiveSmallIntegerField(
                        choices=[(0, "未分层"), (1, "第一圈层"), (2, "第二圈层"), (3, "第三圈层")],
                        default=0,
                        verbose_name="圈层",
                    ),
                ),
                ("below_standard", models.BooleanField(default=False, verbose_name="低于低保标准")),
                ("below_edge", models.BooleanField(default=False, verbose_name="低于低保边缘标准")),
                (
                    "inputs_hash",
                    models.BigIntegerField(blank=True, null=True, verbose_name="评估输入散列"),
                ),
                (
                    "inputs_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="评估输入所在记录"),
                ),
            ],
            options={"verbose_name": "最新评估", "verbose_name_plural": "最新评估"},
        ),
        # In this order so that, backwards, the flags are set before the constraint returns.
        migrations.RemoveConstraint(
            model_name="assessment", name="one_latest_assessment_per_household"
        ),
        migrations.RunPython(fill, unfill, elidable=False),
        migrations.RunPython(drop_stats_index, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(leave_room, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="assessment", name="is_latest"),
        migrations.AlterField(
            model_name="assessment",
            name="household",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessments",
                to="households.household",
                verbose_name="家庭",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="model_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="assessment.modelversion",
                verbose_name="模型版本",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="assessed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="评估人",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="assessed_at",
            field=models.DateTimeField(verbose_name="评估时间"),
        ),
        # Written once, read whole: text instead of jsonb (jiuzhu.assessment.fields).
        migrations.AlterField(
            model_name="assessment",
            name="needs",
            field=jiuzhu.assessment.fields.JSONTextField(default=list, verbose_name="需求清单"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="inputs",
            field=jiuzhu.assessment.fields.JSONTextField(
                blank=True, null=True, verbose_name="评估输入"
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="inputs_hash",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="评估输入散列"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="inputs_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="assessment.assessment",
                verbose_name="评估输入所在记录",
            ),
        ),
    ]
