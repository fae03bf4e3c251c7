"""Stored results of the automatic quality check (QA-1, QA-3, SCR-2).

Every contact is checked by the rule engine once it ends (:mod:`kefu.quality.tasks`); the
result is kept here, one row per contact, replaced when the contact is checked again.
"""

from __future__ import annotations

from django.db import models


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
