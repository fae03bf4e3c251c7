"""Records of the background worker's scheduled runs (STYLE.md: scheduled work is recorded)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TaskRun(models.Model):
    """One run of a periodic job."""

    class Outcome(models.TextChoices):
        RUNNING = "running", pgettext_lazy("outcome", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("outcome", "Succeeded")
        FAILED = "failed", pgettext_lazy("outcome", "Failed")

    name = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "-started_at"], name="taskrun_name_time_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"
