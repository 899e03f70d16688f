"""A social organisation's account belongs to its organisation: `department` (a
policies.Department code) now covers social organisations too, and the free-text
`organisation` goes. Existing service_org accounts are mapped by the organisation's
name or short name; one that matches none keeps an empty department (the admin asks
for it) and its old text is kept in the display name if that was empty."""

from django.db import migrations, models


def map_organisations(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("policies", "Department")
    by_name = {}
    for code, name, short_name in Department.objects.values_list("code", "name", "short_name"):
        by_name.setdefault(name.strip(), code)
        if short_name:
            by_name.setdefault(short_name.strip(), code)
    for user in User.objects.filter(role="service_org").exclude(organisation=""):
        text = user.organisation.strip()
        code = by_name.get(text)
        if code is not None and not user.department:
            user.department = code
        elif code is None and not user.display_name:
            user.display_name = text[:32]
        user.save(update_fields=["department", "display_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_access_duplicate_id"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(map_organisations, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="organisation"),
        migrations.AlterField(
            model_name="user",
            name="department",
            field=models.CharField(
                blank=True,
                help_text="部门经办员选择所在部门,社会组织选择所在机构;其他角色不填",
                max_length=32,
                verbose_name="所属部门或机构",
            ),
        ),
    ]
