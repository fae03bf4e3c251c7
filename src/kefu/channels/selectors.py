"""Reads of contacts: the screen pop of an incoming call (ACC-2) and a customer's contacts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kefu.channels.models import Contact
from kefu.customers.identities import mask_identity
from kefu.tickets.models import Ticket
from kefu.tickets.states import OPEN_STATUSES

POP_SIZE = 5


def screen_pop(contact: Contact) -> dict[str, Any]:
    """What the agent sees while the phone rings (ACC-2): who calls, masked, with their level,
    key-account tier, open tickets and last contacts. Personal data stays masked here."""
    customer = contact.customer
    pop: dict[str, Any] = {
        "contact": contact.pk,
        "call_id": contact.external_id,
        "caller": mask_identity("phone", contact.address) if contact.address else "",
        "customer": None,
        "open_tickets": [],
        "last_contacts": [],
    }
    if customer is None:
        return pop
    pop["customer"] = {
        "id": customer.pk,
        "name": customer.name,
        "member_level": customer.member_level,
        "member_level_label": str(customer.get_member_level_display()),
        "tier": customer.tier,
        "tier_label": str(customer.get_tier_display()),
        "tags": customer.tags,
        "identities": [
            {"kind": identity.kind, "value": mask_identity(identity.kind, identity.value)}
            for identity in customer.identities.all()
        ],
    }
    tickets = (
        Ticket.objects.filter(customer=customer, status__in=sorted(OPEN_STATUSES))
        .select_related("category")
        .order_by("-created_at")[:POP_SIZE]
    )
    pop["open_tickets"] = [
        {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "category": ticket.category.name,
            "created_at": ticket.created_at.isoformat(),
        }
        for ticket in tickets
    ]
    earlier = customer_contacts(customer_id=customer.pk).exclude(pk=contact.pk)[:POP_SIZE]
    pop["last_contacts"] = [
        {
            "kind": other.kind,
            "direction": other.direction,
            "at": (other.offered_at or other.created_at).isoformat(),
            "agent": other.agent.username if other.agent else None,
            "handle_seconds": other.handle_seconds,
        }
        for other in earlier
    ]
    return pop


def customer_contacts(*, customer_id: int) -> QuerySet[Contact]:
    """A customer's contacts across channels, newest first (TEC-7: one timeline)."""
    return (
        Contact.objects.filter(customer_id=customer_id)
        .select_related("agent")
        .order_by("-created_at", "-id")
    )


# A call older than this without an "ended" event is not shown as on the desk any more.
DESK_WINDOW_HOURS = 4


def current_call(*, agent: Any) -> Contact | None:
    """The call ringing or in progress at ``agent``'s desk, the newest first."""
    import datetime as dt

    from kefu.channels.models import ContactKind, ContactState
    from kefu.core.timeutils import now

    return (
        Contact.objects.filter(
            kind=ContactKind.CALL,
            agent=agent,
            state__in=[ContactState.OFFERED, ContactState.ACTIVE, ContactState.HELD],
            created_at__gte=now() - dt.timedelta(hours=DESK_WINDOW_HOURS),
        )
        .select_related("customer")
        .order_by("-created_at", "-id")
        .first()
    )
