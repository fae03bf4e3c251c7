"""Service managers run their staff: they may add and change users and teams (ORG-1)."""

from django.db import migrations

GRANTS = ["add_user", "change_user", "add_team", "change_team"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager = Group.objects.filter(name="manager").first()
    if manager is not None:
        manager.permissions.add(
            *Permission.objects.filter(content_type__app_label="accounts", codename__in=GRANTS)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager = Group.objects.filter(name="manager").first()
    if manager is not None:
        manager.permissions.remove(
            *Permission.objects.filter(content_type__app_label="accounts", codename__in=GRANTS)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_translatable_choice_labels")]
    operations = [migrations.RunPython(grant, revoke)]
