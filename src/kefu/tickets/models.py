"""Tickets (工单): the unit of work, its category tree, timeline and attachments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from kefu.customers.models import ContactChannel
from kefu.tickets.states import TicketStatus


class CategoryRoot(models.TextChoices):
    """The three top-level kinds of work: consultation, complaint, after-sales."""

    CONSULT = "consult", pgettext_lazy("category root", "Consultation")
    COMPLAINT = "complaint", pgettext_lazy("category root", "Complaint")
    AFTER_SALES = "after_sales", pgettext_lazy("category root", "After sales")


class HandlingClass(models.TextChoices):
    """HND-2: solved on the spot, or routed and followed up."""

    INSTANT = "instant", pgettext_lazy("handling class", "Solved on the spot")
    TRANSFER = "transfer", pgettext_lazy("handling class", "Transferred and followed up")


class Urgency(models.TextChoices):
    """HND-3 urgency tiers of the first response."""

    URGENT = "urgent", pgettext_lazy("urgency", "Urgent")
    NORMAL = "normal", pgettext_lazy("urgency", "Normal")
    CONSULT = "consult", pgettext_lazy("urgency", "Consultation")


class Priority(models.TextChoices):
    """ACC-4: priority A contacts are answered first."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Category(models.Model):
    """A node of the category tree; ``root`` is the top-level kind the node belongs to."""

    code = models.CharField(
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+(\.[a-z0-9_]+)*$",
                "lower-case letters, digits and _, with a dot between levels (complaint.delivery)",
            )
        ],
    )
    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    root = models.CharField(max_length=16, choices=CategoryRoot.choices)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["root", "sort_order", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        if self.parent_id is None:
            return self.name
        return f"{self.get_root_display()} / {self.name}"


class Ticket(models.Model):
    """A customer's request from first contact to closure.

    Invariants: ``status`` changes only through ``ticket_transition`` (allowed-transitions map);
    every change bumps ``version`` so a stale edit is refused; ``number`` is unique and
    human-readable (YYYYMMDD-NNNNNN, by local creation date).
    """

    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_customer_idx starts with it
    )
    channel = models.CharField(max_length=16, choices=ContactChannel.choices)
    # ticket_category_idx starts with the category: no separate foreign-key index.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    handling_class = models.CharField(
        max_length=16, choices=HandlingClass.choices, default=HandlingClass.INSTANT
    )
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    priority = models.CharField(max_length=1, choices=Priority.choices, default=Priority.B)
    status = models.CharField(max_length=24, choices=TicketStatus.choices, default=TicketStatus.NEW)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        db_index=False,  # ticket_assignee_queue_idx starts with it
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_team_queue_idx starts with it
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_dept_queue_idx starts with it
    )

    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Service record (HND-10) and ticket record (CLS-3).
    need_points = models.TextField(blank=True)
    preferences = models.TextField(blank=True)
    special_requirements = models.TextField(blank=True)
    solution = models.TextField(blank=True)
    customer_feedback = models.TextField(blank=True)
    # HND-4: every solution carries a due time and an owner.
    promised_at = models.DateTimeField(null=True, blank=True)
    solution_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_solutions",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_tickets",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        permissions = [("cancel_ticket", "Can cancel a ticket")]
        indexes = [
            # Queue pages: filtered by owner and status, newest activity first; the id breaks
            # ties so the index alone gives the page order.
            models.Index(
                fields=["team", "status", "-updated_at", "-id"], name="ticket_team_queue_idx"
            ),
            models.Index(
                fields=["assignee", "status", "-updated_at", "-id"],
                name="ticket_assignee_queue_idx",
            ),
            models.Index(
                fields=["department", "status", "-updated_at", "-id"], name="ticket_dept_queue_idx"
            ),
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_queue_idx"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            models.Index(fields=["category", "status"], name="ticket_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_known"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="ticket_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class TicketEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("ticket event kind", "Created")
    REPLY = "reply", pgettext_lazy("ticket event kind", "Public reply")
    NOTE = "note", pgettext_lazy("ticket event kind", "Internal note")
    STATUS_CHANGE = "status_change", pgettext_lazy("ticket event kind", "Status change")
    ASSIGNMENT = "assignment", pgettext_lazy("ticket event kind", "Assignment")
    FIELD_CHANGE = "field_change", pgettext_lazy("ticket event kind", "Field change")
    ATTACHMENT = "attachment", pgettext_lazy("ticket event kind", "Attachment")
    NOTICE = "notice", pgettext_lazy("ticket event kind", "Customer notice")
    COMPLAINT = "complaint", pgettext_lazy("ticket event kind", "Complaint")
    CUSTOMER_MESSAGE = "customer_message", pgettext_lazy("ticket event kind", "Customer message")


class TicketEvent(models.Model):
    """One entry of a ticket's timeline. Written by services only; never edited."""

    # ticket_event_timeline_idx starts with the ticket: no separate foreign-key index.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=16, choices=TicketEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class TicketAttachment(models.Model):
    """A file attached to a ticket, stored encrypted under the data directory."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.OneToOneField(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachment"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class TicketNumberSequence(models.Model):
    """The last ticket number issued on one local calendar day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class SavedFilter(models.Model):
    """A queue filter a user saved under a name, to reopen it with one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=80)
    queue = models.CharField(max_length=32)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.queue})"
