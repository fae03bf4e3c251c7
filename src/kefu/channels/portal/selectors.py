"""Reads of the customer self-service portal (TEC-6): one granted ticket, its progress and its
public timeline as the customer sees it.

The customer sees what was said to them and by them, and the status — never internal notes,
field changes, the reasons staff typed for a status change, or staff names: a member of staff
appears as "Customer service" with the employee number, the way an agent introduces
themselves on the phone. Personal data appears masked only (SEC-1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from kefu.core.errors import InvalidInput, NotFound
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, mask_identity
from kefu.customers.models import ContactChannel
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import Faq
from kefu.knowledge.search import search
from kefu.knowledge.search_selectors import search_query_clean
from kefu.tickets.models import Ticket, TicketEvent, TicketEventKind
from kefu.tickets.selectors import TICKET_NUMBER
from kefu.tickets.services import ticket_accepts_customer_message
from kefu.tickets.states import TicketStatus

# The status in the customer's words: internal waiting states are "being handled".
CUSTOMER_STATUS: dict[str, Promise] = {
    TicketStatus.NEW: pgettext_lazy("portal status", "Received"),
    TicketStatus.OPEN: pgettext_lazy("portal status", "Being handled"),
    TicketStatus.PENDING_CUSTOMER: pgettext_lazy("portal status", "Waiting for your reply"),
    TicketStatus.PENDING_DEPARTMENT: pgettext_lazy("portal status", "Being handled"),
    TicketStatus.RESOLVED: pgettext_lazy("portal status", "Resolved"),
    TicketStatus.CLOSED: pgettext_lazy("portal status", "Closed"),
    TicketStatus.CANCELLED: pgettext_lazy("portal status", "Cancelled"),
}
STEPS: list[tuple[str, Promise]] = [
    ("received", pgettext_lazy("portal step", "Received")),
    ("handling", pgettext_lazy("portal step", "Being handled")),
    ("resolved", pgettext_lazy("portal step", "Resolved")),
    ("closed", pgettext_lazy("portal step", "Closed")),
]
STEP_OF_STATUS: dict[str, int] = {
    TicketStatus.NEW: 0,
    TicketStatus.OPEN: 1,
    TicketStatus.PENDING_CUSTOMER: 1,
    TicketStatus.PENDING_DEPARTMENT: 1,
    TicketStatus.RESOLVED: 2,
    TicketStatus.CLOSED: 3,
}
TYPE_LABELS: dict[str, Promise] = {
    "consult": pgettext_lazy("portal request type", "Consultation"),
    "after_sales": pgettext_lazy("portal request type", "After-sales service"),
    "complaint": pgettext_lazy("portal request type", "Complaint"),
}
_SHOWN_KINDS = (
    TicketEventKind.CREATED,
    TicketEventKind.REPLY,
    TicketEventKind.NOTICE,
    TicketEventKind.CUSTOMER_MESSAGE,
    TicketEventKind.STATUS_CHANGE,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    who: str
    what: str
    text: str
    from_customer: bool = False


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class PortalTicketView:
    """Everything the customer's ticket page shows."""

    ticket: Ticket
    status: str
    type_label: str
    steps: list[Step]
    timeline: list[TimelineEntry]
    contact: str
    description: str
    accepts_reply: bool


def portal_ticket_get(*, number: str, granted: Iterable[int]) -> Ticket:
    """The ticket ``number`` if this browser was granted it; any other is absent (404)."""
    if not TICKET_NUMBER.fullmatch(number or ""):
        raise NotFound("not a ticket number")
    ticket = (
        Ticket.objects.select_related("category", "customer")
        .filter(number=number, pk__in=sorted(set(granted)))
        .first()
    )
    if ticket is None:
        raise NotFound(f"ticket {number} is not open in this browser")
    return ticket


def _staff(actor: Any) -> str:
    number = getattr(actor, "employee_number", None)
    if number:
        return gettext("Customer service %(number)s") % {"number": number}
    return gettext("Customer service")


def _entry(event: TicketEvent, ticket: Ticket) -> TimelineEntry | None:
    if event.kind == TicketEventKind.CREATED:
        if ticket.channel == ContactChannel.PORTAL:
            return TimelineEntry(event.created_at, gettext("You"), gettext("Request submitted"), "")
        return TimelineEntry(
            event.created_at, gettext("Service center"), gettext("Request registered"), ""
        )
    if event.kind == TicketEventKind.CUSTOMER_MESSAGE:
        return TimelineEntry(
            event.created_at, gettext("You"), gettext("Your message"), event.body, True
        )
    if event.kind == TicketEventKind.REPLY and event.is_public:
        return TimelineEntry(event.created_at, _staff(event.actor), gettext("Reply"), event.body)
    if event.kind == TicketEventKind.NOTICE and event.is_public:
        if event.data.get("delivered"):
            return None  # the same notice, recorded again when it left: shown once
        who = _staff(event.actor) if event.actor_id else gettext("Service center")
        return TimelineEntry(event.created_at, who, gettext("Notice"), event.body)
    if event.kind == TicketEventKind.STATUS_CHANGE:
        before = CUSTOMER_STATUS.get(event.data.get("from", ""))
        after = CUSTOMER_STATUS.get(event.data.get("to", ""))
        if after is None or str(before) == str(after):
            return None  # a move between internal states the customer sees as one
        what = gettext("Status: %(status)s") % {"status": after}
        return TimelineEntry(event.created_at, gettext("Service center"), what, "")
    return None


