"""A customer's message on a ticket: timeline, reopening, refusals (TEC-7)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict
from kefu.notify.models import Notification
from kefu.tickets.models import Ticket, TicketEventKind
from kefu.tickets.services import ticket_accepts_customer_message, ticket_customer_message
from kefu.tickets.states import TicketStatus

pytestmark = pytest.mark.django_db


def _force(ticket: Ticket, status: str, closed_days_ago: int | None = None) -> Ticket:
    closed_at = None
    if closed_days_ago is not None:
        closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=closed_days_ago)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status, solution="已处理", closed_at=closed_at
    )
    ticket.refresh_from_db()
    return ticket


def test_message_lands_on_timeline_audited_and_assignee_told(ticket, agent):
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    ticket.refresh_from_db()
    event = ticket_customer_message(ticket=ticket, body=" 请问进度如何？ ", channel="email")
    assert event.kind == TicketEventKind.CUSTOMER_MESSAGE
    assert event.actor is None and event.is_public and event.body == "请问进度如何？"
    assert event.data == {"channel": "email"}
    assert AuditEvent.objects.filter(verb="ticket.customer_message").count() == 1
    assert Notification.objects.filter(recipient=agent, ticket=ticket).exists()


@pytest.mark.parametrize(
    "status", [TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED]
)
def test_waiting_resolved_and_recently_closed_tickets_go_back_to_work(ticket, status):
    _force(ticket, status, closed_days_ago=1 if status == TicketStatus.CLOSED else None)
    ticket_customer_message(ticket=ticket, body="还是不行", channel="sms")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_cancelled_and_long_closed_tickets_refuse_and_write_nothing(ticket):
    for status, days in ((TicketStatus.CANCELLED, None), (TicketStatus.CLOSED, 30)):
        _force(ticket, status, closed_days_ago=days)
        assert not ticket_accepts_customer_message(ticket)
        before = ticket.events.count()
        with pytest.raises(Conflict):
            ticket_customer_message(ticket=ticket, body="你好", channel="email")
        assert ticket.events.count() == before
