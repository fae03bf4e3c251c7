"""The contact page: a contact's facts (ACC-1 timing, ACC-3 disclosure), its messages or
transcript, recordings decrypted only for permitted staff (SEC-1, SEC-3), linking and opening
tickets, and replying to written contacts on the linked ticket (TEC-7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from kefu.audit.models import AccessEvent, AuditEvent
from kefu.channels.models import Contact
from kefu.channels.services import Segment, Upload, contact_link_ticket, cti_event_record
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.tests_support.factories import UserFactory, make_ticket
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_customer_message

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(64))


def _call(agent, *, call_id: str = "call-1") -> Contact:
    steps = [
        ("ringing", 0, {"caller": "13800138000", "agent": agent.username}),
        ("answered", 12, {"agent": agent.username}),
        ("held", 60, {"agent": agent.username}),
        ("resumed", 90, {"agent": agent.username}),
        ("ended", 300, {"agent": agent.username}),
    ]
    for event, seconds, extra in steps:
        cti_event_record(
            actor=None,
            call_id=call_id,
            event=event,
            at=AT + dt.timedelta(seconds=seconds),
            **extra,
        )
    cti_event_record(
        actor=None,
        call_id=call_id,
        event="transcript",
        at=AT + dt.timedelta(seconds=301),
        segments=[
            Segment("agent", 0.0, 3.5, "您好，本次通话将被录音用于服务质量改进。"),
            Segment("customer", 4.0, 9.0, "我的冰箱不制冷。"),
        ],
    )
    contact = cti_event_record(
        actor=None,
        call_id=call_id,
        event="recording",
        at=AT + dt.timedelta(seconds=302),
        recording=Upload("call-1.wav", AUDIO, "audio/wav"),
        disclosed=True,
    ).contact
    return contact


def test_a_call_shows_its_facts_transcript_and_masked_caller(client, agent, customer):
    contact = _call(agent)
    client.force_login(agent)
    response = client.get(f"/contacts/{contact.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "138****8000" in page and "13800138000" not in page
    assert f'href="/customers/{customer.pk}/"' in page
    wait = page.split('id="contact-wait">')[1].split("</dd>")[0]
    handle = page.split('id="contact-handle">')[1].split("</dd>")[0]
    assert wait.strip() == "12 s" and handle.strip() == "288 s"
    disclosure = page.split('id="contact-disclosure">')[1].split("</dd>")[0]
    assert "text-bg-success" in disclosure  # ACC-3: the purpose was announced
    assert "我的冰箱不制冷。" in page and "4.0 s" in page  # transcript with times
    assert "call-1.wav" in page and f"/contacts/{contact.pk}/recordings/" in page
    # The customer's page leads to it.
    customer_page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'href="/contacts/{contact.pk}/"' in customer_page


def test_contacts_of_other_teams_are_not_found(client, agent, other_agent):
    contact = _call(agent)
    client.force_login(other_agent)
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404
    recording = contact.recordings.get()
    url = f"/contacts/{contact.pk}/recordings/{recording.pk}/"
    assert client.get(url).status_code == 404


def test_recording_is_decrypted_only_for_permitted_staff(client, agent, team, qa):
    contact = _call(agent)
    recording = contact.recordings.get()
    stored = (Path(settings.DATA_DIR) / recording.storage_name).read_bytes()
    assert AUDIO not in stored  # encrypted at rest (SEC-1)
    url = f"/contacts/{contact.pk}/recordings/{recording.pk}/"

    client.force_login(agent)  # the agent who took the call
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == AUDIO
    assert response["Content-Type"] == "audio/wav"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessEvent.objects.filter(actor=agent, object_id=str(recording.pk)).count() == 1

    teammate = UserFactory(username="teammate", roles=["agent"], team=team)
    client.force_login(teammate)
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200  # sees the contact
    assert client.get(url).status_code == 403  # but may not listen
    assert not AccessEvent.objects.filter(actor__username="teammate").exists()

    client.force_login(qa)  # recording review (QA-3)
    assert client.get(url).content == AUDIO
    assert client.get(f"/contacts/{contact.pk}/recordings/999999/").status_code == 404


def test_email_messages_render_sanitized_html(client, agent, team):
    contact = make_contact(kind="email", state="active", agent=agent, team=team, subject="退货")
    add_message(
        contact,
        "请帮我退货",
        html='<p>请帮我<b>退货</b></p><script>alert("x")</script><img src=x onerror="alert(1)">',
    )
    add_message(contact, "好的，已为您登记。", inbound=False, author=agent)
    client.force_login(agent)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    section = page.split('id="contact-messages"')[1].split('id="contact-reply"')[0]
    assert "<b>退货</b>" in section
    assert "<script>" not in section and "onerror" not in section
    assert "好的，已为您登记。" in section


def test_remote_images_in_mail_never_load_on_the_contact_page(client, agent, team):
    """A tracking pixel would tell the sender an agent's address: a remote image stored by older
    code is stripped at display, and the page's CSP lets images load from kefu or inline only."""
    contact = make_contact(kind="email", state="active", agent=agent, team=team, subject="退货")
    add_message(
        contact,
        "请看图",
        html='<p>请看图</p><img src="https://tracker.example/p.gif?agent=1">'
        '<img src="//tracker.example/q.gif"><img src="data:image/png;base64,iVBORw0KGgo=">',
    )
    client.force_login(agent)
    response = client.get(f"/contacts/{contact.pk}/")
    assert response["Content-Security-Policy"] == "img-src 'self' data:"
    section = response.content.decode().split('id="contact-messages"')[1]
    section = section.split('id="contact-reply"')[0]
    assert "tracker.example" not in section
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in section


