"""The demo center's ticket classifier (TEC-4), trained on the demo's tickets.

The demo's resolved and closed tickets carry texts written for their category
(:func:`kefu.demo.content.ticket_text`), so the model learns the categories well; the demo's
urgencies are drawn at random per category root, so the urgency figures stay modest — as they
would for a center whose urgency does not follow from the words.

To keep seeding quick the demo trains on the newest :data:`DEMO_EXAMPLES` tickets with the
TF-IDF features only; ``kefu assist train`` or the weekly task later trains on everything.
Then a few open tickets and contacts get their suggestion, so the panels show one.
"""

from __future__ import annotations

from kefu.assist.classification_services import classification_suggest, classifier_train
from kefu.assist.models import ClassifierRunStatus
from kefu.tickets.models import Ticket
from kefu.tickets.states import TicketStatus

DEMO_EXAMPLES = 600
DEMO_SUGGESTIONS = 12


def seed_demo_classifier() -> None:
    """Train the ticket classifier on the demo's resolved tickets; suggest for open ones."""
    from kefu.channels.models import Contact, ContactMessage, Speaker

    run = classifier_train(embedding=None, limit=DEMO_EXAMPLES)
    if run.status != ClassifierRunStatus.TRAINED:
        return
    open_tickets = Ticket.objects.filter(
        status__in=[TicketStatus.NEW, TicketStatus.OPEN], classification_suggestions__isnull=True
    ).order_by("-created_at", "-id")[:DEMO_SUGGESTIONS]
    for ticket in open_tickets:
        classification_suggest(ticket=ticket)
    talked = ContactMessage.objects.filter(speaker=Speaker.CUSTOMER).values("contact_id")
    contacts = Contact.objects.filter(
        pk__in=talked, classification_suggestions__isnull=True
    ).order_by("-created_at", "-id")[: DEMO_SUGGESTIONS // 2]
    for contact in contacts:
        classification_suggest(contact=contact)
