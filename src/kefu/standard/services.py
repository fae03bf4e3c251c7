"""Writes on standard profiles: every change is a new, validated, audited version."""

from __future__ import annotations

from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max

from kefu.audit.services import audit_record
from kefu.calendars.models import WorkingCalendar
from kefu.core.caching import clear_all_ttl_caches
from kefu.core.errors import Conflict, InvalidInput
from kefu.core.timeutils import now
from kefu.standard.document import validate_document
from kefu.standard.models import ProfileVersion, StandardProfile

MAX_IMPORT_BYTES = 512 * 1024


@transaction.atomic
def profile_version_create(
    *, actor: Any, profile: StandardProfile, document: Any, note: str = ""
) -> ProfileVersion:
    """Validate ``document`` and store it as the profile's next version (the one in force)."""
    calendars = set(WorkingCalendar.objects.values_list("name", flat=True))
    cleaned = validate_document(document, known_calendars=calendars)
    # Lock the profile row so two editors cannot both create version N + 1.
    StandardProfile.objects.select_for_update().filter(pk=profile.pk).first()
    top = ProfileVersion.objects.filter(profile=profile).aggregate(top=Max("number"))["top"] or 0
    current = ProfileVersion.objects.filter(profile=profile, number=top).first()
    if current is not None and current.document == cleaned:
        raise Conflict(f"the document equals version {top}; nothing to save", field="document")
    version = ProfileVersion.objects.create(
        profile=profile,
        number=top + 1,
        document=cleaned,
        note=note[:200],
        created_at=now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # This process sees the new version at once (and again after commit, for other threads).
    clear_all_ttl_caches()
    transaction.on_commit(clear_all_ttl_caches)

    changed = sorted(
        key
        for key, value in cleaned["parameters"].items()
        if current is None or current.document["parameters"].get(key) != value
    )
    audit_record(
        actor=actor,
        verb="standard.version_create",
        target=version,
        before={"version": top} if current else None,
        after={"version": version.number, "changed_parameters": changed, "note": note[:200]},
    )
    return version


def profile_import_yaml(
    *, actor: Any, profile: StandardProfile, text: str, note: str = ""
) -> ProfileVersion:
    """Import a YAML document (as written by ``kefu standard export``) as a new version."""
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise InvalidInput("the file is larger than 512 KiB", field="file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}", field="file") from None
    if not isinstance(data, dict):
        raise InvalidInput(
            "the file must hold a mapping with parameters and milestones", field="file"
        )
    named = data.pop("profile", profile.name)
    data.pop("version", None)
    if named != profile.name:
        raise InvalidInput(
            f"the file is for profile {named!r}, not {profile.name!r}", field="profile"
        )
    return profile_version_create(
        actor=actor, profile=profile, document=data, note=note or "imported from YAML"
    )
