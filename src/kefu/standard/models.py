"""Standard profiles and their versions. A version is never edited: a change is a new version."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class StandardProfile(models.Model):
    """A center's written service standard, as configuration (``default`` ships with kefu)."""

    name = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class ProfileVersion(models.Model):
    """One immutable version of a profile; the newest is the one in force."""

    profile = models.ForeignKey(StandardProfile, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField(encoder=DjangoJSONEncoder)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["profile", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.profile.name} v{self.number}"
