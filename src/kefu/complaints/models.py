"""Complaints (投诉): the record beside a complaint ticket, its stages, departments, improvements.

A complaint is a ticket in the complaint category tree plus one :class:`Complaint` row
(CMP-1). Its ``stage`` changes only through :func:`kefu.complaints.services.complaint_transition`
(allowed-transitions map in :mod:`kefu.complaints.stages`), each move with its record.
The type of a complaint is a node of the complaint category tree, so administrators edit the
list of types where they edit categories.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from kefu.complaints.stages import ComplaintStage
from kefu.customers.models import ContactChannel


class Severity(models.TextChoices):
    """CMP-5 tiers."""

    GENERAL = "general", pgettext_lazy("complaint severity", "General")
    MAJOR = "major", pgettext_lazy("complaint severity", "Major")


class RectificationType(models.TextChoices):
    """CMP-4: a rectification changes a process or trains people."""

    PROCESS_CHANGE = "process_change", pgettext_lazy("rectification type", "Process change")
    TRAINING = "training", pgettext_lazy("rectification type", "Training")


class Complaint(models.Model):
    """The complaint record of one complaint ticket, stage by stage."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="complaint"
    )
    type = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="complaints", db_index=False
    )
    severity = models.CharField(max_length=16, choices=Severity.choices)
    demands = models.TextField()
    channel = models.CharField(max_length=16, choices=ContactChannel.choices)
    received_at = models.DateTimeField()
    stage = models.CharField(
        max_length=16, choices=ComplaintStage.choices, default=ComplaintStage.REGISTERED
    )
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # CMP-2: investigation and preliminary plan.
    investigation_started_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)  # [{"kind", "ref", "note"}]
    investigated_at = models.DateTimeField(null=True, blank=True)
    plan = models.TextField(blank=True)
    plan_at = models.DateTimeField(null=True, blank=True)
    # CMP-3: final solution.
    final_solution = models.TextField(blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    # CMP-4: rectification.
    rectification_action = models.TextField(blank=True)
    rectification_type = models.CharField(
        max_length=16, choices=RectificationType.choices, blank=True
    )
    rectification_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectification_due = models.DateField(null=True, blank=True)
    rectification_started_at = models.DateTimeField(null=True, blank=True)
    rectification_result = models.TextField(blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-id"]
        permissions = [
            ("handle_complaint", "Can work a complaint through its stages"),
            ("view_complaint_dashboard", "Can see the complaint dashboard"),
        ]
        indexes = [
            models.Index(fields=["stage", "-received_at"], name="complaint_stage_idx"),
            models.Index(fields=["received_at"], name="complaint_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ComplaintStage.values), name="complaint_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="complaint_severity_known"
            ),
        ]

    def __str__(self) -> str:
        return f"complaint {self.pk} ({self.ticket_id})"


class ComplaintDepartment(models.Model):
    """A responsible department in the loop (ORG-2, CMP-3): asked, answers, copied on the result."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="complaint_requests"
    )
    request = models.TextField(blank=True)
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [
            models.Index(fields=["department", "replied_at"], name="complaint_dept_queue_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "department"], name="complaint_department_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.department_id}"


class ImprovementStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("improvement status", "In progress")
    DONE = "done", pgettext_lazy("improvement status", "Done")


class Improvement(models.Model):
    """One line of the "problem → data → improvement" register (IMP-3, CMP-4)."""

    problem = models.TextField()
    evidence = models.TextField(blank=True)
    action = models.TextField()
    action_type = models.CharField(max_length=16, choices=RectificationType.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvements"
    )
    due = models.DateField()
    result = models.TextField(blank=True)
    status = models.CharField(
        max_length=8, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="improvement"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due"], name="improvement_status_due_idx")]

    def __str__(self) -> str:
        return self.problem[:60]
