"""People of the center: users with roles, teams, back-office departments, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class SkillLevel(models.TextChoices):
    """TRN-3 skill levels."""

    JUNIOR = "junior", pgettext_lazy("skill level", "Junior")
    INTERMEDIATE = "intermediate", pgettext_lazy("skill level", "Intermediate")
    SENIOR = "senior", pgettext_lazy("skill level", "Senior")


class Team(models.Model):
    """A group of agents under one team lead; tickets belong to a team's queue."""

    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A back-office unit outside the center that receives routed work (ORG-2)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="departments"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Customers are not users; they live in ``customers``."""

    display_name = models.CharField(max_length=100, blank=True)
    employee_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    skill_level = models.CharField(
        max_length=16, choices=SkillLevel.choices, default=SkillLevel.JUNIOR
    )
    certification_level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(certification_level__gte=1) & Q(certification_level__lte=5),
                name="user_certification_level_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
