"""What became of a public reply (TEC-7): ``ticket_reply_deliver`` says whether the ticket's
channel queued it to the customer, and if not why; the replies API returns it as ``delivery``
and the contact page says "not sent" instead of "Reply sent." when nothing left."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.channels.replies import ReplyDelivery, reply_delivery_of, ticket_reply_deliver
from kefu.channels.services import contact_link_ticket
from kefu.channels.tests.inbox_data import make_contact
from kefu.notify.models import OutboundMessage
from kefu.tests_support.factories import make_ticket
from kefu.tickets.services import ticket_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reply_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.KEFU_SUPPORT_EMAIL = "service@kefu.test"
    settings.KEFU_PORTAL_BASE_URL = "https://kefu.example.com"
    settings.LANGUAGE_CODE = "en"  # the messages checked below are the English msgids


def reply(agent, ticket, body: str = "您好，已为您处理。") -> dict:
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies", {"body": body}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_email_reply_is_queued(agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, channel="email", subject="发票")
    data = reply(agent, ticket)
    assert data["delivery"] == {"channel": "email", "queued": True, "reason": ""}
    assert data["email"]["outbound_id"] == OutboundMessage.objects.get().pk  # still there


def test_an_email_ticket_without_an_address_is_not_sent(agent):
    ticket = make_ticket(actor=agent, channel="email", subject="无地址")
    data = reply(agent, ticket)
    assert data["delivery"]["channel"] == "email" and data["delivery"]["queued"] is False
    assert "address" in data["delivery"]["reason"]
    assert data["email"] is None and not OutboundMessage.objects.exists()


def test_an_sms_reply_is_queued(agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, channel="sms", subject="短信咨询")
    data = reply(agent, ticket)
    assert data["delivery"] == {"channel": "sms", "queued": True, "reason": ""}
    assert OutboundMessage.objects.get().channel == "sms"


def test_a_phone_reply_is_not_sent(agent, ticket):
    data = reply(agent, ticket)  # the fixture's ticket came by phone: no sender
    assert data["delivery"]["channel"] == ticket.channel == "phone"
    assert data["delivery"]["queued"] is False
    assert (
        data["delivery"]["reason"]
        == "replies on this ticket's channel are not sent to the customer"
    )
    assert not OutboundMessage.objects.exists()


def test_a_portal_reply_sends_a_link_or_says_why_not(agent, customer, settings):
    ticket = make_ticket(actor=agent, customer=customer, channel="portal", subject="网上报修")
    assert reply(agent, ticket)["delivery"] == {"channel": "portal", "queued": True, "reason": ""}
    settings.KEFU_PORTAL_BASE_URL = ""
    delivery = reply(agent, ticket, "第二次回复")["delivery"]
    assert delivery["queued"] is False and "KEFU_PORTAL_BASE_URL" in delivery["reason"]


def test_the_result_is_kept_on_the_event_and_notes_have_none(agent, customer, ticket):
    event = ticket_comment(actor=agent, ticket=ticket, body="内部备注", public=False)
    assert reply_delivery_of(event) is None
    sms_ticket = make_ticket(actor=agent, customer=customer, channel="sms", subject="短信")
    event = ticket_comment(actor=agent, ticket=sms_ticket, body="已处理", public=True)
    delivery = reply_delivery_of(event)
    assert delivery == ReplyDelivery("sms", True) and bool(delivery)
    assert not ReplyDelivery("phone", False, "no sender")


def test_delivering_the_same_reply_again_is_still_queued_once(agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, channel="sms", subject="短信")
    event = ticket_comment(actor=agent, ticket=ticket, body="已处理", public=True)
    assert ticket_reply_deliver(ticket=ticket, event=event).queued
    assert OutboundMessage.objects.count() == 1


def _reply_on_page(agent, contact, ticket) -> str:
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/contacts/{contact.pk}/reply/",
        {"ticket": ticket.number, "body": "您好，已处理。"},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_contact_page_says_sent_only_when_something_was_queued(agent, customer):
    contact = make_contact(kind="sms", state="active", agent=agent, customer=customer)
    sms_ticket = make_ticket(actor=agent, customer=customer, channel="sms", subject="短信")
    contact_link_ticket(actor=agent, contact=contact, ticket=sms_ticket)
    page = _reply_on_page(agent, contact, sms_ticket)
    assert "Reply sent." in page and "not sent" not in page

    phone_ticket = make_ticket(actor=agent, customer=customer, channel="phone", subject="来电")
    contact_link_ticket(actor=agent, contact=contact, ticket=phone_ticket)
    page = _reply_on_page(agent, contact, phone_ticket)
    assert "Reply sent." not in page
    assert (
        "Saved on the ticket; not sent: replies on this ticket&#x27;s channel are not sent to the"
        " customer" in page
    )


def _reply_on_ticket_page(agent, ticket) -> str:
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/tickets/{ticket.number}/comment/",
        {"kind": "reply", "body": "您好，已处理。"},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_ticket_page_says_sent_kept_or_not_sent_with_the_reason(agent, customer):
    sms_ticket = make_ticket(actor=agent, customer=customer, channel="sms", subject="短信")
    assert "Reply sent." in _reply_on_ticket_page(agent, sms_ticket)

    phone_ticket = make_ticket(actor=agent, customer=customer, channel="phone", subject="来电")
    page = _reply_on_ticket_page(agent, phone_ticket)
    assert "Reply saved on the ticket." in page and "Reply sent." not in page

    no_address = make_ticket(actor=agent, channel="email", subject="邮件")
    page = _reply_on_ticket_page(agent, no_address)
    assert "Saved on the ticket; not sent:" in page and "Reply sent." not in page
