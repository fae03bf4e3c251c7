"""Stored results of the automatic quality check (QA-1, QA-3, SCR-2).

Every contact is checked by the rule engine once it ends (:mod:`kefu.quality.tasks`); the
result is kept here, one row per contact, replaced when the contact is checked again.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AutoCheck(models.Model):
    """The automatic check of one contact: the engine's findings, four dimensions and score.

    Each finding is the engine's (``standard``, ``category``, ``segment``, ``evidence``,
    ``suggestion``, ``rule``, ``span``, ``detail``) plus the ``speaker`` and ``text`` of the
    turn it points at, so the result still shows what was checked if the transcript changes.
    """

    contact = models.OneToOneField(
        "channels.Contact", on_delete=models.CASCADE, related_name="auto_check"
    )
    findings = models.JSONField(default=list, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    score = models.FloatField()
    # The rule data's own version and a digest of its content: which rules gave this result.
    rules_version = models.CharField(max_length=64)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["score", "-checked_at"], name="autocheck_score_idx"),
            models.Index(fields=["-checked_at"], name="autocheck_checked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.score:g}"

    @property
    def findings_count(self) -> int:
        return len(self.findings)


class Dimension(models.TextChoices):
    """The four QA-1 dimensions of an inspection."""

    PROCESS = "process", _("Process")
    COMMUNICATION = "communication", _("Communication")
    SCRIPT = "script", _("Script")
    RESULT = "result", _("Result")


class ItemKind(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("Manual")


class Scorecard(models.Model):
    """A versioned scorecard (QA-1). A version is never edited once created: a new version is
    added instead (:func:`kefu.quality.services.scorecard_new_version`), so an inspection keeps
    the version it was scored with."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scorecard_name_version_uniq"),
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="scorecard_pass_mark_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardItem(models.Model):
    """One item of a scorecard: automatic (fails when the engine finds its ``rule_category``)
    or manual (scored 0..1 by a QA specialist); a fatal item (红线) fails the whole
    inspection."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    title = models.CharField(_("title"), max_length=200)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    rule_category = models.CharField(_("rule category"), max_length=64, blank=True)
    fatal = models.BooleanField(_("fatal (红线)"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scorecard", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="scorecarditem_weight_gt_0"
            )
        ]

    def __str__(self) -> str:
        return self.title
