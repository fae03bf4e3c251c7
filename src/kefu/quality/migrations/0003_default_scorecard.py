"""QA-1: who edits scorecards (QA specialists and managers), and the default scorecard
"标准质检评分表" v1 — the four dimensions, one automatic item per rule-engine category
(推诿 and 质疑客户 are fatal, 红线) and the manual items a QA specialist scores."""

from decimal import Decimal

from django.db import migrations

GRANTS = {
    "qa_specialist": [
        "quality.add_scorecard",
        "quality.view_scorecard",
        "quality.add_scorecarditem",
        "quality.view_scorecarditem",
    ],
    "manager": [
        "quality.add_scorecard",
        "quality.view_scorecard",
        "quality.add_scorecarditem",
        "quality.view_scorecarditem",
    ],
    "admin": ["quality.view_scorecard", "quality.view_scorecarditem"],
}

NAME = "标准质检评分表"
FATAL = {"shirking", "doubting_customer"}
# (dimension, title, weight, kind, rule_category)
ITEMS = [
    ("process", "开场问候", "1", "auto", "missing_greeting"),
    ("process", "复述客户需求", "1", "auto", "missing_restatement"),
    ("process", "结束语", "1", "auto", "missing_closing"),
    ("process", "无长时间静音", "1", "auto", "long_silence"),
    ("process", "保持等待合规", "1", "auto", "long_hold"),
    ("communication", "情绪安抚(共情)", "1", "auto", "no_empathy"),
    ("communication", "语速适中", "1", "auto", "speech_rate"),
    ("communication", "不打断客户", "1", "auto", "interruption"),
    ("script", "不推诿", "2", "auto", "shirking"),
    ("script", "不含糊承诺", "1", "auto", "vague_promise"),
    ("script", "不质疑客户", "2", "auto", "doubting_customer"),
    ("script", "不生硬", "1", "auto", "blunt"),
    ("script", "不急躁", "1", "auto", "impatience"),
    ("result", "满意度确认", "1", "auto", "missing_satisfaction_check"),
    ("result", "问题是否解决", "3", "manual", ""),
    ("result", "方案是否合理", "2", "manual", ""),
]


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
    ScorecardItem = apps.get_model("quality", "ScorecardItem")
    if Scorecard.objects.filter(name=NAME).exists():
        return
    card = Scorecard.objects.create(name=NAME, version=1, pass_mark=80, is_active=True)
    ScorecardItem.objects.bulk_create(
        ScorecardItem(
            scorecard=card,
            dimension=dimension,
            title=title,
            weight=Decimal(weight),
            kind=kind,
            rule_category=category,
            fatal=category in FATAL,
            order=order,
        )
        for order, (dimension, title, weight, kind, category) in enumerate(ITEMS)
    )


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))
    apps.get_model("quality", "Scorecard").objects.filter(name=NAME, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_scorecards"),
        ("accounts", "0004_managers_manage_staff_and_teams"),
    ]
    operations = [migrations.RunPython(forward, backward)]
