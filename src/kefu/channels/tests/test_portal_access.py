"""The one-time code that opens a ticket on the portal (TEC-6).

The message's link and code are followed with a real browser session (the Django test client):
the right code grants this session that one ticket and uses the access up; wrong codes count
and lock; an expired or used link no longer opens anything; any other ticket is a 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.channels.models import PortalAccess
from kefu.channels.tests.portal_support import open_with_code, submitted_ticket
from kefu.tests_support.factories import make_ticket
from kefu.tests_support.html import unlabelled_controls
from kefu.tests_support.time_machine import TimeMachine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with TimeMachine() as machine:
        yield machine


def test_the_link_and_code_from_the_message_open_the_ticket(client: Client):
    ticket, found = submitted_ticket(client)
    # The link alone shows only the code form.
    response = client.get(found.path)
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.subject not in page
    assert unlabelled_controls(page) == set()

    response = client.post(found.path, {"code": f" {found.code[:3]} {found.code[3:]} "})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"

    page_response = client.get(response["Location"])
    assert page_response.status_code == 200
    page = page_response.content.decode()
    assert ticket.number in page and ticket.subject in page
    assert "139****9000" in page  # masked contact only
    assert "13900139000" not in page
    assert "张伟" not in page
    assert unlabelled_controls(page) == set()

    access = PortalAccess.objects.get(ticket=ticket)
    assert access.used_at is not None and access.attempts == 0
    granted = AuditEvent.objects.get(verb="portal.access_grant")
    assert granted.actor is None and granted.object_id == str(access.pk)


def test_wrong_codes_count_and_lock_the_link(client: Client, settings):
    settings.KEFU_PORTAL_CODE_ATTEMPTS = 5
    ticket, found = submitted_ticket(client)
    wrong = f"{(int(found.code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        response = client.post(found.path, {"code": wrong})
        assert response.status_code == 422
        assert response.context["form"].errors["code"]
        assert PortalAccess.objects.get(ticket=ticket).attempts == 5 - left
    response = client.post(found.path, {"code": wrong})
    assert response.status_code == 403  # the fifth wrong code locks
    # Locked: even the right code no longer opens it, and nothing is granted.
    response = client.post(found.path, {"code": found.code})
    assert response.status_code == 403
    assert client.get(f"/portal/tickets/{ticket.number}/").status_code == 404
    access = PortalAccess.objects.get(ticket=ticket)
    assert access.attempts == 5 and access.used_at is None
    assert AuditEvent.objects.filter(verb="portal.access_wrong_code").count() == 4
    assert AuditEvent.objects.filter(verb="portal.access_lock").count() == 1


def test_a_malformed_code_is_a_field_error_not_an_attempt(client: Client):
    ticket, found = submitted_ticket(client)
    response = client.post(found.path, {"code": "12ab"})
    assert response.status_code == 422
    assert "code" in response.context["form"].errors
    assert PortalAccess.objects.get(ticket=ticket).attempts == 0


def test_an_expired_link_is_refused(client: Client, settings, clock):
    settings.KEFU_PORTAL_CODE_HOURS = 24
    ticket, found = submitted_ticket(client)
    clock.move(dt.timedelta(hours=24, seconds=1))
    response = client.get(found.path)
    assert response.status_code == 410
    assert response.context["refused"] == "expired"
    response = client.post(found.path, {"code": found.code})
    assert response.status_code == 410
    assert client.get(f"/portal/tickets/{ticket.number}/").status_code == 404
    assert PortalAccess.objects.get(ticket=ticket).used_at is None


def test_a_link_works_once(client: Client):
    ticket, found = submitted_ticket(client)
    assert open_with_code(client, found).status_code == 302
    # The same browser coming back through the link just sees its ticket.
    response = client.get(found.path)
    assert response.status_code == 302
    # Another browser with the same link and code gets nothing.
    other = Client()
    response = other.post(found.path, {"code": found.code})
    assert response.status_code == 410
    assert response.context["refused"] == "used"
    assert other.get(f"/portal/tickets/{ticket.number}/").status_code == 404


def test_an_unknown_link_is_a_404(client: Client):
    assert client.get("/portal/a/" + "x" * 43 + "/").status_code == 404
    assert client.post("/portal/a/short/", {"code": "123456"}).status_code == 404


def test_the_session_sees_only_the_ticket_it_was_granted(client: Client, manager, customer):
    ticket, found = submitted_ticket(client)
    other = make_ticket(actor=manager, customer=customer)
    open_with_code(client, found)
    assert client.get(f"/portal/tickets/{ticket.number}/").status_code == 200
    unknown = client.get("/portal/tickets/20990101-999999/")
    forbidden = client.get(f"/portal/tickets/{other.number}/")
    # Someone else's ticket looks exactly like one that does not exist.
    assert forbidden.status_code == unknown.status_code == 404
    assert other.subject not in forbidden.content.decode()
    assert client.get("/portal/tickets/not-a-number/").status_code == 404
    # A reply to a ticket that is not granted writes nothing.
    before = other.events.count()
    assert client.post(f"/portal/tickets/{other.number}/reply/", {"body": "hi"}).status_code == 404
    assert other.events.count() == before


def test_two_granted_tickets_in_one_browser(client: Client):
    first, first_message = submitted_ticket(client)
    second, second_message = submitted_ticket(client, phone="13700137000", subject="第二个问题")
    open_with_code(client, first_message)
    open_with_code(client, second_message)
    assert client.get(f"/portal/tickets/{first.number}/").status_code == 200
    assert client.get(f"/portal/tickets/{second.number}/").status_code == 200


def test_the_grant_ends_after_its_hours_and_when_the_customer_leaves(
    client: Client, settings, clock
):
    settings.KEFU_PORTAL_SESSION_HOURS = 2
    ticket, found = submitted_ticket(client)
    open_with_code(client, found)
    url = f"/portal/tickets/{ticket.number}/"
    assert client.get(url).status_code == 200
    clock.move(dt.timedelta(hours=2, seconds=1))
    assert client.get(url).status_code == 404

    _ticket2, found2 = submitted_ticket(client, phone="13700137000")
    open_with_code(client, found2)
    assert client.get(f"/portal/tickets/{_ticket2.number}/").status_code == 200
    assert client.post("/portal/leave/").status_code == 302
    assert client.get(f"/portal/tickets/{_ticket2.number}/").status_code == 404


def test_the_session_key_changes_when_a_ticket_is_granted(client: Client):
    _ticket, found = submitted_ticket(client)
    client.get(found.path)
    before = client.session.session_key
    open_with_code(client, found)
    assert client.session.session_key != before
