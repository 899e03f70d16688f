"""An index for the household list's 户编号 sort within a region (decision 0007).

The list's scope is a prefix of the village code (`village_id LIKE '530128109%'`) and the
sort is by village, then number. On PostgreSQL both are answered by one index whose key
columns use the "C" collation: the prefix becomes a range on it and the rows come out
in order, so the first page of a township of 63,000 households in a province of
1,000,000 is read in well under a millisecond (the `number` index alone walked the
480,000 households of the townships before it: 1.2 s). Written as SQL because SQLite
has no "C" collation; its default (BINARY) already compares bytes, so it gets the same
columns plain.
"""

from django.db import migrations

NAME = "household_village_number_idx"


def create(apps, schema_editor):
    table = schema_editor.quote_name("households_household")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} "
            '((village_id COLLATE "C"), (number COLLATE "C"))'
        )
    else:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} (village_id, number)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("households", "0007_member_id_tail")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
