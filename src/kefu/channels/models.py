"""Contacts (TEC-7): every interaction with a customer — call, chat, e-mail, SMS, WeChat — in one
model, with its timing (ACC-1), its events, transcript segments and recordings (ACC-3).

A contact's timing is derived from its events, never typed in: events are stored once (their
key is unique per contact) and the timing is recomputed from all of them, so repeated and
out-of-order deliveries from a PBX give the same contact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField


class ContactKind(models.TextChoices):
    CALL = "call", pgettext_lazy("contact kind", "Call")
    CHAT = "chat", pgettext_lazy("contact kind", "Chat")
    EMAIL = "email", pgettext_lazy("contact kind", "E-mail")
    SMS = "sms", pgettext_lazy("contact kind", "SMS")
    WECHAT = "wechat", pgettext_lazy("contact kind", "WeChat")


class Direction(models.TextChoices):
    INBOUND = "inbound", pgettext_lazy("contact direction", "Inbound")
    OUTBOUND = "outbound", pgettext_lazy("contact direction", "Outbound")


class ContactState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("contact state", "Waiting")
    OFFERED = "offered", pgettext_lazy("contact state", "Ringing")
    ACTIVE = "active", pgettext_lazy("contact state", "In progress")
    HELD = "held", pgettext_lazy("contact state", "On hold")
    ENDED = "ended", pgettext_lazy("contact state", "Ended")


class Contact(models.Model):
    """One interaction; ``external_id`` is the channel's own id (a PBX call id, a thread key)."""

    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    direction = models.CharField(
        max_length=16, choices=Direction.choices, default=Direction.INBOUND
    )
    external_id = models.CharField(max_length=128)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,  # contact_customer_idx starts with it
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="contacts")
    # The caller's number or sender's address: personal data, encrypted (SEC-1).
    address = EncryptedTextField(blank=True)
    state = models.CharField(
        max_length=16, choices=ContactState.choices, default=ContactState.QUEUED
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.FloatField(null=True, blank=True)  # offered → answered (ACC-1)
    handle_seconds = models.FloatField(null=True, blank=True)  # answered → ended
    held_seconds = models.FloatField(default=0)
    transfers = models.PositiveIntegerField(default=0)
    # ACC-3: the recording began with the disclosure of its purpose.
    recording_disclosed = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="contact_customer_idx"),
            models.Index(fields=["kind", "state", "-created_at"], name="contact_kind_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="contact_external_once"),
            models.CheckConstraint(
                condition=Q(state__in=ContactState.values), name="contact_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class ContactEvent(models.Model):
    """One event of a contact as the channel reported it; the key makes a repeat a no-op."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    key = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "key"], name="contact_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} {self.occurred_at:%H:%M:%S}"


class Speaker(models.TextChoices):
    AGENT = "agent", pgettext_lazy("speaker", "Agent")
    CUSTOMER = "customer", pgettext_lazy("speaker", "Customer")
    SYSTEM = "system", pgettext_lazy("speaker", "System")


class ContactSegment(models.Model):
    """A piece of transcript or a chat/SMS/WeChat message: who said what, and when."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="segments")
    speaker = models.CharField(max_length=16, choices=Speaker.choices)
    start = models.FloatField(default=0)  # seconds from the start of the contact
    end = models.FloatField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["contact", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "speaker", "start", "end"], name="contact_segment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.speaker} {self.start:.1f}s"


class ContactRecording(models.Model):
    """A call recording, stored encrypted under the data directory (SEC-1, ACC-3)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="recordings")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "sha256"], name="contact_recording_once")
        ]

    def __str__(self) -> str:
        return self.filename
