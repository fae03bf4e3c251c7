"""The SLA screens: clocks on the ticket page, the at-risk queue, compliance per milestone."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.sla.models import Clock
from kefu.sla.selectors import milestone_compliance
from kefu.tests_support.factories import make_ticket
from kefu.tickets.services import ticket_comment


@pytest.fixture
def tickets(agent, customer):
    late = make_ticket(
        actor=agent, customer=customer, urgency="urgent", assignee=agent, subject="超时工单"
    )
    Clock.objects.filter(ticket=late, milestone="first_response_urgent").update(
        due_at=late.created_at - dt.timedelta(minutes=5)
    )
    answered = make_ticket(
        actor=agent, customer=customer, urgency="urgent", assignee=agent, subject="已响应工单"
    )
    ticket_comment(actor=agent, ticket=answered, body="您好，马上为您处理。", public=True)
    return late, answered


@pytest.mark.django_db
def test_ticket_page_shows_clocks_with_state(client, agent, tickets):
    late, answered = tickets
    client.force_login(agent)
    page = client.get(f"/tickets/{late.number}/").content.decode()
    assert "首次响应（紧急）" in page and "clock-breached" in page and "HND-3" in page
    page = client.get(f"/tickets/{answered.number}/").content.decode()
    assert "clock-met" in page
    assert client.get("/tickets/20990101-000001/").status_code == 404


@pytest.mark.django_db
def test_other_teams_cannot_open_the_ticket_page(client, other_agent, tickets):
    client.force_login(other_agent)
    assert client.get(f"/tickets/{tickets[0].number}/").status_code == 404


@pytest.mark.django_db
def test_at_risk_queue_lists_overdue_first(client, team_lead, tickets):
    late, answered = tickets
    client.force_login(team_lead)
    page = client.get("/sla/at-risk/?hours=4").content.decode()
    assert late.number in page and "overdue" in page
    assert page.index(late.number) < page.index(answered.number)  # nearest deadline first


@pytest.mark.django_db
def test_compliance_counts_met_and_breached(client, manager, agent, tickets):
    late, _ = tickets
    ticket_comment(actor=agent, ticket=late, body="抱歉久等了。", public=True)
    rows = {row.milestone: row for row in milestone_compliance(days=7)}
    response = rows["first_response_urgent"]
    assert response.finished == 2 and response.met == 1 and response.met_percent == 50.0
    assert response.median_minutes is not None and response.p90_minutes is not None
    client.force_login(manager)
    page = client.get("/sla/compliance/?days=30").content.decode()
    assert "首次响应（紧急）" in page and "50.0" in page


@pytest.mark.django_db
def test_home_shows_next_due(client, agent, tickets):
    client.force_login(agent)
    page = client.get("/", follow=True).content.decode()
    assert tickets[0].number in page and "/tickets/" in page


@pytest.mark.django_db
def test_compliance_chart_uses_plotly_served_locally(client, manager, tickets):
    client.force_login(manager)
    page = client.get("/sla/compliance/?days=30").content.decode()
    assert 'id="compliance-data"' in page and "/static/plotly/plotly.min.js" in page
    script = client.get("/static/plotly/plotly.min.js")
    assert script.status_code == 200
    assert b"plotly" in b"".join(script.streaming_content)[:2000].lower()
