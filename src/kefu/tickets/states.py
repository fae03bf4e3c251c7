"""The ticket state machine: statuses, the allowed transitions, and which are final.

new → open → pending_customer / pending_department → resolved → closed; a resolved ticket can
be reopened, a closed one within the reopen window; cancelled is final. Anything else is
refused with a 409 by :func:`kefu.tickets.services.ticket_transition`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TicketStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    OPEN = "open", pgettext_lazy("ticket status", "In progress")
    PENDING_CUSTOMER = "pending_customer", pgettext_lazy("ticket status", "Pending customer")
    PENDING_DEPARTMENT = "pending_department", pgettext_lazy("ticket status", "Pending department")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("ticket status", "Cancelled")


S = TicketStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # A consultation answered on the spot (HND-2 即时解决) goes straight from new to resolved.
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_DEPARTMENT, S.RESOLVED, S.CANCELLED}),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.PENDING_DEPARTMENT, S.RESOLVED, S.CANCELLED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.PENDING_DEPARTMENT, S.RESOLVED, S.CANCELLED}),
    S.PENDING_DEPARTMENT: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),
    # Reopening a closed ticket is allowed only inside the reopen window (checked by the service).
    S.CLOSED: frozenset({S.OPEN}),
    S.CANCELLED: frozenset(),
}

TERMINAL = frozenset(status for status, targets in ALLOWED_TRANSITIONS.items() if not targets)
OPEN_STATUSES = frozenset({S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_DEPARTMENT})
STATUS_LABELS = {status.value: status.label for status in TicketStatus}
