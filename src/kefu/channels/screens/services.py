"""Writes started from the contact page: open a ticket for a contact, answer a written contact.

Both go through the tickets' own services (``ticket_create``, ``ticket_comment``), which check
permissions, audit and queue the channel message through the outbox; these functions only add
what the contact page knows (the contact's customer and channel, the link between them).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.channels.models import Contact
from kefu.channels.screens.selectors import REPLY_KINDS, TICKET_CHANNELS
from kefu.channels.services import contact_link_ticket
from kefu.core.errors import Conflict, InvalidInput
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_comment, ticket_create


@transaction.atomic
def contact_ticket_create(
    *, actor: Any, contact: Contact, subject: str, category: Any, description: str = ""
) -> Ticket:
    """Open a ticket for ``contact`` (its customer, its channel, assigned to ``actor``) and link
    the two (ACC-3: a call's recording goes with the ticket). All or nothing."""
    ticket = ticket_create(
        actor=actor,
        customer=contact.customer,
        subject=subject,
        category=category,
        channel=TICKET_CHANNELS[contact.kind],
        description=description,
        assignee=actor,
    )
    contact_link_ticket(actor=actor, contact=contact, ticket=ticket)
    return ticket


def contact_reply(*, actor: Any, contact: Contact, ticket: Ticket, body: str) -> TicketEvent:
    """A public reply to the customer of a written contact (e-mail, SMS, WeChat), posted on a
    ticket linked to it; ``ticket_comment`` sends it out on the ticket's channel."""
    if contact.kind not in REPLY_KINDS:
        raise Conflict(f"a {contact.kind} contact is not answered from here", field="contact")
    if not contact.tickets.filter(pk=ticket.pk).exists():
        raise InvalidInput(f"ticket {ticket.number} is not linked to this contact", field="ticket")
    return ticket_comment(actor=actor, ticket=ticket, body=body, public=True)
