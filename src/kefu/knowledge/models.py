"""The script library (话术库, SCR-1, SCR-4): recommended wording by conversation stage.

Agents read it; trainers, QA specialists and managers keep it current, by hand or by accepting
a monthly suggestion drawn from QA findings (QA-5). The knowledge base itself (articles, FAQ,
search) joins this app later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScriptStage(models.TextChoices):
    """The stages of a conversation a script belongs to (SCR-4)."""

    OPENING = "opening", pgettext_lazy("script stage", "Opening")
    NEED_CONFIRMATION = "need_confirmation", pgettext_lazy("script stage", "Need confirmation")
    EMPATHY = "empathy", pgettext_lazy("script stage", "Empathy")
    ANSWER = "answer", pgettext_lazy("script stage", "Answer")
    CLOSING = "closing", pgettext_lazy("script stage", "Closing")
    OTHER = "other", pgettext_lazy("script stage", "Other")


class ScriptSource(models.TextChoices):
    MANUAL = "manual", pgettext_lazy("script source", "Written by hand")
    QA_SUGGESTION = "qa_suggestion", pgettext_lazy("script source", "QA suggestion")


class Script(models.Model):
    """One recommended script. ``replaces`` is the wording it replaces (a forbidden phrase,
    SCR-2), ``category`` the quality-rule category it answers. ``version`` counts edits; every
    edit is in the audit trail with before and after, which is the script's history.

    Invariant: a script from a QA suggestion names the suggestion (while it exists).
    """

    stage = models.CharField(_("stage"), max_length=20, choices=ScriptStage.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=64, blank=True)
    replaces = models.CharField(_("replaces"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=ScriptSource.choices, default=ScriptSource.MANUAL
    )
    suggestion = models.ForeignKey(
        "quality.ImprovementSuggestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggestion"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["stage", "title", "id"]
        indexes = [models.Index(fields=["is_active", "stage"], name="script_active_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=ScriptStage.values), name="script_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ScriptSource.values), name="script_source_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title
