"""Contacts appear on the customer's page at once (TEC-7: one timeline across channels)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.channels.services import cti_event_record

AT = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_call_shows_on_the_customer_page(client, agent, manager, customer):
    cti_event_record(actor=None, call_id="c-1", event="ringing", at=AT, caller="13800138000")
    cti_event_record(
        actor=None,
        call_id="c-1",
        event="answered",
        at=AT + dt.timedelta(seconds=9),
        agent=agent.username,
    )
    client.force_login(manager)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-contacts"' in page
    section = page.split('id="customer-contacts"')[1]
    assert ">9<" in section  # answered after 9 s (ACC-1)
    assert "13800138000" not in page


@pytest.mark.django_db
def test_the_ringing_call_pops_up_at_the_agents_desk(client, agent, other_agent, customer):
    client.force_login(agent)
    assert client.get("/calls/current/").content == b""
    page = client.get("/queues/mine/").content.decode()
    assert 'id="kefu-call-desk"' in page
    cti_event_record(
        actor=None,
        call_id="c-2",
        event="ringing",
        at=AT,
        caller="13800138000",
        agent=agent.username,
    )
    panel = client.get("/calls/current/").content.decode()
    assert customer.name in panel and "138****8000" in panel and "13800138000" not in panel
    client.force_login(other_agent)
    assert client.get("/calls/current/").content == b""  # not on their desk
    cti_event_record(actor=None, call_id="c-2", event="ended", at=AT + dt.timedelta(minutes=3))
    client.force_login(agent)
    assert client.get("/calls/current/").content == b""
