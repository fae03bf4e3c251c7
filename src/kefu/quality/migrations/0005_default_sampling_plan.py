"""QA-2: the default sampling plan "标准抽检计划" — every complaint, every contact with a fatal
finding, 25 % of the other contacts stratified by agent with at least 2 per agent, weekly,
scored with the default scorecard "标准质检评分表" v1 — and who may run sampling plans and
assign inspections (QA specialists and managers; administrators through their role)."""

from decimal import Decimal

from django.db import migrations

NAME = "标准抽检计划"
SCORECARD = "标准质检评分表"
GRANTS = {
    "qa_specialist": ["quality.assign_inspection"],
    "manager": ["quality.assign_inspection"],
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
    Scorecard = apps.get_model("quality", "Scorecard")
    SamplingPlan = apps.get_model("quality", "SamplingPlan")
    if SamplingPlan.objects.filter(name=NAME).exists():
        return
    card = (
        Scorecard.objects.filter(name=SCORECARD, is_active=True).order_by("-version").first()
        or Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()
    )
    if card is None:
        return
    SamplingPlan.objects.create(
        name=NAME,
        is_active=True,
        ordinary_percent=Decimal("25"),
        agent_minimum=2,
        period="week",
        include_complaints=True,
        include_fatal=True,
        channels=[],
        scorecard=card,
    )


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))
    SamplingRun = apps.get_model("quality", "SamplingRun")
    SamplingRun.objects.filter(plan__name=NAME).delete()
    apps.get_model("quality", "SamplingPlan").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_inspections_sampling_calibration")]
    operations = [migrations.RunPython(forward, backward)]
