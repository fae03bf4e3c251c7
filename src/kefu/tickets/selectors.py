"""Reads of tickets, always through the viewer's row-level permissions.

An agent or team lead sees own-team tickets, tickets assigned to or created by them, and
tickets routed to a department they belong to (ORG-2); a complaint specialist also sees every
complaint; managers, administrators and QA specialists see all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_department_ids, user_has_role, user_sees_all_tickets
from kefu.core.crypto import decrypt_bytes
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied
from kefu.tickets.models import Category, CategoryRoot, Ticket, TicketAttachment, TicketEvent

TICKET_NUMBER = re.compile(r"^\d{8}-\d{6,}$")
SORT_FIELDS = {
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "priority": ("priority", "-updated_at", "-id"),
    "-priority": ("-priority", "-updated_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}


def ticket_visibility(user: Any) -> Q | None:
    """The row filter for ``user``; None means every ticket."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user_sees_all_tickets(user):
        return None
    visible = Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
    if user.team_id:
        visible |= Q(team_id=user.team_id)
    departments = user_department_ids(user)
    if departments:
        visible |= Q(department_id__in=sorted(departments))
    if user_has_role(user, Role.COMPLAINT_SPECIALIST):
        visible |= Q(category__root=CategoryRoot.COMPLAINT)
    return visible


def ticket_is_visible(user: Any, ticket: Ticket) -> bool:
    """Python form of :func:`ticket_visibility` for one loaded ticket."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user_sees_all_tickets(user):
        return True
    if user.pk in (ticket.assignee_id, ticket.created_by_id):
        return True
    if user.team_id and ticket.team_id == user.team_id:
        return True
    if ticket.department_id and ticket.department_id in user_department_ids(user):
        return True
    return user_has_role(user, Role.COMPLAINT_SPECIALIST) and (
        ticket.category.root == CategoryRoot.COMPLAINT
    )


def visible_tickets(user: Any, *, implied: bool = False) -> QuerySet[Ticket]:
    """Tickets ``user`` may read; ``implied`` says the caller's filter already is one of the
    visibility branches (own team, own tickets, own departments), so the OR can be left out
    and the query planner uses the queue index."""
    if not user.has_perm("tickets.view_ticket"):
        raise PermissionDenied("your role may not read tickets")
    tickets = Ticket.objects.select_related(
        "customer", "category", "assignee", "team", "department", "solution_owner"
    )
    visibility = None if implied else ticket_visibility(user)
    return tickets if visibility is None else tickets.filter(visibility)


def _visibility_implied(user: Any, filters: TicketFilters) -> bool:
    """True when ``filters`` alone keep the rows inside what ``user`` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if filters.assignee_id is not None and filters.assignee_id == user.pk:
        return True
    if filters.team_id is not None and filters.team_id == user.team_id:
        return True
    return bool(filters.department_ids and set(filters.department_ids) <= user_department_ids(user))


@dataclass(frozen=True, slots=True)
class TicketFilters:
    status: list[str] | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None
    category: str | None = None
    customer_id: int | None = None
    q: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    urgency: str | None = None
    priority: str | None = None
    channel: str | None = None
    unassigned: bool = False
    department_ids: tuple[int, ...] | None = None


def ticket_list(
    *, user: Any, filters: TicketFilters, sort: str = "-updated_at"
) -> QuerySet[Ticket]:
    """Visible tickets matching ``filters``; a category filter includes its subcategories."""
    if sort not in SORT_FIELDS:
        raise InvalidInput(
            f"cannot sort by {sort!r}; one of {', '.join(SORT_FIELDS)}", field="sort"
        )
    tickets = visible_tickets(user, implied=_visibility_implied(user, filters))
    if filters.status:
        tickets = tickets.filter(status__in=filters.status)
    if filters.assignee_id is not None:
        tickets = tickets.filter(assignee_id=filters.assignee_id)
    if filters.team_id is not None:
        tickets = tickets.filter(team_id=filters.team_id)
    if filters.department_id is not None:
        tickets = tickets.filter(department_id=filters.department_id)
    if filters.department_ids is not None:
        tickets = tickets.filter(department_id__in=sorted(filters.department_ids))
    if filters.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if filters.urgency:
        tickets = tickets.filter(urgency=filters.urgency)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        if category is None:
            raise InvalidInput(f"unknown category {filters.category!r}", field="category")
        if category.parent_id is None:
            tickets = tickets.filter(category__root=category.root)
        else:
            tickets = tickets.filter(category_id=category.pk)
    if filters.customer_id is not None:
        tickets = tickets.filter(customer_id=filters.customer_id)
    if filters.created_from:
        tickets = tickets.filter(created_at__gte=filters.created_from)
    if filters.created_to:
        tickets = tickets.filter(created_at__lt=filters.created_to)
    if filters.q:
        text = filters.q.strip()
        if TICKET_NUMBER.fullmatch(text):
            tickets = tickets.filter(number=text)
        elif text:
            tickets = tickets.filter(Q(subject__icontains=text) | Q(description__icontains=text))
    return tickets.order_by(*SORT_FIELDS[sort])


def ticket_get(*, user: Any, number: str) -> Ticket:
    """One ticket by number; a ticket the user may not see is reported as absent."""
    if not TICKET_NUMBER.fullmatch(number):
        raise NotFound(f"{number[:40]!r} is not a ticket number (YYYYMMDD-NNNNNN)")
    ticket = visible_tickets(user).filter(number=number).first()
    if ticket is None:
        raise NotFound(f"ticket {number} does not exist or is not visible to you")
    return ticket


def ticket_events(*, ticket: Ticket, include_internal: bool = True) -> QuerySet[TicketEvent]:
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not include_internal:
        events = events.filter(is_public=True)
    return events.order_by("created_at", "id")


def ticket_attachment_get(*, ticket: Ticket, attachment_id: int) -> TicketAttachment:
    attachment = TicketAttachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} of ticket {ticket.number} does not exist")
    return attachment


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent")


def ticket_attachment_content(*, attachment: TicketAttachment) -> bytes:
    """The decrypted bytes of an attachment."""
    path = Path(settings.DATA_DIR) / "attachments" / attachment.storage_name
    if not path.exists():
        raise NotFound(f"the file of attachment {attachment.pk} is missing from the data directory")
    return decrypt_bytes(path.read_bytes())
