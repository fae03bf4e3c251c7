"""Give an existing default profile the complaint milestones (CMP-1…5, ORG-2) as a new version.

A new installation already has them in version 1. Versions are immutable, so an installation
whose profile lacks them gets version N + 1 = version N plus the missing milestones and any
parameter it does not know yet (with the STANDARD.md default). Going back removes only that
version, and only if nothing was built on it.
"""

from django.db import migrations
from django.db.models import ProtectedError
from django.utils import timezone

NOTE = "complaint milestones (CMP-1…5, ORG-2)"


def add_complaint_milestones(apps, schema_editor):
    from kefu.standard.catalog import default_parameters
    from kefu.standard.defaults import COMPLAINT_MILESTONES

    Version = apps.get_model("standard", "ProfileVersion")
    current = Version.objects.filter(profile__name="default").order_by("-number").first()
    if current is None:
        return
    document = dict(current.document)
    keys = {milestone["key"] for milestone in document.get("milestones", [])}
    missing = [milestone for milestone in COMPLAINT_MILESTONES if milestone["key"] not in keys]
    if not missing:
        return
    parameters = {**default_parameters(), **document.get("parameters", {})}
    Version.objects.create(
        profile_id=current.profile_id,
        number=current.number + 1,
        document={
            **document,
            "parameters": parameters,
            "milestones": [*document.get("milestones", []), *missing],
        },
        note=NOTE,
        created_at=timezone.now(),
    )


def remove_complaint_version(apps, schema_editor):
    Version = apps.get_model("standard", "ProfileVersion")
    top = Version.objects.filter(profile__name="default").order_by("-number").first()
    if top is not None and top.note == NOTE:
        try:
            top.delete()
        except ProtectedError:
            pass  # clocks run under it: it stays




class Migration(migrations.Migration):
    dependencies = [("standard", "0002_default_profile")]
    operations = [migrations.RunPython(add_complaint_milestones, remove_complaint_version)]
