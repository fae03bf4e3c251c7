"""Customers' SMS through the signed gateway webhook, and agents' replies back by SMS (TEC-7).

Wrong or missing signatures are 403 and write nothing; an invalid phone number is a 400 naming
``from``; a replayed message id changes nothing. Replies leave through the outbox to a real HTTP
server playing the gateway.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.channels.inbound_keys import inbound_message_claim
from kefu.channels.models import (
    Contact,
    ContactKind,
    ContactMessage,
    ContactState,
    Direction,
    InboundMessageKey,
    MessageStatus,
)
from kefu.channels.sms_inbound import SIGNATURE_HEADER, sms_signature
from kefu.channels.tests.gateway_server import gateway_server
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_find_by_identity
from kefu.notify.models import OutboundMessage
from kefu.tickets.models import Ticket, TicketEventKind
from kefu.tickets.services import ticket_comment, ticket_transition
from kefu.tickets.states import TicketStatus

URL = "/channels/sms/inbound"
SECRET = "gateway-shared-secret"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def sms_settings(settings):
    settings.KEFU_SMS_INBOUND_SECRET = SECRET
    settings.KEFU_SMS_TEAM = ""


def post(body: Any, *, secret: str | None = SECRET, header: str | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    headers = {}
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    elif secret is not None:
        headers[SIGNATURE_HEADER] = "sha256=" + sms_signature(raw, secret)
    return Client().post(URL, raw, content_type="application/json", headers=headers)


def sms(
    message_id: str, text: str = "我的快递三天没动了", sender: str = PHONE, **extra: Any
) -> dict:
    return {"from": sender, "text": text, "id": message_id, **extra}


def counts() -> tuple[int, ...]:
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        ContactMessage.objects.count(),
        Ticket.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_an_sms_from_an_unknown_number_creates_customer_conversation_and_ticket():
    response = post(sms("gw-1", sender="+86 139-1234-5678"))

    assert response.status_code == 201, response.content
    body = response.json()
    customer = customer_find_by_identity(kind=IdentityKind.PHONE, value=PHONE)
    assert customer is not None and PHONE not in customer.name  # the name shows it masked
    contact = Contact.objects.get(pk=body["contact"])
    assert contact.kind == ContactKind.SMS and contact.customer == customer
    assert contact.address == PHONE and contact.state == ContactState.QUEUED
    message = ContactMessage.objects.get(pk=body["message"])
    assert message.direction == Direction.INBOUND and message.body == "我的快递三天没动了"
    ticket = Ticket.objects.get(number=body["ticket"])
    assert ticket.channel == "sms" and ticket.customer == customer
    assert ticket.description == "我的快递三天没动了" and ticket.subject == "我的快递三天没动了"
    assert message.ticket == ticket and list(contact.tickets.all()) == [ticket]


@pytest.mark.django_db
def test_the_next_sms_joins_the_conversation_and_the_open_ticket():
    first = post(sms("gw-1")).json()
    second = post(sms("gw-2", text="还在吗？")).json()

    assert second["contact"] == first["contact"] and second["ticket"] == first["ticket"]
    ticket = Ticket.objects.get(number=first["ticket"])
    [event] = ticket.events.filter(kind=TicketEventKind.CUSTOMER_MESSAGE)
    assert event.body == "还在吗？" and event.data["channel"] == "sms"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_id_changes_nothing():
    first = post(sms("gw-1")).json()
    before = counts()

    again = post(sms("gw-1", text="another text under the same id"))

    assert again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["message"] == first["message"]
    assert counts() == before


@pytest.mark.django_db
def test_the_database_refuses_a_second_claim_of_the_same_message_id():
    assert inbound_message_claim(kind=ContactKind.SMS, external_id="sms:gw-9") is True
    assert inbound_message_claim(kind=ContactKind.SMS, external_id="sms:gw-9") is False
    # The same id on another channel is another message.
    assert inbound_message_claim(kind=ContactKind.WECHAT, external_id="sms:gw-9") is True
    assert InboundMessageKey.objects.filter(kind=ContactKind.SMS).count() == 1


@pytest.mark.django_db
def test_each_stored_sms_claims_its_id_once():
    post(sms("gw-1"))
    post(sms("gw-1"))
    [key] = InboundMessageKey.objects.all()
    assert (key.kind, key.external_id) == (ContactKind.SMS, "sms:gw-1")


@pytest.mark.django_db
def test_a_delivery_whose_id_another_delivery_claimed_writes_nothing():
    """Two simultaneous deliveries both read "not seen"; the first delivery's claim is then in
    the database. The second writes nothing, not even the customer. (On PostgreSQL its claim
    waits for the first transaction and then finds the stored message: a plain duplicate. Here
    the claim has no message behind it, so the answer is 409.)"""
    assert inbound_message_claim(kind=ContactKind.SMS, external_id="sms:gw-7")
    before = counts()

    response = post(sms("gw-7"))

    assert response.status_code == 409, response.content
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=" + "0" * 64, "not-hex"],
    ids=["missing", "empty", "wrong", "garbage"],
)
def test_a_missing_or_wrong_signature_is_403_and_writes_nothing(header):
    before = counts()
    response = post(sms("gw-1"), secret=None, header=header)
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert counts() == before


@pytest.mark.django_db
def test_a_body_signed_with_another_secret_or_changed_after_signing_is_refused(settings):
    assert post(sms("gw-1"), secret="other-secret").status_code == 403
    raw = json.dumps(sms("gw-1")).encode()
    header = "sha256=" + sms_signature(raw, SECRET)
    tampered = raw.replace(b"gw-1", b"gw-9")
    assert post(tampered, header=header).status_code == 403
    settings.KEFU_SMS_INBOUND_SECRET = ""  # not configured: nobody is let in
    assert post(sms("gw-1")).status_code == 403
    assert Contact.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (sms("gw-1", sender="not-a-number"), "from"),
        (sms("gw-1", sender="12"), "from"),
        ({"text": "hi", "id": "gw-1"}, "from"),
        (sms("gw-1", text=None), "text"),
        (sms("gw-1", text="x" * 2001), "text"),
        ({"from": PHONE, "text": "hi"}, "id"),
        (sms("", text="hi"), "id"),
        (sms("gw-1", received_at="yesterday"), "received_at"),
        (sms("gw-1", received_at="2026-01-01T10:00:00"), "received_at"),
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(body, field):
    before = counts()
    response = post(body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert counts() == before


@pytest.mark.django_db
def test_a_known_customer_is_matched_by_phone_and_the_gateway_time_is_kept(customer):
    received = (now() - dt.timedelta(minutes=3)).replace(microsecond=0)
    body = post(sms("gw-1", sender="13800138000", received_at=received.isoformat())).json()

    assert Customer.objects.count() == 1
    assert Ticket.objects.get(number=body["ticket"]).customer == customer
    assert ContactMessage.objects.get(pk=body["message"]).created_at == received


@pytest.mark.django_db
def test_a_cancelled_ticket_gets_no_more_messages_a_new_ticket_opens(manager):
    first = post(sms("gw-1")).json()
    ticket = Ticket.objects.get(number=first["ticket"])
    ticket_transition(actor=manager, ticket=ticket, to=TicketStatus.CANCELLED, reason="重复")

    second = post(sms("gw-2", text="又出问题了")).json()

    assert second["ticket"] != first["ticket"]
    assert Ticket.objects.get(number=second["ticket"]).channel == "sms"


@pytest.mark.django_db
def test_a_message_after_the_window_starts_a_new_conversation(settings):
    settings.KEFU_CONVERSATION_WINDOW_HOURS = 24
    first = post(sms("gw-1")).json()
    Contact.objects.filter(pk=first["contact"]).update(updated_at=now() - dt.timedelta(hours=25))

    second = post(sms("gw-2")).json()

    assert second["contact"] != first["contact"]
    old = Contact.objects.get(pk=first["contact"])
    assert old.state == ContactState.ENDED and old.ended_at is not None
    assert second["ticket"] == first["ticket"]  # the ticket is still open
    [ended] = AuditEvent.objects.filter(verb="contact.end", object_id=str(old.pk))
    assert ended.actor is None and ended.after["reason"] == "idle"
    assert ended.before == {"state": "queued"} and ended.after["state"] == "ended"


@pytest.mark.django_db
def test_new_tickets_go_to_the_configured_team(settings, team):
    settings.KEFU_SMS_TEAM = team.name
    body = post(sms("gw-1")).json()
    assert Ticket.objects.get(number=body["ticket"]).team == team


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_reply_leaves_by_sms_through_the_outbox(settings, manager):
    with gateway_server() as gateway:
        settings.KEFU_SMS_BACKEND = "kefu.channels.sms_gateway.HttpGatewaySmsBackend"
        settings.KEFU_SMS_GATEWAY_URL = f"{gateway.url}/send"
        settings.KEFU_SMS_GATEWAY_TOKEN = "t0ken"
        settings.KEFU_SMS_SIGN_NAME = "客服中心"
        first = post(sms("gw-1")).json()
        ticket = Ticket.objects.get(number=first["ticket"])

        ticket_comment(actor=manager, ticket=ticket, body="已为您催促快递，请稍候。", public=True)

        [request] = gateway.requests
        outbound = OutboundMessage.objects.get(channel="sms")
        assert request.json() == {
            "to": PHONE,
            "text": "已为您催促快递，请稍候。",
            "sign_name": "客服中心",
            "reference": f"kefu-outbox-{outbound.pk}",
        }
        assert outbound.status == "sent" and outbound.to_address == PHONE
        reply = ContactMessage.objects.get(direction=Direction.OUTBOUND)
        assert reply.contact_id == first["contact"] and reply.outbound == outbound
        assert reply.author == manager and reply.ticket == ticket
        assert reply.status == MessageStatus.SENT  # turned sent with its outbox message
        contact = Contact.objects.get(pk=first["contact"])
        assert contact.state == ContactState.ACTIVE and contact.answered_at is not None
        assert contact.wait_seconds is not None and contact.agent == manager


@pytest.mark.django_db
def test_an_sms_reply_longer_than_an_sms_is_refused(manager):
    from kefu.core.errors import InvalidInput

    ticket = Ticket.objects.get(number=post(sms("gw-1")).json()["ticket"])
    with pytest.raises(InvalidInput) as caught:
        ticket_comment(actor=manager, ticket=ticket, body="长" * 501, public=True)
    assert caught.value.field == "body"
    assert not OutboundMessage.objects.exists()
    assert not ticket.events.filter(kind=TicketEventKind.REPLY).exists()


@pytest.mark.django_db
def test_a_reply_on_an_sms_ticket_without_a_number_queues_nothing(manager):
    from kefu.tests_support.factories import make_ticket

    ticket = make_ticket(actor=manager, channel="sms")
    ticket_comment(actor=manager, ticket=ticket, body="您好", public=True)

    assert not OutboundMessage.objects.exists()
    assert AuditEvent.objects.filter(verb="ticket.reply_undeliverable").count() == 1
