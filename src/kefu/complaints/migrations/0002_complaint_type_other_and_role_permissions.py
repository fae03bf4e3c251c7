"""The "other" complaint type, and what each role may do with complaints (CMP-1, ORG-1, IMP-3).

Complaint types are the nodes of the complaint category tree; the default tree has five, the
standard's list ends with "…", so an "other" node is added. Agents and team leads may raise a
complaint; complaint specialists, managers and administrators work it through its stages.
"""

from django.db import migrations

GRANTS = {
    "agent": ["add_complaint", "view_complaint"],
    "team_lead": [
        "add_complaint", "view_complaint", "view_complaint_dashboard", "view_improvement",
    ],
    "qa_specialist": ["view_complaint", "view_improvement"],
    "trainer": ["view_improvement"],
    "department_staff": ["view_complaint"],
    "complaint_specialist": [
        "add_complaint", "view_complaint", "change_complaint", "handle_complaint",
        "view_complaint_dashboard", "view_improvement", "add_improvement", "change_improvement",
    ],
    "manager": [
        "add_complaint", "view_complaint", "change_complaint", "handle_complaint",
        "view_complaint_dashboard", "view_improvement", "add_improvement", "change_improvement",
    ],
    "admin": [
        "add_complaint", "view_complaint", "change_complaint", "handle_complaint",
        "view_complaint_dashboard", "view_improvement", "add_improvement", "change_improvement",
    ],
}


def _permissions(apps, codenames):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="complaints", codename__in=codenames)


def forwards(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    root = Category.objects.filter(code="complaint").first()
    if root is not None:
        Category.objects.get_or_create(
            code="complaint.other",
            defaults={"name": "其他", "parent": root, "root": "complaint", "sort_order": 99},
        )
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, codenames))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))
    Category = apps.get_model("tickets", "Category")
    Category.objects.filter(code="complaint.other", tickets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
        ("tickets", "0006_notice_and_complaint_events"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
