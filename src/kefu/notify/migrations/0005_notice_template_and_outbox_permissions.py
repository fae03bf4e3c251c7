"""Administrators edit notice templates and decide about unconfirmed messages; managers read them."""

from django.db import migrations

GRANTS = {
    "admin": [
        "view_noticetemplate", "change_noticetemplate",
        "view_outboundmessage", "change_outboundmessage",
    ],
    "manager": ["view_noticetemplate", "view_outboundmessage"],
    "complaint_specialist": ["view_noticetemplate"],
}


def _permissions(apps, codenames):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="notify", codename__in=codenames)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0004_default_notice_templates"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
