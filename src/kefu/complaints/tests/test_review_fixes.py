"""Regressions found in review: long texts, revised plans, unregistered complaint tickets,
leaving the complaint tree, departments after the final solution, masked outbox in the admin."""

from __future__ import annotations

import pytest
from django.db import transaction

from kefu.complaints.models import Complaint
from kefu.complaints.services import (
    complaint_department_add,
    complaint_department_reply,
    complaint_register,
    complaint_transition,
)
from kefu.core.errors import Conflict
from kefu.notify.models import CustomerNotice, OutboundMessage
from kefu.sla.models import Clock
from kefu.tests_support.factories import make_ticket
from kefu.tickets.services import ticket_transition, ticket_update


def register(agent, customer, **extra):
    values = {
        "type": "business_error",
        "severity": "general",
        "demands": "退还重复扣费",
        "channel": "phone",
        "customer": customer,
    }
    values.update(extra)
    with transaction.atomic():
        return complaint_register(actor=agent, **values)


@pytest.mark.django_db
def test_long_demands_are_shortened_in_the_sms_not_refused(agent, complaint_specialist, customer):
    complaint = register(agent, customer, demands="很" * 1200)
    message = OutboundMessage.objects.get(notice__ticket=complaint.ticket, channel="sms")
    assert len(message.body) <= 500 and "…" in message.body
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "退" * 3000},
    )
    assert complaint.stage == "solved"
    assert CustomerNotice.objects.filter(ticket=complaint.ticket, kind="result").exists()


@pytest.mark.django_db
def test_a_revised_plan_is_told_again(agent, complaint_specialist, customer):
    complaint = register(agent, customer)
    record = {"findings": "系统重复扣费", "evidence": [{"kind": "log", "ref": "billing-0012"}]}
    for plan in ("方案一：原路退款", "方案二：退款并补偿积分"):
        complaint = complaint_transition(
            actor=complaint_specialist,
            complaint=complaint,
            to="investigating",
            record={"reason": "客户不接受"} if complaint.stage != "registered" else {},
        )
        complaint = complaint_transition(
            actor=complaint_specialist,
            complaint=complaint,
            to="plan_proposed",
            record={**record, "plan": plan},
        )
    bodies = [n.message.body for n in CustomerNotice.objects.filter(kind="plan").order_by("id")]
    assert len(bodies) == 2 and "方案二" in bodies[1]


@pytest.mark.django_db
def test_an_unregistered_complaint_ticket_is_registered_before_it_is_solved(agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, category="complaint.delivery")
    assert Clock.objects.filter(ticket=ticket, milestone="complaint_register").exists()
    ticket = ticket_update(actor=agent, ticket=ticket, version=None, changes={"solution": "已补发"})
    with pytest.raises(Conflict, match="CMP-1"):
        ticket_transition(actor=agent, ticket=ticket, to="resolved")
    # Not a complaint after all: moved out of the tree, its complaint clocks end.
    ticket = ticket_update(
        actor=agent, ticket=ticket, version=None, changes={"category": "after_sales.return"}
    )
    running = Clock.objects.filter(ticket=ticket, milestone__startswith="complaint_").exclude(
        state__in=["cancelled", "met", "breached"]
    )
    assert not running.exists()
    assert ticket_transition(actor=agent, ticket=ticket, to="resolved").status == "resolved"


@pytest.mark.django_db
def test_a_plain_ticket_moved_into_the_complaint_tree_starts_the_complaint_clocks(agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, category="consult.order")
    assert not Clock.objects.filter(ticket=ticket, milestone="complaint_register").exists()
    ticket_update(
        actor=agent, ticket=ticket, version=None, changes={"category": "complaint.quality"}
    )
    assert Clock.objects.get(ticket=ticket, milestone="complaint_register").state == "running"


@pytest.mark.django_db
def test_a_registered_complaint_stays_in_the_complaint_tree(agent, complaint_specialist, customer):
    complaint = register(agent, customer)
    with pytest.raises(Conflict):
        ticket_update(
            actor=complaint_specialist,
            ticket=complaint.ticket,
            version=None,
            changes={"category": "after_sales.repair"},
        )
    ticket_update(
        actor=complaint_specialist,
        ticket=complaint.ticket,
        version=None,
        changes={"category": "complaint.system_failure"},
    )
    assert Complaint.objects.get(pk=complaint.pk).type.code == "complaint.system_failure"


@pytest.mark.django_db
def test_departments_are_asked_before_the_solution_and_again_after_a_reopen(
    agent, complaint_specialist, customer, department, department_member
):
    complaint = register(agent, customer, departments=[department.pk])
    row = complaint.departments.get()
    complaint_department_reply(actor=department_member, request=row, reply="已核实")
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "退款"},
    )
    with pytest.raises(Conflict):
        complaint_department_add(
            actor=complaint_specialist, complaint=complaint, department=department
        )
    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="closed", record={"note": "无需整改"}
    )
    row.refresh_from_db()
    with pytest.raises(Conflict):
        complaint_department_reply(actor=department_member, request=row, reply="补充")
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="investigating",
        record={"reason": "未到账"},
    )
    complaint_department_add(
        actor=complaint_specialist, complaint=complaint, department=department, request="再核实"
    )
    clocks = Clock.objects.filter(
        ticket=complaint.ticket, milestone="complaint_department_reply"
    ).order_by("cycle")
    assert [clock.state for clock in clocks] == ["met", "running"]
    assert clocks[1].department_id == department.pk


@pytest.mark.django_db
def test_the_admin_outbox_masks_customer_addresses(client, agent, customer):
    from kefu.tests_support.factories import UserFactory

    register(agent, customer)
    administrator = UserFactory(username="root", roles=["admin"], is_staff=True)
    client.force_login(administrator)
    listing = client.get("/admin/notify/outboundmessage/").content.decode()
    assert "13800138000" not in listing and "138****8000" in listing
    message = OutboundMessage.objects.get()
    detail = client.get(f"/admin/notify/outboundmessage/{message.pk}/change/").content.decode()
    assert "13800138000" not in detail
