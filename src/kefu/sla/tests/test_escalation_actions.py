"""Escalation actions beyond notifying: department, reassignment to the lead, priority."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.notify.models import Notification
from kefu.sla.models import Clock
from kefu.sla.services import sla_sweep
from kefu.standard.selectors import profile_current_version, profile_get
from kefu.standard.services import profile_version_create
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket


@pytest.mark.django_db
def test_department_reassign_and_priority_actions(
    agent, customer, team, team_lead, department, department_member, manager
):
    team.lead = team_lead
    team.save()
    document = profile_current_version().document
    for milestone in document["milestones"]:
        if milestone["key"] == "first_response_urgent":
            milestone["escalation"] = [
                {"after": "0m", "action": "notify_department"},
                {"after": "10m", "action": "reassign_to_team_lead"},
                {"after": "20m", "action": "raise_priority"},
            ]
    profile_version_create(actor=manager, profile=profile_get(), document=document)
    ticket = make_ticket(
        actor=agent,
        customer=customer,
        urgency="urgent",
        priority="C",
        assignee=agent,
        department=department,
    )
    clock = Clock.objects.get(ticket=ticket, milestone="first_response_urgent")
    sla_sweep(moment=clock.due_at + dt.timedelta(minutes=1))
    assert (
        Notification.objects.filter(
            recipient=department_member, kind="sla_notify_department"
        ).count()
        == 1
    )
    sla_sweep(moment=clock.due_at + dt.timedelta(minutes=11))
    assert Ticket.objects.get(pk=ticket.pk).assignee == team_lead
    sla_sweep(moment=clock.due_at + dt.timedelta(minutes=21))
    assert Ticket.objects.get(pk=ticket.pk).priority == "B"
    assert Clock.objects.get(pk=clock.pk).next_action_at is None