def portal_timeline(ticket: Ticket) -> list[TimelineEntry]:
    """The public timeline: what the customer said, what was said to them, the status."""
    events = (
        TicketEvent.objects.filter(ticket=ticket, kind__in=_SHOWN_KINDS)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [entry for event in events if (entry := _entry(event, ticket)) is not None]


def portal_steps(ticket: Ticket) -> list[Step]:
    """The progress bar; empty for a cancelled ticket (it has no progress to show)."""
    current = STEP_OF_STATUS.get(ticket.status)
    if current is None:
        return []
    return [
        Step(
            str(label),
            done=index < current or (index == current == len(STEPS) - 1),
            current=index == current,
        )
        for index, (_key, label) in enumerate(STEPS)
    ]


def portal_contact_masked(ticket: Ticket) -> str:
    """The customer's phone (else e-mail), masked: enough to recognise, nothing to copy."""
    if ticket.customer is None:
        return ""
    identities = sorted(
        (
            item
            for item in ticket.customer.identities.all()
            if item.kind in (IdentityKind.PHONE, IdentityKind.EMAIL)
        ),
        key=lambda item: (item.kind != IdentityKind.PHONE, not item.is_primary, item.pk),
    )
    if not identities:
        return ""
    first = identities[0]
    return mask_identity(first.kind, first.value)


def portal_ticket_view(ticket: Ticket) -> PortalTicketView:
    root = ticket.category.root if ticket.category_id else ""
    return PortalTicketView(
        ticket=ticket,
        status=str(CUSTOMER_STATUS.get(ticket.status, ticket.status)),
        type_label=str(TYPE_LABELS.get(root, "")),
        steps=portal_steps(ticket),
        timeline=portal_timeline(ticket),
        contact=portal_contact_masked(ticket),
        # The customer's own words only: a ticket typed in by staff may hold their notes.
        description=ticket.description if ticket.channel == ContactChannel.PORTAL else "",
        accepts_reply=ticket_accepts_customer_message(ticket),
    )


def portal_faq_answers(q: str, *, limit: int = 5) -> dict[str, Any]:
    """The portal's FAQ search (TEC-6): the published FAQ entries usable on the portal that
    match ``q``, each with its answer rendered and sanitized. An empty or over-long query gives
    ``faq_error`` instead of answers."""
    try:
        text = search_query_clean(q)
    except InvalidInput as error:
        return {"faq_query": q[:200], "faq_error": str(error), "faq_answers": []}
    hits = search(text, kind="faq", channel="portal", customer=True, limit=limit)
    faqs = Faq.objects.in_bulk([hit.id for hit in hits])
    answers = [
        {"question": faqs[hit.id].question, "answer_html": render_markdown(faqs[hit.id].answer)}
        for hit in hits
        if hit.id in faqs and faqs[hit.id].is_active
    ]
    return {"faq_query": text, "faq_answers": answers, "faq_error": ""}


def portal_bot_context(visitor_key: str) -> dict[str, Any]:
    """The FAQ bot box of the portal's front page (TEC-2): whether the bot has entries for the
    portal, and this browser's conversation while it still takes questions."""
    from kefu.assist.bot_selectors import bot_available, bot_conversation
    from kefu.assist.bot_services import IDLE_MINUTES, TAKES_QUESTIONS
    from kefu.assist.models import BotChannel, BotSession

    session = (
        BotSession.objects.filter(channel=BotChannel.PORTAL, visitor_key=visitor_key)
        .order_by("-started_at", "-id")
        .first()
        if visitor_key
        else None
    )
    # Shown while it still takes questions and the customer is there: after the idle time the
    # next question starts a new conversation (bot_session_for_question), so the old one is gone.
    current = (
        session is not None
        and session.outcome in TAKES_QUESTIONS
        and session.updated_at >= now() - dt.timedelta(minutes=IDLE_MINUTES)
    )
    turns = bot_conversation(session) if session is not None and current else []
    return {
        "bot_available": bot_available(BotChannel.PORTAL),
        "bot_turns": turns,
        "bot_strings": {
            "choose": gettext("Did you mean:"),
            "out": gettext("Sorry, I have no answer to that. A person can help you."),
            "helpful": gettext("This helped"),
            "unhelpful": gettext("This didn’t help"),
            "thanks": gettext("Thank you for your feedback."),
            "person": gettext("Talk to a person"),
            "error": gettext("The request failed; try again."),
            "limited": gettext("Too many questions; please try again later."),
            "empty": gettext("Please write your question (at most 500 characters)."),
            "ended": gettext("This conversation has ended. Ask a new question."),
        },
    }
