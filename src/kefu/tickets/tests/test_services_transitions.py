"""Every allowed and every refused ticket transition, and the guards on some of them."""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest
from django.test import override_settings

from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_transition, ticket_update
from kefu.tickets.states import ALLOWED_TRANSITIONS, TERMINAL, TicketStatus

ALL = list(TicketStatus.values)
PAIRS = list(product(ALL, ALL))
ALLOWED = [(a, b) for a, b in PAIRS if b in ALLOWED_TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def _put_in(ticket: Ticket, status: str, department) -> Ticket:
    """Force a starting state directly (test set-up only), with what the guards require."""
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        solution="已上门更换压缩机",
        department=department,
        closed_at=dt.datetime.now(dt.UTC) if status == TicketStatus.CLOSED else None,
    )
    ticket.refresh_from_db()
    return ticket


def test_map_covers_every_status_and_cancelled_is_final():
    assert set(ALLOWED_TRANSITIONS) == set(ALL)
    assert {TicketStatus.CANCELLED} == TERMINAL
    assert len(ALLOWED) + len(REFUSED) == len(ALL) ** 2


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transition_changes_status_with_event_and_audit(
    source, target, ticket, team_lead, department
):
    ticket = _put_in(ticket, source, department)
    version = ticket.version
    result = ticket_transition(actor=team_lead, ticket=ticket, to=target, version=version)
    assert result.status == target
    assert result.version == version + 1
    event = TicketEvent.objects.filter(ticket=ticket, kind="status_change").latest("id")
    assert event.data == {"from": source, "to": target}
    audit = AuditEvent.objects.filter(verb="ticket.transition", object_id=str(ticket.pk)).latest(
        "id"
    )
    assert audit.before["status"] == source
    assert audit.after["status"] == target


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transition_is_a_conflict_and_writes_nothing(
    source, target, ticket, team_lead, department
):
    ticket = _put_in(ticket, source, department)
    audits = AuditEvent.objects.count()
    with pytest.raises(TransitionNotAllowed) as caught:
        ticket_transition(actor=team_lead, ticket=ticket, to=target)
    assert caught.value.status_code == 409
    assert "cannot move" in caught.value.message
    ticket.refresh_from_db()
    assert ticket.status == source
    assert AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_unknown_target_status_is_refused(ticket, agent):
    with pytest.raises(TransitionNotAllowed, match="unknown ticket status"):
        ticket_transition(actor=agent, ticket=ticket, to="archived")


@pytest.mark.django_db
def test_resolving_needs_a_solution(ticket, agent):
    with pytest.raises(Conflict, match="CLS-3"):
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.RESOLVED)
    ticket = ticket_update(
        actor=agent,
        ticket=ticket,
        version=ticket.version,
        changes={"solution": "远程指导重启后恢复"},
    )
    assert (
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.RESOLVED).resolved_at
        is not None
    )


@pytest.mark.django_db
def test_waiting_on_a_department_needs_one(ticket, agent, department):
    with pytest.raises(Conflict, match="department"):
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.PENDING_DEPARTMENT)
    ticket = ticket_update(
        actor=agent, ticket=ticket, version=ticket.version, changes={"department": department}
    )
    assert (
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.PENDING_DEPARTMENT).status
        == "pending_department"
    )


@pytest.mark.django_db
def test_agents_cannot_cancel_but_team_leads_can(ticket, agent, team_lead):
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.CANCELLED)
    assert ticket_transition(actor=team_lead, ticket=ticket, to=TicketStatus.CANCELLED).cancelled_at


@pytest.mark.django_db
@override_settings(KEFU_TICKET_REOPEN_WINDOW_DAYS=7)
def test_closed_ticket_reopens_only_inside_the_window(ticket, agent, department):
    ticket = _put_in(ticket, TicketStatus.CLOSED, department)
    Ticket.objects.filter(pk=ticket.pk).update(
        closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    )
    with pytest.raises(Conflict, match="cannot be reopened"):
        ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.OPEN)
    Ticket.objects.filter(pk=ticket.pk).update(
        closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=6)
    )
    reopened = ticket_transition(actor=agent, ticket=ticket, to=TicketStatus.OPEN)
    assert reopened.reopen_count == 1
    assert reopened.closed_at is None and reopened.resolved_at is None