def test_link_to_a_visible_ticket_only(client, agent, other_agent, ticket, customer):
    contact = make_contact(kind="sms", state="active", agent=agent, customer=customer)
    client.force_login(agent)
    response = client.post(f"/contacts/{contact.pk}/link/", {"ticket": ticket.number})
    assert response.status_code == 302
    assert list(contact.tickets.all()) == [ticket]
    assert AuditEvent.objects.filter(verb="contact.link_ticket", object_id=str(contact.pk)).exists()
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/tickets/{ticket.number}/"' in page

    hidden = make_ticket(actor=other_agent, subject="别组的工单")
    client.post(f"/contacts/{contact.pk}/link/", {"ticket": hidden.number})
    client.post(f"/contacts/{contact.pk}/link/", {"ticket": "not-a-number"})
    assert list(contact.tickets.all()) == [ticket]


def test_create_a_ticket_from_a_contact(client, agent, customer):
    contact = make_contact(
        kind="wechat", state="active", agent=agent, customer=customer, subject="咨询积分"
    )
    client.force_login(agent)
    response = client.post(
        f"/contacts/{contact.pk}/ticket/",
        {"subject": "咨询会员积分", "category": "consult", "description": "微信咨询"},
    )
    ticket = Ticket.objects.get(subject="咨询会员积分")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.channel == "wechat" and ticket.customer == customer
    assert ticket.assignee == agent
    assert list(contact.tickets.all()) == [ticket]
    # Bad input: nothing is written.
    client.post(f"/contacts/{contact.pk}/ticket/", {"subject": "", "category": "consult"})
    client.post(f"/contacts/{contact.pk}/ticket/", {"subject": "x", "category": "no.such"})
    assert Ticket.objects.count() == 1


def test_reply_from_the_contact_page_is_a_public_reply_on_the_ticket(client, agent, customer):
    ticket = make_ticket(actor=agent, customer=customer, channel="email", subject="发票")
    contact = make_contact(kind="email", state="active", agent=agent, customer=customer)
    contact_link_ticket(actor=agent, contact=contact, ticket=ticket)
    client.force_login(agent)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'action="/contacts/{contact.pk}/reply/"' in page
    response = client.post(
        f"/contacts/{contact.pk}/reply/",
        {"ticket": ticket.number, "body": "您好，发票已寄出。"},
    )
    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=ticket, kind="reply")
    assert reply.is_public and reply.body == "您好，发票已寄出。" and reply.actor == agent

    other = make_ticket(actor=agent, customer=customer, channel="email", subject="不相关")
    client.post(f"/contacts/{contact.pk}/reply/", {"ticket": other.number, "body": "不应发出"})
    client.post(f"/contacts/{contact.pk}/reply/", {"ticket": ticket.number, "body": "  "})
    assert TicketEvent.objects.filter(kind="reply").count() == 1


def test_calls_and_chats_have_no_reply_box_and_chats_link_to_the_console(
    client, agent, team, customer
):
    call = _call(agent)
    chat = make_contact(kind="chat", state="active", agent=agent, team=team)
    client.force_login(agent)
    page = client.get(f"/contacts/{call.pk}/").content.decode()
    assert 'id="contact-reply"' not in page
    page = client.get(f"/contacts/{chat.pk}/").content.decode()
    assert 'id="contact-reply"' not in page
    assert f'href="/chat/console/?contact={chat.pk}"' in page


def test_ticket_page_shows_the_customer_speaking_and_linked_contacts(client, agent, ticket):
    contact = _call(agent)
    contact_link_ticket(actor=agent, contact=contact, ticket=ticket)
    ticket_customer_message(ticket=ticket, body="师傅什么时候到？", channel="sms")
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    entry = page.split('class="kind-customer_message"')[1].split("</li>")[0]
    assert (
        "师傅什么时候到？" in entry and "李明" in entry and "短信" in entry
    )  # the channel, in the default language
    panel = page.split('id="ticket-contacts"')[1].split("</ul>")[0]
    assert f'href="/contacts/{contact.pk}/"' in panel
