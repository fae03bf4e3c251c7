"""The "integration" role for the PBX (CTI events, TEC-7), and who reads contacts."""

from django.db import migrations

GRANTS = {
    "integration": ["channels.add_contactevent", "channels.view_contact", "customers.view_customer"],
    "agent": ["channels.view_contact"],
    "team_lead": ["channels.view_contact"],
    "complaint_specialist": ["channels.view_contact"],
    "qa_specialist": ["channels.view_contact"],
    "manager": ["channels.view_contact"],
    "admin": ["channels.view_contact", "channels.add_contactevent"],
}


def _permissions(apps, names):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, names))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))
    Group.objects.filter(name="integration").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
        ("customers", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
