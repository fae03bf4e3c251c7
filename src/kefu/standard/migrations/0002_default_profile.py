"""Create the ``default`` standard profile, version 1 = the numbers of STANDARD.md.

The document is taken from ``kefu.standard.defaults`` at the time the migration runs: a new
installation starts from the defaults of the kefu version installed. Existing installations
are untouched (their profile already has versions).
"""

from django.db import migrations
from django.utils import timezone


def create_default_profile(apps, schema_editor):
    from kefu.standard.defaults import default_document

    Profile = apps.get_model("standard", "StandardProfile")
    Version = apps.get_model("standard", "ProfileVersion")
    profile, _ = Profile.objects.get_or_create(name="default", defaults={"title": "默认服务标准"})
    if not Version.objects.filter(profile=profile).exists():
        Version.objects.create(
            profile=profile,
            number=1,
            document=default_document(),
            note="STANDARD.md default profile",
            created_at=timezone.now(),
        )


def remove_default_profile(apps, schema_editor):
    Profile = apps.get_model("standard", "StandardProfile")
    Version = apps.get_model("standard", "ProfileVersion")
    Version.objects.filter(profile__name="default").delete()
    Profile.objects.filter(name="default").delete()


class Migration(migrations.Migration):
    dependencies = [("standard", "0001_initial"), ("calendars", "0002_office_and_24x7_calendars")]
    operations = [migrations.RunPython(create_default_profile, remove_default_profile)]
