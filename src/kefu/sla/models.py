"""Milestone clocks: one row per running clock, its deadline and its next action as columns.

The sweeper finds due work with one indexed range query on ``next_action_at``; no job walks the
open tickets. A clock remembers the profile version it started under, so a later edit of the
standard never moves a deadline that was already promised.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class ClockState(models.TextChoices):
    RUNNING = "running", pgettext_lazy("clock state", "Counting")
    PAUSED = "paused", pgettext_lazy("clock state", "Paused")
    WARNING = "warning", pgettext_lazy("clock state", "Due soon")
    MET = "met", pgettext_lazy("clock state", "Met")
    BREACHED = "breached", pgettext_lazy("clock state", "Breached")
    CANCELLED = "cancelled", pgettext_lazy("clock state", "Cancelled")


OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.WARNING, ClockState.BREACHED)


class Clock(models.Model):
    """One milestone clock of one ticket (one cycle, for recurring milestones)."""

    # No separate index: the unique (ticket, milestone, cycle) index serves lookups by ticket.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    milestone = models.CharField(max_length=64)
    rule = models.CharField(max_length=16)
    title = models.CharField(max_length=100)
    profile_version = models.ForeignKey(
        "standard.ProfileVersion", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # A clock owed by one department of several (ORG-2: a complaint's department replies).
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    calendar = models.CharField(max_length=50)
    target = models.CharField(max_length=20)  # the duration text, e.g. 4h or 1wd
    cycle = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=16, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    # While paused: how much of the target is left (business or wall seconds, per the target).
    remaining_seconds = models.FloatField(null=True, blank=True)
    counting_since = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)

    paused_seconds = models.FloatField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_action_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["ticket", "started_at", "id"]
        indexes = [
            models.Index(
                fields=["next_action_at", "id"],
                name="clock_next_action_idx",
                condition=Q(next_action_at__isnull=False),
            ),
            models.Index(fields=["milestone", "started_at"], name="clock_milestone_time_idx"),
            models.Index(fields=["state", "due_at"], name="clock_state_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "milestone", "cycle"], name="clock_one_per_milestone_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.milestone}#{self.cycle} {self.state}"


class ClockEvent(models.Model):
    """A warning, breach or escalation step acted on once (the unique key makes retries safe)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)  # warning | breach | escalation
    step = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind", "step"], name="clock_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind}#{self.step}"
