"""Who may use the script library (SCR-1, SCR-4) and the monthly QA suggestions (QA-5).

Everyone on staff reads the scripts; trainers, QA specialists and managers keep them. The
suggestions that feed the library and the training plan are read by team leads, QA
specialists, trainers, managers and administrators, and drawn and decided by trainers, QA
specialists and managers. (The suggestion grants live here, next to the library they feed, so
that the quality app's migrations stay with the inspection work.)
"""

from django.db import migrations

READ_SCRIPTS = ["knowledge.view_script"]
KEEP_SCRIPTS = ["knowledge.view_script", "knowledge.add_script", "knowledge.change_script"]
READ_SUGGESTIONS = ["quality.view_improvementsuggestion"]
DECIDE_SUGGESTIONS = [
    "quality.view_improvementsuggestion",
    "quality.add_improvementsuggestion",
    "quality.change_improvementsuggestion",
]
GRANTS = {
    "agent": READ_SCRIPTS,
    "complaint_specialist": READ_SCRIPTS,
    "team_lead": READ_SCRIPTS + READ_SUGGESTIONS,
    "qa_specialist": KEEP_SCRIPTS + DECIDE_SUGGESTIONS,
    "trainer": KEEP_SCRIPTS + DECIDE_SUGGESTIONS,
    "manager": KEEP_SCRIPTS + DECIDE_SUGGESTIONS,
    "admin": READ_SCRIPTS + READ_SUGGESTIONS,
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
        ("knowledge", "0001_script_library"),
        ("quality", "0004_inspections_sampling_calibration"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
    ]
    operations = [migrations.RunPython(forward, backward)]
