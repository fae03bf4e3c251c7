"""Milestone clocks driven by ticket events; the sweeper's warnings, breaches and escalations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.audit.models import AuditEvent
from kefu.notify.models import Notification, OutboundMessage
from kefu.sla.models import Clock, ClockEvent
from kefu.sla.services import sla_sweep
from kefu.standard.selectors import profile_current_version, profile_get
from kefu.standard.services import profile_version_create
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_comment, ticket_transition, ticket_update

MINUTE = dt.timedelta(minutes=1)


def clocks(ticket) -> dict[str, Clock]:
    return {
        clock.milestone: clock
        for clock in Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).exclude(
            state="cancelled"
        )
    }


@pytest.fixture
def urgent(agent, customer, team, team_lead):
    team.lead = team_lead
    team.save()
    return make_ticket(
        actor=agent,
        customer=customer,
        urgency="urgent",
        handling_class="instant",
        channel="phone",
        assignee=agent,
    )


@pytest.fixture
def transfer(agent, customer):
    return make_ticket(
        actor=agent, customer=customer, urgency="normal", handling_class="transfer", channel="chat"
    )


@pytest.mark.django_db
def test_creation_starts_the_applicable_clocks(urgent, transfer):
    assert set(clocks(urgent)) == {"first_response_urgent", "instant_solution", "record_complete"}
    urgent_clock = clocks(urgent)["first_response_urgent"]
    assert urgent_clock.rule == "HND-3" and urgent_clock.target == "1h"
    assert urgent_clock.due_at == urgent.created_at + dt.timedelta(hours=1)
    assert urgent_clock.warn_at == urgent.created_at + dt.timedelta(minutes=48)
    assert urgent_clock.next_action_at == urgent_clock.warn_at
    assert set(clocks(transfer)) == {
        "first_response_normal",
        "first_response_online",
        "transfer_routing",
        "need_confirmation",
        "progress_update",
        "record_complete",
    }
    routing = clocks(transfer)["transfer_routing"]
    assert routing.calendar == "office" and routing.target == "1wd"


@pytest.mark.django_db
def test_first_public_reply_meets_response_clocks_not_on_internal_notes(transfer, agent):
    ticket_comment(actor=agent, ticket=transfer, body="内部备注", public=False)
    assert "first_response_online" in clocks(transfer)
    ticket_comment(actor=agent, ticket=transfer, body="您好，已收到您的问题。", public=True)
    met = Clock.objects.get(ticket=transfer, milestone="first_response_online")
    assert met.state == "met" and met.met_at is not None and met.next_action_at is None
    assert Clock.objects.get(ticket=transfer, milestone="first_response_normal").state == "met"


@pytest.mark.django_db
def test_recurring_progress_clock_restarts_on_each_update(transfer, agent):
    ticket_comment(actor=agent, ticket=transfer, body="进度：已联系物流部。", public=True)
    ticket_comment(
        actor=agent, ticket=transfer, body="进度：配件已到货。", public=True, notice="progress"
    )
    cycles = list(
        Clock.objects.filter(ticket=transfer, milestone="progress_update").order_by("cycle")
    )
    assert [clock.cycle for clock in cycles] == [1, 2, 3]
    assert [clock.state for clock in cycles] == ["met", "met", "running"]
    assert cycles[2].due_at == cycles[2].started_at + dt.timedelta(days=3)


@pytest.mark.django_db
def test_pause_and_resume_move_the_deadline(transfer):
    from kefu.sla.services import TicketChange, sla_ticket_event

    progress = clocks(transfer)["progress_update"]
    start = progress.started_at
    sla_ticket_event(
        ticket=transfer,
        change=TicketChange(
            "status",
            start + dt.timedelta(hours=1),
            status_from="open",
            status_to="pending_customer",
        ),
    )
    paused = Clock.objects.get(pk=progress.pk)
    assert paused.state == "paused" and paused.next_action_at is None
    assert paused.remaining_seconds == pytest.approx(3 * 86400 - 3600)
    sla_ticket_event(
        ticket=transfer,
        change=TicketChange(
            "status",
            start + dt.timedelta(hours=6),
            status_from="pending_customer",
            status_to="open",
        ),
    )
    resumed = Clock.objects.get(pk=progress.pk)
    assert resumed.state == "running"
    assert resumed.paused_seconds == pytest.approx(5 * 3600)
    assert resumed.due_at == progress.due_at + dt.timedelta(hours=5)
    assert resumed.next_action_at == resumed.warn_at


@pytest.mark.django_db
def test_business_time_clock_pauses_in_business_time(transfer):

    routing = clocks(transfer)["transfer_routing"]
    Clock.objects.filter(pk=routing.pk).update(
        started_at=dt.datetime.fromisoformat("2026-09-30T10:00:00+08:00")
    )
    routing.refresh_from_db()
    from kefu.sla.services import _schedule

    _schedule(routing, routing.started_at, 8 * 3600)
    routing.save()
    assert routing.due_at == dt.datetime.fromisoformat("2026-10-08T10:00:00+08:00")  # National Day


@pytest.mark.django_db
def test_routing_stops_the_transfer_clock_and_resolution_starts_the_result_notice(
    transfer, agent, department
):
    ticket = ticket_update(
        actor=agent,
        ticket=transfer,
        version=transfer.version,
        changes={"department": department, "need_points": "1. 查询物流", "solution": "已补发"},
    )
    assert Clock.objects.get(ticket=ticket, milestone="transfer_routing").state == "met"
    assert Clock.objects.get(ticket=ticket, milestone="record_complete").state == "met"
    ticket = ticket_transition(actor=agent, ticket=ticket, to="resolved", version=ticket.version)
    assert Clock.objects.filter(
        ticket=ticket, milestone="progress_update", state="cancelled"
    ).exists()
    result = clocks(ticket)["result_notice"]
    assert result.rule == "HND-7" and result.due_at == ticket.resolved_at + dt.timedelta(hours=24)
    ticket_comment(
        actor=agent,
        ticket=ticket,
        body="处理结果：已补发配件并致歉。",
        public=True,
        notice="result",
    )
    assert Clock.objects.get(pk=result.pk).state == "met"


@pytest.mark.django_db
def test_cancelling_a_ticket_cancels_its_clocks(transfer, team_lead):
    ticket_transition(actor=team_lead, ticket=transfer, to="cancelled", version=transfer.version)
    assert not clocks(transfer)
    assert Clock.objects.filter(ticket=transfer, state="cancelled").count() == 6


@pytest.mark.django_db
def test_sweeper_warns_breaches_and_escalates_in_order_once(urgent, agent, team_lead, manager):
    clock = clocks(urgent)["first_response_urgent"]
    first = sla_sweep(moment=clock.warn_at + MINUTE)
    assert first["warnings"] >= 1
    assert Clock.objects.get(pk=clock.pk).state == "warning"
    assert Notification.objects.filter(recipient=agent, kind="sla_warning").count() == 1
    sla_sweep(moment=clock.due_at + MINUTE)
    breached = Clock.objects.get(pk=clock.pk)
    assert breached.state == "breached" and breached.breached_at == clock.due_at
    assert AuditEvent.objects.filter(verb="sla.breach", object_id=str(urgent.pk)).count() >= 1
    # Escalation: assignee at once, team lead after 30 min, manager after 2 h.
    assert (
        Notification.objects.filter(
            recipient=agent, kind="sla_notify_assignee", title__contains="首次响应"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(
        kind="sla_notify_team_lead", title__contains="首次响应"
    ).exists()
    sla_sweep(moment=clock.due_at + 31 * MINUTE)
    assert (
        Notification.objects.filter(
            recipient=team_lead, kind="sla_notify_team_lead", title__contains="首次响应"
        ).count()
        == 1
    )
    sla_sweep(moment=clock.due_at + 3 * 60 * MINUTE)
    assert Notification.objects.filter(recipient=manager, kind="sla_notify_manager").count() == 1
    steps = list(
        ClockEvent.objects.filter(clock=clock, kind="escalation")
        .order_by("step")
        .values_list("action", flat=True)
    )
    assert steps == ["notify_assignee", "notify_team_lead", "notify_manager"]
    assert Clock.objects.get(pk=clock.pk).next_action_at is None
    # Sweeping again changes nothing.
    again = sla_sweep(moment=clock.due_at + 10 * 60 * MINUTE)
    assert ClockEvent.objects.filter(clock=clock).count() == 5
    assert (
        again["breaches"] == 0 or ClockEvent.objects.filter(clock=clock, kind="breach").count() == 1
    )


@pytest.mark.django_db
def test_a_batch_that_dies_is_redone_once(urgent, agent, monkeypatch):
    from kefu.sla import services

    clock = clocks(urgent)["instant_solution"]
    moment = urgent.created_at + 61 * MINUTE  # instant_solution and first_response_urgent are due
    calls = {"n": 0}
    original = services._advance

    def dying(clock_row, current):
        calls["n"] += 1
        result = original(clock_row, current)
        if calls["n"] == 2:
            raise RuntimeError("worker killed mid-batch")
        return result

    monkeypatch.setattr(services, "_advance", dying)
    with pytest.raises(RuntimeError):
        sla_sweep(moment=moment)
    assert not ClockEvent.objects.exists()  # the whole batch rolled back
    assert not Notification.objects.exists()
    monkeypatch.undo()
    sla_sweep(moment=moment)
    assert ClockEvent.objects.filter(clock=clock, kind="breach").count() == 1
    assert Notification.objects.filter(kind="sla_notify_team_lead").count() == (
        1 if urgent.team.lead else 0
    )


@pytest.mark.django_db
def test_stopping_after_the_deadline_is_a_breach_even_before_a_sweep(urgent, agent):
    clock = clocks(urgent)["first_response_urgent"]
    Clock.objects.filter(pk=clock.pk).update(due_at=clock.started_at - MINUTE)
    ticket_comment(actor=agent, ticket=urgent, body="您好", public=True)
    late = Clock.objects.get(pk=clock.pk)
    assert late.state == "breached" and late.stopped_at and late.met_at is None


@pytest.mark.django_db
def test_clocks_keep_the_version_they_started_under(agent, customer, manager):
    before = make_ticket(actor=agent, customer=customer, urgency="urgent")
    document = profile_current_version().document
    document["parameters"]["first_response_urgent"] = "30m"
    profile_version_create(actor=manager, profile=profile_get(), document=document)
    after = make_ticket(actor=agent, customer=customer, urgency="urgent")
    assert clocks(before)["first_response_urgent"].target == "1h"
    assert clocks(before)["first_response_urgent"].profile_version.number == 1
    assert clocks(after)["first_response_urgent"].target == "30m"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_escalation_e_mail_goes_through_the_outbox_after_commit(agent, customer):
    agent.email = "agent@example.com"
    agent.save()
    ticket = make_ticket(
        actor=agent, customer=customer, urgency="urgent", handling_class="instant", assignee=agent
    )
    clock = Clock.objects.get(ticket=ticket, milestone="first_response_urgent")
    sla_sweep(moment=clock.due_at + MINUTE)
    sent = [message for message in mail.outbox if "agent@example.com" in message.to]
    assert sent and "已超时" in sent[0].subject
    # The address is encrypted at rest, so it is compared after reading, not in SQL.
    assert "agent@example.com" in {
        m.to_address for m in OutboundMessage.objects.filter(status="sent")
    }


@pytest.mark.django_db
def test_clocks_api(urgent, agent):
    _, key = api_token_create(actor=None, user=agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    items = client.get(f"/api/v1/tickets/{urgent.number}/clocks").json()["items"]
    response = next(item for item in items if item["milestone"] == "first_response_urgent")
    assert response["standard"] == "HND-3" and response["state"] == "running"
    assert set(response) >= {
        "milestone",
        "standard",
        "started_at",
        "due_at",
        "paused_seconds",
        "state",
        "met_at",
        "breached_at",
    }
    Clock.objects.filter(ticket=urgent, milestone="first_response_urgent").update(
        due_at=urgent.created_at
    )
    items = client.get(f"/api/v1/tickets/{urgent.number}/clocks").json()["items"]
    assert (
        next(item for item in items if item["milestone"] == "first_response_urgent")["state"]
        == "breached"
    )
    assert client.get("/api/v1/tickets/20990101-000009/clocks").status_code == 404
    assert Ticket.objects.count() == 1
