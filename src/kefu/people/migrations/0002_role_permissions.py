"""Who may keep the training plan (TRN-2): everyone on staff reads it; trainers and managers
add topics and mark them done.
"""

from django.db import migrations

READ = ["people.view_trainingtopic"]
KEEP = ["people.view_trainingtopic", "people.add_trainingtopic", "people.change_trainingtopic"]
GRANTS = {
    "agent": READ,
    "complaint_specialist": READ,
    "team_lead": READ,
    "qa_specialist": READ,
    "trainer": KEEP,
    "manager": KEEP,
    "admin": READ,
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


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, names))


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_training_plan"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
    ]
    operations = [migrations.RunPython(forward, backward)]
