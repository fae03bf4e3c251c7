"""Give an existing default profile the quality rules (QA-3, SCR-2…5) as a new version.

A new installation already has them in version 1 (``default_document``). Versions are
immutable, so an installation whose profile lacks the ``quality_rules`` section gets version
N + 1 = version N plus the default rules of ``kefu.quality.defaults`` (and any parameter it does
not know yet, with the STANDARD.md default). Until then the quality check falls back to the same
defaults, so nothing changes for the contacts checked. Going back removes only that version,
and only if nothing was built on it.
"""

import copy

from django.db import migrations
from django.db.models import ProtectedError
from django.utils import timezone

NOTE = "quality rules: the defaults (QA-3, SCR-2…5)"


def add_quality_rules(apps, schema_editor):
    from kefu.quality.defaults import DEFAULT_RULES
    from kefu.standard.catalog import default_parameters

    Version = apps.get_model("standard", "ProfileVersion")
    current = Version.objects.filter(profile__name="default").order_by("-number").first()
    if current is None:
        return
    document = dict(current.document)
    if document.get("quality_rules") is not None:
        return
    Version.objects.create(
        profile_id=current.profile_id,
        number=current.number + 1,
        document={
            **document,
            "parameters": {**default_parameters(), **document.get("parameters", {})},
            "quality_rules": copy.deepcopy(DEFAULT_RULES),
        },
        note=NOTE,
        created_at=timezone.now(),
    )


def remove_quality_rules_version(apps, schema_editor):
    Version = apps.get_model("standard", "ProfileVersion")
    top = Version.objects.filter(profile__name="default").order_by("-number").first()
    if top is not None and top.note == NOTE:
        try:
            top.delete()
        except ProtectedError:
            pass  # clocks run under it: it stays


class Migration(migrations.Migration):
    dependencies = [("standard", "0003_complaint_milestones")]
    operations = [migrations.RunPython(add_quality_rules, remove_quality_rules_version)]
