"""Submitting a request on the customer self-service portal (TEC-6).

A valid request creates the customer and the ticket on the portal channel and queues one
message with a link and a one-time code; every invalid field is named and writes nothing;
bots (honeypot) and floods (rate limits → 429) are turned away.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.channels.models import PortalAccess
from kefu.channels.tests.portal_support import FORM, code_message, submit, submitted_ticket
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_find_by_identity
from kefu.notify.models import OutboundMessage
from kefu.tests_support.html import unlabelled_controls
from kefu.tickets.models import Category, HandlingClass, Ticket, TicketEventKind, Urgency
from kefu.tickets.states import TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


def _counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Ticket.objects.count(),
        OutboundMessage.objects.count(),
        PortalAccess.objects.count(),
    )


def test_the_form_is_a_customer_page_with_every_control_labelled(client: Client):
    response = client.get("/portal/")
    assert response.status_code == 200
    page = response.content.decode()
    assert unlabelled_controls(page) == set()
    assert "kefu-topbar" not in page  # no staff navigation
    assert "/queues/" not in page
    assert "bootstrap/css/bootstrap.min.css" in page  # served locally, no CDN
    assert 'name="website"' in page  # the honeypot is there, hidden by CSS
    assert client.get("/static/channels/portal.css").status_code == 200


def test_a_request_with_a_phone_creates_customer_and_ticket_and_sends_an_sms(client: Client):
    ticket, found = submitted_ticket(client)

    assert ticket.channel == "portal"
    assert ticket.status == TicketStatus.NEW
    assert ticket.category.code == "after_sales"
    assert ticket.handling_class == HandlingClass.TRANSFER
    assert ticket.subject == FORM["subject"]
    assert ticket.description == FORM["description"]
    assert ticket.created_by is None
    customer = customer_find_by_identity(kind="phone", value="13900139000")
    assert customer is not None and ticket.customer_id == customer.pk
    assert customer.name == "张伟"
    assert ticket.events.filter(kind=TicketEventKind.CREATED).count() == 1

    assert found.message.channel == "sms"
    assert found.message.to_address == "13900139000"
    assert ticket.number in found.message.body
    access = PortalAccess.objects.get(ticket=ticket)
    assert access.sent_via == "sms"
    # Only hashes are stored: the token as sha256, the code salted.
    token = found.path.rstrip("/").rsplit("/", 1)[1]
    assert access.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert found.code not in access.code_hash
    assert token not in access.code_hash

    # The thank-you page tells the number and where the code went, masked.
    page = client.get("/portal/submitted/").content.decode()
    assert ticket.number in page
    assert "139****9000" in page
    assert "13900139000" not in page

    # Audited as the system (the customer is no user), PII masked in the trail.
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"customer.create", "ticket.create", "portal.access_issue"} <= verbs
    issued = AuditEvent.objects.get(verb="portal.access_issue")
    assert issued.actor is None and issued.actor_label == "system"
    assert issued.after["to"] == "139****9000"
    assert "13900139000" not in str(issued.after)


def test_a_request_with_only_an_email_sends_an_email(client: Client):
    ticket, found = submitted_ticket(
        client, phone="", email="Wei.Zhang@Example.com", kind="consult"
    )
    assert found.message.channel == "email"
    assert found.message.to_address == "wei.zhang@example.com"
    assert ticket.category.code == "consult"
    assert ticket.urgency == Urgency.CONSULT
    assert ticket.handling_class == HandlingClass.INSTANT
    # SCR-5: salutation and a polite ending with the center's contact details.
    body = found.message.body
    assert found.link in body and found.code in body
    assert body.splitlines()[0].strip()
    assert "kefu@localhost" in body.splitlines()[-1] or "kefu@localhost" in body


def test_with_phone_and_email_the_code_goes_by_sms(client: Client):
    _ticket, found = submitted_ticket(client, email="wei@example.com")
    assert found.message.channel == "sms"
    assert OutboundMessage.objects.count() == 1


def test_a_known_customer_is_found_not_duplicated(client: Client, customer):
    before = Customer.objects.count()
    ticket, _found = submitted_ticket(
        client, phone="+86 138-0013-8000", name="李先生", kind="complaint"
    )
    assert Customer.objects.count() == before
    assert ticket.customer_id == customer.pk
    assert ticket.category.code == "complaint"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"phone": "12ab"}, "phone"),
        ({"phone": "", "email": "not-an-email"}, "email"),
        ({"phone": "", "email": ""}, "phone"),
        ({"kind": "refund_everything"}, "kind"),
        ({"subject": ""}, "subject"),
        ({"subject": "长" * 201}, "subject"),
        ({"description": "   "}, "description"),
        ({"description": "字" * 5001}, "description"),
    ],
)
def test_each_invalid_field_is_named_and_nothing_is_written(client: Client, changes, field):
    before = _counts()
    response = submit(client, **changes)
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert _counts() == before
    page = response.content.decode()
    assert f'id="id_{field}-errors"' in page
    assert unlabelled_controls(page) == set()


def test_a_refusal_inside_the_transaction_leaves_nothing_half_written(client: Client):
    Category.objects.filter(code="after_sales").update(is_active=False)
    before = _counts()
    response = submit(client)
    assert response.status_code == 422
    assert "kind" in response.context["form"].errors
    assert _counts() == before


def test_the_honeypot_turns_a_bot_away_quietly(client: Client):
    before = _counts()
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200  # looks like success to the program
    assert _counts() == before


def test_too_many_requests_from_one_address_get_a_429(client: Client, settings):
    settings.KEFU_PORTAL_SUBMITS_PER_HOUR = 2
    for index in range(2):
        assert submit(client, phone=f"1390013900{index}").status_code == 302
    response = submit(client, phone="13900139009")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "429" in response.content.decode()
    assert Ticket.objects.count() == 2
    # Another address is not affected.
    assert submit(client, phone="13900139008", ip="10.0.0.2").status_code == 302


def test_too_many_codes_to_one_phone_get_a_429(client: Client, settings):
    settings.KEFU_PORTAL_CODES_PER_CONTACT_PER_HOUR = 2
    for index in range(2):
        assert submit(client, ip=f"10.0.1.{index}").status_code == 302
    before = _counts()
    response = submit(client, ip="10.0.1.9")
    assert response.status_code == 429
    assert _counts() == before
    # The same phone written differently is the same phone.
    assert submit(client, ip="10.0.1.10", phone="+86 139 0013 9000").status_code == 429


def test_the_message_link_uses_the_configured_address(client: Client, settings):
    settings.KEFU_PORTAL_BASE_URL = "https://kefu.example.com"
    _ticket, found = submitted_ticket(client)
    assert found.link.startswith("https://kefu.example.com/portal/a/")
    assert code_message().code == found.code


def test_portal_tickets_go_to_the_configured_team(client: Client, settings, team):
    settings.KEFU_PORTAL_TEAM = team.name
    ticket, _found = submitted_ticket(client)
    assert ticket.team_id == team.pk
    settings.KEFU_PORTAL_TEAM = ""
    ticket, _found = submitted_ticket(client, phone="13700137000")
    assert ticket.team_id is None
