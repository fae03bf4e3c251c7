"""Create one group per role (ORG-1, plus back-office department staff, ORG-2) with its permissions."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "agent": [
        "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket",
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
    ],
    "team_lead": [
        "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket", "tickets.cancel_ticket",
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.view_unmasked_pii",
    ],
    "qa_specialist": ["tickets.view_ticket", "customers.view_customer"],
    "complaint_specialist": [
        "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket",
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.view_unmasked_pii",
    ],
    # Trainers and back-office staff work from tickets; customer profiles are not theirs to browse.
    "trainer": ["tickets.view_ticket"],
    "department_staff": ["tickets.view_ticket", "tickets.change_ticket"],
    "manager": [
        "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket", "tickets.cancel_ticket",
        "tickets.add_category", "tickets.change_category", "tickets.view_category",
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.view_unmasked_pii", "audit.view_auditevent", "audit.view_accessevent",
        "accounts.view_user", "accounts.view_team", "accounts.view_department",
    ],
    "admin": [
        "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket", "tickets.cancel_ticket",
        "tickets.add_category", "tickets.change_category", "tickets.view_category",
        "customers.view_customer", "customers.add_customer", "customers.change_customer",
        "customers.view_unmasked_pii", "audit.view_auditevent", "audit.view_accessevent",
        "accounts.view_user", "accounts.add_user", "accounts.change_user",
        "accounts.view_team", "accounts.add_team", "accounts.change_team",
        "accounts.view_department", "accounts.add_department", "accounts.change_department",
    ],
}


def create_role_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("customers", "0001_initial"),
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
