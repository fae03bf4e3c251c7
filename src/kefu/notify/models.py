"""In-app notifications for staff and the outbox of messages that leave kefu.

An outbound message is written in the transaction that decided to send it and delivered after
commit by the worker: a rollback never sends, a crash never loses (the periodic retry picks up
whatever is still pending).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """A message to one member of staff, shown in their notification list."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class OutboundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outbound status", "Waiting to send")
    SENT = "sent", pgettext_lazy("outbound status", "Sent")
    FAILED = "failed", pgettext_lazy("outbound status", "Sending failed")


class OutboundMessage(models.Model):
    """One e-mail (or later SMS) waiting in, or delivered from, the outbox."""

    channel = models.CharField(max_length=16, default="email")
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to_address}: {self.subject}"
