"""The customer's ticket page on the portal (TEC-6): progress, the public timeline, replies;
and asking for a new link without learning whose ticket a number is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.channels.tests.portal_support import (
    code_message,
    open_with_code,
    submitted_ticket,
    without_csrf,
)
from kefu.notify.models import OutboundMessage
from kefu.tests_support.factories import UserFactory, make_ticket
from kefu.tests_support.html import unlabelled_controls
from kefu.tests_support.time_machine import TimeMachine
from kefu.tickets.models import TicketEventKind
from kefu.tickets.services import ticket_comment, ticket_transition, ticket_update
from kefu.tickets.states import TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(manager):
    manager.display_name = "王经理"
    manager.employee_number = "KF0007"
    manager.save()
    return manager


@pytest.fixture
def granted(client: Client):
    ticket, found = submitted_ticket(client)
    assert open_with_code(client, found).status_code == 302
    return ticket


def _resolve(actor, ticket):
    ticket.refresh_from_db()
    ticket = ticket_update(
        actor=actor, ticket=ticket, version=ticket.version, changes={"solution": "已安排上门维修"}
    )
    return ticket_transition(actor=actor, ticket=ticket, to=TicketStatus.RESOLVED)


def test_the_page_shows_progress_and_the_public_timeline_only(client: Client, granted, staff):
    ticket_comment(actor=staff, ticket=granted, body="您好，师傅明天上午上门。", public=True)
    ticket_comment(actor=staff, ticket=granted, body="内部：客户脾气急", public=False)
    ticket_transition(actor=staff, ticket=granted, to=TicketStatus.OPEN, reason="内部原因")

    page = client.get(f"/portal/tickets/{granted.number}/").content.decode()
    assert "您好，师傅明天上午上门。" in page
    assert "KF0007" in page  # staff appear by role and employee number …
    assert "王经理" not in page  # … never by name
    assert "内部：客户脾气急" not in page  # internal notes stay inside
    assert "内部原因" not in page  # so do the reasons staff type for a status change
    assert granted.description in page  # the customer's own description
    assert 'aria-current="step"' in page
    assert unlabelled_controls(page) == set()


def test_a_reply_reaches_the_timeline_and_reopens_a_resolved_ticket(client: Client, granted, staff):
    ticket = _resolve(staff, granted)
    assert ticket.status == TicketStatus.RESOLVED
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'name="body"' in page

    response = client.post(
        f"/portal/tickets/{ticket.number}/reply/", {"body": "师傅没有来，还在漏水。"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.reopen_count == 1
    message = ticket.events.get(kind=TicketEventKind.CUSTOMER_MESSAGE)
    assert message.body == "师傅没有来，还在漏水。"
    assert message.actor is None and message.is_public
    assert message.data["channel"] == "portal"
    page = client.get(response["Location"]).content.decode()
    assert "师傅没有来，还在漏水。" in page


def test_an_empty_reply_is_refused_and_writes_nothing(client: Client, granted):
    before = granted.events.count()
    response = client.post(f"/portal/tickets/{granted.number}/reply/", {"body": "   "})
    assert response.status_code == 422
    assert "body" in response.context["form"].errors
    assert granted.events.count() == before


def test_a_cancelled_ticket_takes_no_reply_and_points_to_a_new_request(
    client: Client, granted, staff
):
    ticket_transition(actor=staff, ticket=granted, to=TicketStatus.CANCELLED)
    page = client.get(f"/portal/tickets/{granted.number}/").content.decode()
    assert 'name="body"' not in page
    assert 'href="/portal/"' in page
    before = granted.events.count()
    response = client.post(f"/portal/tickets/{granted.number}/reply/", {"body": "还在吗？"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert granted.events.count() == before


def test_a_long_closed_ticket_takes_no_reply(client: Client, staff, settings):
    settings.KEFU_TICKET_REOPEN_WINDOW_DAYS = 7
    settings.KEFU_PORTAL_SESSION_HOURS = 24 * 30
    granted, found = submitted_ticket(client)
    open_with_code(client, found)
    with TimeMachine() as clock:
        ticket = _resolve(staff, granted)
        ticket_transition(actor=staff, ticket=ticket, to=TicketStatus.CLOSED)
        clock.move(dt.timedelta(days=8))
        page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
        assert 'name="body"' not in page
        response = client.post(f"/portal/tickets/{ticket.number}/reply/", {"body": "又坏了"})
        assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_a_new_link_goes_only_to_the_contact_on_the_ticket(client: Client, manager, customer):
    ticket = make_ticket(actor=manager, customer=customer, description="坐席记录：客户很急")
    stranger = make_ticket(actor=manager)
    answers = []
    for number, contact in [
        (ticket.number, "13800138000"),  # matches: a link is sent
        (ticket.number, "13700137000"),  # wrong phone
        (ticket.number, "someone@example.com"),  # wrong e-mail
        (stranger.number, "13800138000"),  # a ticket of nobody / someone else
        ("20990101-999999", "13800138000"),  # no such ticket
    ]:
        response = Client().post(
            "/portal/track/", {"number": number, "contact": contact}, REMOTE_ADDR="10.0.2.1"
        )
        assert response.status_code == 200
        answers.append(without_csrf(response.content.decode()))
    assert len(set(answers)) == 1  # one answer, whatever matched
    assert OutboundMessage.objects.count() == 1

    # The e-mail on the ticket works too, and the link opens the ticket.
    Client().post("/portal/track/", {"number": ticket.number, "contact": "LI@example.com"})
    found = code_message()
    assert found.message.channel == "email"
    assert found.message.to_address == "li@example.com"
    assert open_with_code(client, found).status_code == 302
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert ticket.subject in page
    assert "坐席记录" not in page  # a description typed by staff is not shown
    assert "138****8000" in page and "13800138000" not in page


def test_the_track_form_names_malformed_fields(client: Client):
    response = client.post("/portal/track/", {"number": "12345", "contact": "abc"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"number", "contact"}
    assert unlabelled_controls(response.content.decode()) == set()


def test_tracking_is_rate_limited(client: Client, settings, manager, customer):
    settings.KEFU_PORTAL_TRACKS_PER_HOUR = 3
    ticket = make_ticket(actor=manager, customer=customer)
    for _ in range(3):
        response = client.post(
            "/portal/track/", {"number": ticket.number, "contact": "13700137000"}
        )
        assert response.status_code == 200
    response = client.post("/portal/track/", {"number": ticket.number, "contact": "13800138000"})
    assert response.status_code == 429
    assert OutboundMessage.objects.count() == 0


def test_codes_to_one_contact_are_limited_without_telling(
    client: Client, settings, manager, customer
):
    settings.KEFU_PORTAL_CODES_PER_CONTACT_PER_HOUR = 2
    ticket = make_ticket(actor=manager, customer=customer)
    for index in range(4):
        response = client.post(
            "/portal/track/",
            {"number": ticket.number, "contact": "13800138000"},
            REMOTE_ADDR=f"10.0.3.{index}",
        )
        assert response.status_code == 200
    assert OutboundMessage.objects.count() == 2


def test_staff_without_employee_number_appear_as_customer_service(client: Client, granted):
    agent = UserFactory(username="nameless", display_name="赵六", roles=["manager"])
    ticket_comment(actor=agent, ticket=granted, body="已收到", public=True)
    page = client.get(f"/portal/tickets/{granted.number}/").content.decode()
    assert "已收到" in page and "赵六" not in page


def test_replies_are_rate_limited(client: Client, settings, granted):
    settings.KEFU_PORTAL_REPLIES_PER_HOUR = 2
    url = f"/portal/tickets/{granted.number}/reply/"
    assert client.post(url, {"body": "一"}).status_code == 302
    assert client.post(url, {"body": "二"}).status_code == 302
    response = client.post(url, {"body": "三"})
    assert response.status_code == 429
    assert granted.events.filter(kind=TicketEventKind.CUSTOMER_MESSAGE).count() == 2


def test_a_staff_reply_sends_the_customer_a_new_link_that_shows_it(
    client: Client, granted, staff, settings
):
    settings.KEFU_PORTAL_BASE_URL = "https://kefu.example.com"
    before = OutboundMessage.objects.count()
    ticket_comment(actor=staff, ticket=granted, body="您好，配件已到，明天上门。", public=True)
    ticket_comment(actor=staff, ticket=granted, body="内部备注", public=False)
    assert OutboundMessage.objects.count() == before + 1  # the public reply only
    found = code_message()
    assert found.message.channel == "sms" and found.link.startswith("https://kefu.example.com/")
    assert granted.number in found.message.body
    fresh = Client()
    assert open_with_code(fresh, found).status_code == 302
    page = fresh.get(f"/portal/tickets/{granted.number}/").content.decode()
    assert "您好，配件已到，明天上门。" in page


def test_without_a_portal_address_the_reply_is_kept_and_the_trail_says_why(
    client: Client, granted, staff, settings
):
    from kefu.audit.models import AuditEvent

    settings.KEFU_PORTAL_BASE_URL = ""
    before = OutboundMessage.objects.count()
    ticket_comment(actor=staff, ticket=granted, body="您好，已处理。", public=True)
    assert OutboundMessage.objects.count() == before
    trail = AuditEvent.objects.get(verb="ticket.reply_undeliverable")
    assert trail.after["reason"] == "KEFU_PORTAL_BASE_URL is not set"


def test_a_message_left_in_the_chat_widget_is_answered_the_same_way(staff, customer, settings):
    settings.KEFU_PORTAL_BASE_URL = "https://kefu.example.com"
    ticket = make_ticket(actor=staff, channel="chat", customer=customer)
    ticket_comment(actor=staff, ticket=ticket, body="您好，已为您查询。", public=True)
    found = code_message()
    assert found.message.channel == "sms" and ticket.number in found.message.body
