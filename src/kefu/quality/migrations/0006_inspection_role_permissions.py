"""QA-2: who inspects and who assigns inspections. QA specialists inspect; managers and
administrators inspect and assign (QA specialists and managers already assign through
0005)."""

from django.db import migrations

GRANTS = {
    "qa_specialist": ["quality.inspect_contact"],
    "manager": ["quality.inspect_contact", "quality.assign_inspection"],
    "admin": ["quality.inspect_contact", "quality.assign_inspection"],
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
        if group is None:
            continue
        # Keep what 0005 granted: it is undone by its own backward step.
        kept = {"qa_specialist": set(), "manager": {"quality.assign_inspection"}}.get(role, set())
        group.permissions.remove(*_permissions(apps, [n for n in names if n not in kept]))


class Migration(migrations.Migration):
    dependencies = [("quality", "0005_default_sampling_plan")]
    operations = [migrations.RunPython(forward, backward)]
