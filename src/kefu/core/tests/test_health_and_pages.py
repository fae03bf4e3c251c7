from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_home_needs_login_and_lists_my_open_tickets(client, agent, ticket, team_lead):
    assert client.get("/").status_code == 302
    from kefu.tickets.services import ticket_update

    ticket_update(
        actor=team_lead, ticket=ticket, version=ticket.version, changes={"assignee": agent}
    )
    client.force_login(agent)
    page = client.get("/", follow=True)
    assert page.redirect_chain == [("/queues/mine/", 302)]
    assert page.status_code == 200
    assert ticket.number in page.content.decode()


@pytest.mark.django_db
def test_login_page_renders(client):
    assert client.get("/accounts/login/").status_code == 200
