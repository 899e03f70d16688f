"""Referrals' indexes as their queries need them (decision 0008): the foreign keys' own
indexes that another index already covers are dropped (department: referral_inbox_idx;
village: referral_village_id_idx, whose pattern opclass serves = and LIKE 'prefix%';
an event's referral: referral_event_at_idx), and those of the keys a pushed referral
leaves empty (case, conference, sent_by, an event's actor) become partial indexes of
the rows that have one. Only indexes change: the foreign-key constraints stay as they
are (AlterField would drop and re-add, re-checking, each one)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, Django's name for the foreign key's own index)
FK_INDEXES = [
    ("referrals_referral", "case_id", "referrals_referral_case_id_b6a3f342"),
    ("referrals_referral", "conference_id", "referrals_referral_conference_id_114ef56a"),
    ("referrals_referral", "department_id", "referrals_referral_department_id_d822fb48"),
    ("referrals_referral", "sent_by_id", "referrals_referral_sent_by_id_371da12c"),
    ("referrals_referral", "village_id", "referrals_referral_village_id_7764030d"),
    ("referrals_referralevent", "actor_id", "referrals_referralevent_actor_id_6c82452d"),
    ("referrals_referralevent", "referral_id", "referrals_referralevent_referral_id_e2ad0427"),
]
LIKE = {"department_id", "village_id"}  # varchar keys: PostgreSQL has a _like twin


def drop_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for _table, column, name in FK_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if postgres and column in LIKE:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}_like"')


def create_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, name in FK_INDEXES:
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
        if postgres and column in LIKE:
            schema_editor.execute(
                f'CREATE INDEX "{name}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_deadlines'),
        ('households', '0006_imported_household'),
        ('policies', '0001_initial'),
        ('referrals', '0002_timeline_event_base'),
        ('regions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='referral',
                    name='case',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='cases.case', verbose_name='个案'),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='conference',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='referrals.conference', verbose_name='个案会商'),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='department',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='policies.department', verbose_name='接收部门'),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='sent_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='转介人'),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='village',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='所在村(居)'),
                ),
                migrations.AlterField(
                    model_name='referralevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
                ),
                migrations.AlterField(
                    model_name='referralevent',
                    name='referral',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='referrals.referral', verbose_name='转介'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('case__isnull', False)), fields=['case'], name='referral_case_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('conference__isnull', False)), fields=['conference'], name='referral_conference_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('sent_by__isnull', False)), fields=['sent_by'], name='referral_sent_by_idx'),
        ),
        migrations.AddIndex(
            model_name='referralevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='referral_event_actor_idx'),
        ),
    ]
