"""Contacts (TEC-7): every interaction with a customer — call, chat, e-mail, SMS, WeChat — in one
model, with its timing (ACC-1), its events, transcript segments and recordings (ACC-3).

A contact's timing is derived from its events, never typed in: events are stored once (their
key is unique per contact) and the timing is recomputed from all of them, so repeated and
out-of-order deliveries from a PBX give the same contact.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from kefu.accounts.models import SkillLevel
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
    # Routing of live contacts (chat, waiting calls) and the e-mail thread's subject.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.SmallIntegerField(default=0)
    subject = models.CharField(max_length=500, blank=True)
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


class MessageStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("message status", "Received")
    QUEUED = "queued", pgettext_lazy("message status", "Waiting to send")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
    READ = "read", pgettext_lazy("message status", "Read")
    FAILED = "failed", pgettext_lazy("message status", "Sending failed")


class ContactMessage(models.Model):
    """One written message of a chat, e-mail thread, SMS or WeChat conversation.

    ``external_id`` is the channel's id of the message (an e-mail's Message-ID, a WeChat MsgId,
    an SMS gateway id): a repeated delivery of the same message is recognised by it.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    speaker = models.CharField(max_length=16, choices=Speaker.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)  # plain text
    html = models.TextField(blank=True)  # sanitized HTML, when the message had an HTML part
    external_id = models.CharField(max_length=500, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    # An auto-reply, out-of-office or bounce: stored, never answered.
    auto_generated = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.RECEIVED
    )
    outbound = models.ForeignKey(
        "notify.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_messages",
    )
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["contact", "created_at"], name="contact_message_thread_idx"),
            models.Index(
                fields=["external_id"],
                name="contact_message_extid_idx",
                condition=~Q(external_id=""),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "external_id"],
                condition=~Q(external_id=""),
                name="contact_message_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="contact_message_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.direction} {self.created_at:%Y-%m-%d %H:%M}"


class InboundMessageKey(models.Model):
    """The channel's id of one inbound message, claimed first by the transaction that stores it.

    ``(kind, external_id)`` is unique, so of two simultaneous deliveries of the same message
    (a gateway's or WeChat's retry, two IMAP pollers) only one can store it: on PostgreSQL the
    second insert waits for the first transaction and then fails, and the second delivery
    answers with what the first stored. Checking by reading alone races (TEC-7).
    """

    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    external_id = models.CharField(max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="inbound_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class ContactAttachment(models.Model):
    """A file that came with (or was sent in) a message, stored encrypted (SEC-1)."""

    message = models.ForeignKey(
        ContactMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class MailSecurity(models.TextChoices):
    SSL = "ssl", pgettext_lazy("mail security", "SSL/TLS")
    STARTTLS = "starttls", pgettext_lazy("mail security", "STARTTLS")
    PLAIN = "plain", pgettext_lazy("mail security", "None (plain)")


class Mailbox(models.Model):
    """An IMAP mailbox the worker polls for customer e-mail (configured in admin)."""

    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=16, choices=MailSecurity.choices, default=MailSecurity.SSL
    )
    username = models.CharField(max_length=255)
    password = EncryptedTextField(blank=True)
    folder = models.CharField(max_length=255, default="INBOX")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    poll_seconds = models.PositiveIntegerField(default=60)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.name


class Presence(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("agent presence", "Available")
    BUSY = "busy", pgettext_lazy("agent presence", "Busy")
    AWAY = "away", pgettext_lazy("agent presence", "Away")
    OFFLINE = "offline", pgettext_lazy("agent presence", "Offline")


class AgentPresence(models.Model):
    """An agent's availability for live channels and their limit of concurrent chats."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="presence",
    )
    status = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    max_chats = models.PositiveSmallIntegerField(default=3)
    changed_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Presence.values), name="presence_status_known"
            ),
            models.CheckConstraint(condition=Q(max_chats__gte=1), name="presence_max_chats_min"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status}"


class ChatWidget(models.Model):
    """One embeddable chat widget: which site may use it, where its chats go, when it is open."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Space-separated origins allowed to embed the widget ("https://shop.example.com"); empty
    # means any origin.
    allowed_origins = models.TextField(blank=True)
    greeting = models.CharField(max_length=500, blank=True)
    # Routing of this widget's chats, set by administrators (never by the visitor): a widget on
    # the members' area may ask for senior agents and go ahead of the general queue.
    required_skill = models.CharField(
        max_length=16,
        blank=True,
        choices=[("", "—"), *SkillLevel.choices],
        help_text="Only agents at this skill level or above answer this widget's chats.",
    )
    priority = models.SmallIntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(2)],
        help_text="0 ordinary, 1 raised, 2 priority A (ACC-4); a key-account customer's own "
        "priority counts when it is higher.",
    )
    calendar = models.ForeignKey(
        "calendars.WorkingCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Open hours; without a calendar the widget is open whenever an agent is.",
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChatSession(models.Model):
    """The live side of a chat contact: the visitor, routing and typing state."""

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.CASCADE, related_name="chat"
    )
    widget = models.ForeignKey(ChatWidget, on_delete=models.PROTECT, related_name="sessions")
    # sha256 of the visitor's secret token (the widget keeps the token in the browser).
    visitor_hash = models.CharField(max_length=64, db_index=True)
    visitor_name = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    required_skill = models.CharField(max_length=16, blank=True)
    priority = models.SmallIntegerField(default=0)  # higher first
    customer_typing_at = models.DateTimeField(null=True, blank=True)
    agent_typing_at = models.DateTimeField(null=True, blank=True)
    customer_seen_message = models.BigIntegerField(default=0)  # last message id shown
    agent_seen_message = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"chat {self.contact_id}"


class PortalAccess(models.Model):
    """A one-time code that lets a customer follow one ticket on the portal (TEC-6)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="portal_accesses"
    )
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the link token
    code_hash = models.CharField(max_length=128)  # salted hash of the one-time code
    sent_via = models.CharField(max_length=16)  # email or sms
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"portal access to {self.ticket_id}"
