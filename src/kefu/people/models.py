"""The training plan (TRN-2: monthly training on common QA issues). Exams, certification and
attendance join this app later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TrainingStatus(models.TextChoices):
    """planned → done; changes only through :func:`kefu.people.services.training_topic_done`."""

    PLANNED = "planned", pgettext_lazy("training status", "Planned")
    DONE = "done", pgettext_lazy("training status", "Done")


class TrainingTopic(models.Model):
    """One topic of a month's training plan, for some teams and/or agents (none: everyone).

    Invariants: ``month`` is the first day of a month; ``done_at`` is set exactly when the
    status is done.
    """

    month = models.DateField(_("month"))
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    teams = models.ManyToManyField(
        "accounts.Team", blank=True, related_name="+", verbose_name=_("teams")
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("agents")
    )
    suggestion = models.ForeignKey(
        "quality.ImprovementSuggestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggestion"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TrainingStatus.choices, default=TrainingStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "status", "title", "id"]
        indexes = [models.Index(fields=["month", "status"], name="training_month_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status=TrainingStatus.PLANNED, done_at__isnull=True)
                    | models.Q(status=TrainingStatus.DONE, done_at__isnull=False)
                ),
                name="training_done_at_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"
