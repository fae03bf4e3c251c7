"""The complaint screens: queue, registration, the stage workflow, departments, dashboard."""

from __future__ import annotations

import pytest
from django.db import transaction

from kefu.complaints.models import Complaint
from kefu.complaints.services import complaint_register
from kefu.tests_support.factories import make_ticket
from kefu.tests_support.html import unlabelled_controls


@pytest.fixture
def major(agent, complaint_specialist, customer, department):
    with transaction.atomic():
        return complaint_register(
            actor=agent,
            type="attitude",
            severity="major",
            demands="要求道歉并赔偿",
            channel="phone",
            customer=customer,
            departments=[department.pk],
        )


@pytest.mark.django_db
def test_queue_lists_the_complaint_with_its_next_deadline(client, complaint_specialist, major):
    client.force_login(complaint_specialist)
    page = client.get("/complaints/").content.decode()
    assert major.ticket.number in page and "要求道歉并赔偿" in page
    assert "CMP-1" in page and "CMP-2" in page  # the clocks' rule IDs
    assert "clock-met" in page  # registration met at once
    mine = client.get("/complaints/?stage=&mine=on").content.decode()
    assert major.ticket.number in mine  # the least-loaded specialist got it
    closed = client.get("/complaints/?stage=closed").content.decode()
    assert major.ticket.number not in closed


@pytest.mark.django_db
def test_roles_without_complaint_rights_are_refused(client, qa, other_agent, major):
    client.force_login(other_agent)
    assert client.get(f"/complaints/{major.pk}/").status_code == 404  # not visible
    assert client.get("/complaints/dashboard/").status_code == 403
    client.force_login(qa)
    assert client.get(f"/complaints/{major.pk}/").status_code == 200
    response = client.post(f"/complaints/{major.pk}/transition/", {"to": "investigating"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_register_form_finds_or_creates_the_customer(client, agent, complaint_specialist):
    client.force_login(agent)
    form = {
        "phone": "13900001111",
        "customer_name": "王五",
        "type": "",
        "severity": "general",
        "channel": "phone",
        "demands": "退还多扣的运费",
        "notify_customer": "on",
    }
    from kefu.tickets.models import Category

    form["type"] = str(Category.objects.get(code="complaint.delivery").pk)
    response = client.post("/complaints/new/", form)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.ticket.customer.name == "王五"
    assert complaint.ticket.assignee == complaint_specialist
    refused = client.post("/complaints/new/", {**form, "phone": "", "demands": ""})
    assert refused.status_code == 422 and Complaint.objects.count() == 1


@pytest.mark.django_db
def test_raise_as_complaint_from_the_ticket_page(client, agent, customer, complaint_specialist):
    ticket = make_ticket(actor=agent, customer=customer, subject="快递三天未送达")
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"/complaints/new/?ticket={ticket.number}" in page
    from kefu.tickets.models import Category

    response = client.post(
        f"/complaints/new/?ticket={ticket.number}",
        {
            "ticket": ticket.number,
            "type": str(Category.objects.get(code="complaint.delivery").pk),
            "severity": "general",
            "demands": "尽快送达并补偿",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(ticket=ticket)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"/complaints/{complaint.pk}/" in page
    # The ticket page offers no resolve/close for a complaint ticket: that is the stages' job.
    assert 'value="resolved"' not in page


@pytest.mark.django_db
def test_stage_workflow_refuses_a_move_without_its_record_and_keeps_the_text(
    client, complaint_specialist, major
):
    client.force_login(complaint_specialist)
    assert (
        client.post(
            f"/complaints/{major.pk}/transition/", {"to": "investigating", "version": major.version}
        ).status_code
        == 302
    )
    response = client.post(
        f"/complaints/{major.pk}/transition/",
        {"to": "plan_proposed", "version": major.version + 1, "findings": "录音显示坐席语气生硬"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "录音显示坐席语气生硬" in page  # the typed findings are kept
    major.refresh_from_db()
    assert major.stage == "investigating"
    response = client.post(
        f"/complaints/{major.pk}/transition/",
        {
            "to": "plan_proposed",
            "version": major.version,
            "findings": "录音显示坐席语气生硬",
            "evidence": "recording: CALL-0012 — 第3分钟\nbogus line",
            "plan": "道歉并补偿",
        },
    )
    assert response.status_code == 422  # the evidence line without a kind is named
    response = client.post(
        f"/complaints/{major.pk}/transition/",
        {
            "to": "plan_proposed",
            "version": major.version,
            "findings": "录音显示坐席语气生硬",
            "evidence": "recording: CALL-0012 — 第3分钟",
            "plan": "道歉并补偿",
            "notify_customer": "on",
        },
    )
    assert response.status_code == 302
    major.refresh_from_db()
    assert major.stage == "plan_proposed"
    assert major.evidence == [{"kind": "recording", "ref": "CALL-0012", "note": "第3分钟"}]
    stale = client.post(
        f"/complaints/{major.pk}/transition/",
        {"to": "solved", "version": 1, "final_solution": "补偿"},
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_department_view_and_reply(client, department_member, major):
    client.force_login(department_member)
    page = client.get("/complaints/departments/").content.decode()
    assert major.ticket.number in page
    request = major.departments.get()
    response = client.post(
        f"/complaints/requests/{request.pk}/reply/",
        {"reply": "已核实物流记录", "back": "departments"},
    )
    assert response.status_code == 302 and response["Location"] == "/complaints/departments/"
    request.refresh_from_db()
    assert request.reply == "已核实物流记录" and request.replied_by == department_member
    assert major.ticket.number not in client.get("/complaints/departments/").content.decode()
    # The complaint itself is readable by the department's member.
    assert client.get(f"/complaints/{major.pk}/").status_code == 200


@pytest.mark.django_db
def test_outsiders_cannot_reply_for_a_department(client, other_agent, major):
    client.force_login(other_agent)
    request = major.departments.get()
    response = client.post(f"/complaints/requests/{request.pk}/reply/", {"reply": "x"})
    assert response.status_code in (302, 404)
    request.refresh_from_db()
    assert request.replied_at is None


@pytest.mark.django_db
def test_dashboard_counts_and_rates(client, manager, major):
    client.force_login(manager)
    page = client.get("/complaints/dashboard/").content.decode()
    assert 'id="complaint-total">1<' in page
    assert "≥ 95" in page and "≤ 2" in page
    assert "complaint-chart-data" in page
    # A period the wrong way round is explained, not a 500.
    response = client.get("/complaints/dashboard/?start=2026-12-31&end=2026-01-01")
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert client.get("/complaints/dashboard/?start=0001-01-01").status_code == 200


@pytest.mark.django_db
def test_every_complaint_page_labels_its_form_controls(client, manager, major):

    client.force_login(manager)
    for url in (
        "/complaints/",
        f"/complaints/{major.pk}/",
        "/complaints/new/",
        f"/complaints/new/?ticket={major.ticket.number}",
        "/complaints/departments/?all=1",
        "/complaints/dashboard/",
    ):
        page = client.get(url).content.decode()
        assert not unlabelled_controls(page), (url, unlabelled_controls(page))


@pytest.mark.django_db
def test_a_stage_named_with_format_characters_is_refused_not_500(
    client, complaint_specialist, major
):
    client.force_login(complaint_specialist)
    for target in ("%", "%d", "%(x)s", "solved%s"):
        response = client.post(
            f"/complaints/{major.pk}/transition/", {"to": target, "version": major.version}
        )
        assert response.status_code == 422, target
