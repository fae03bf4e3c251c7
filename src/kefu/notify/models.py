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

from kefu.core.fields import EncryptedTextField


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
    SENDING = "sending", pgettext_lazy("outbound status", "Being sent")
    SENT = "sent", pgettext_lazy("outbound status", "Sent")
    FAILED = "failed", pgettext_lazy("outbound status", "Sending failed")
    # A worker took the message and stopped before recording the outcome: it may or may not
    # have left. It is never sent again by itself; a person checks and decides.
    UNCONFIRMED = "unconfirmed", pgettext_lazy("outbound status", "Outcome unknown")


class OutboundChannel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("outbound channel", "E-mail")
    SMS = "sms", pgettext_lazy("outbound channel", "SMS")
    WECHAT = "wechat", pgettext_lazy("outbound channel", "WeChat")


class NoticeChannel(models.TextChoices):
    """The channels a customer notice (CMP-5) may use: the ones with a fixed address."""

    EMAIL = "email", pgettext_lazy("outbound channel", "E-mail")
    SMS = "sms", pgettext_lazy("outbound channel", "SMS")


class OutboundMessage(models.Model):
    """One e-mail or SMS waiting in, or delivered from, the outbox.

    Never twice: a worker first claims the message (status ``sending``) in its own committed
    transaction, then hands it to the channel, then records the outcome. A claim that never
    got an outcome turns ``unconfirmed`` and waits for a person instead of being retried.
    The address is personal data of a customer, so it is encrypted at rest (SEC-1).
    """

    channel = models.CharField(
        max_length=16, choices=OutboundChannel.choices, default=OutboundChannel.EMAIL
    )
    to_address = EncryptedTextField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Extra e-mail headers (In-Reply-To, References) or channel options, set by the sender.
    headers = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
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
            ),
            models.Index(
                fields=["claimed_at"], name="outbox_claimed_idx", condition=Q(status="sending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}: {self.subject}"


class NoticeKind(models.TextChoices):
    """The customer notices of the standard (HND-5, HND-6, CMP-2, HND-7, CMP-4)."""

    NEED_CONFIRMATION = "need_confirmation", pgettext_lazy("notice kind", "Need confirmation")
    PROGRESS = "progress", pgettext_lazy("notice kind", "Progress update")
    PLAN = "plan", pgettext_lazy("notice kind", "Preliminary plan")
    RESULT = "result", pgettext_lazy("notice kind", "Result notice")
    RECTIFICATION = "rectification", pgettext_lazy("notice kind", "Rectification result")


class NoticeTemplate(models.Model):
    """The text of one notice on one channel, with ``{variable}`` placeholders."""

    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(max_length=16, choices=NoticeChannel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="notice_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}"


class CustomerNotice(models.Model):
    """A notice to the customer of a ticket, sent through the outbox; delivery stops its clock."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="notices", db_index=False
    )
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(max_length=16, choices=NoticeChannel.choices)
    message = models.OneToOneField(OutboundMessage, on_delete=models.PROTECT, related_name="notice")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="notice_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} via {self.channel}"
