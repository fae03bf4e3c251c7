"""E-mail over real SMTP (TEC-7, SCR-5): a customer's mail into kefu's listener opens a ticket,
the agent's reply leaves through a real SMTP server with threading headers, and the customer's
answer to that reply threads back onto the same ticket.

The listener runs in its own thread, so these tests commit (``transaction=True``).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from django.test import Client

from kefu.channels.email.listener import listener_bind, smtp_listener_start
from kefu.channels.models import Contact, ContactMessage, ContactState, MessageStatus
from kefu.channels.tests.email_servers import CapturingSmtp
from kefu.config import smtp_settings
from kefu.core.errors import InvalidInput
from kefu.customers.models import Customer
from kefu.notify.models import OutboundMessage, OutboundStatus
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket, TicketEventKind

CUSTOMER = "wangfang@example.com"
SUPPORT = "service@kefu.test"


@pytest.fixture
def mail_settings(settings, tmp_path, team):
    settings.DATA_DIR = tmp_path
    settings.KEFU_SUPPORT_EMAIL = SUPPORT
    settings.KEFU_EMAIL_TEAM = team.name
    settings.KEFU_CENTER_NAME = "海尔客服中心"
    settings.KEFU_CENTER_PHONE = "400-699-9999"
    settings.LANGUAGE_CODE = "en"  # the template's English text; zh-hans comes from the .po
    return settings


@pytest.fixture
def listener(mail_settings) -> Iterator[int]:
    controller = smtp_listener_start("127.0.0.1:0")
    try:
        yield int(controller.port)
    finally:
        controller.stop()


@pytest.fixture
def upstream(mail_settings) -> Iterator[CapturingSmtp]:
    """The company's outgoing mail server: kefu sends through it as KEFU_SMTP_URL says."""
    with CapturingSmtp() as server:
        for name, value in smtp_settings(
            f"smtp://127.0.0.1:{server.port}", mail_settings.DATA_DIR
        ).items():
            setattr(mail_settings, name, value)
        yield server


def first_mail() -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = f"王芳 <{CUSTOMER}>"
    message["To"] = SUPPORT
    message["Subject"] = "洗衣机漏水"
    message["Message-ID"] = "<first@example.com>"
    message.set_content("您好，我家的洗衣机漏水，请尽快安排维修。\n型号 XQG100。")
    return message


def send(port: int, message: EmailMessage | bytes, sender: str = CUSTOMER) -> None:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(sender, [SUPPORT], raw)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_in_reply_out_and_the_answer_threads_back(listener, upstream, agent):
    send(listener, first_mail())
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject, ticket.team_id) == (
        "email",
        "洗衣机漏水",
        agent.team_id,
    )
    inbound = ContactMessage.objects.get()
    assert inbound.external_id == "first@example.com"

    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        {"body": "已为您安排师傅明天上午上门检修。"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["event"]["kind"] == TicketEventKind.REPLY and data["event"]["public"] is True
    assert data["email"]["status"] in (MessageStatus.QUEUED, MessageStatus.SENT)

    # The outbox delivered it after commit through the real SMTP server.
    assert len(upstream.messages) == 1
    reply = upstream.messages[0]
    outbound = ContactMessage.objects.get(pk=data["email"]["id"])
    assert outbound.status == MessageStatus.SENT
    assert OutboundMessage.objects.get().status == OutboundStatus.SENT
    assert reply["Message-ID"] == f"<{outbound.external_id}>" == f"<{data['email']['message_id']}>"
    assert outbound.external_id.endswith("@kefu.test")
    assert reply["In-Reply-To"] == "<first@example.com>"
    assert reply["References"] == "<first@example.com>"
    assert reply["Subject"] == f"Re: 洗衣机漏水 [{ticket.number}]"
    assert reply["From"] == SUPPORT and reply["To"] == CUSTOMER
    # SCR-5: salutation, thanks, the answer, polite ending with the center's contact details.
    body = reply.get_content()
    assert body.startswith("Dear 王芳,")
    assert "Thank you for contacting us." in body
    assert "已为您安排师傅明天上午上门检修。" in body
    for detail in ("海尔客服中心", "400-699-9999", SUPPORT, ticket.number):
        assert detail in body
    assert "> 您好，我家的洗衣机漏水，请尽快安排维修。" in body
    contact = Contact.objects.get()
    assert contact.state == ContactState.ACTIVE and contact.answered_at is not None
    assert contact.wait_seconds is not None and contact.agent == agent

    # The customer answers the mail they received: their client sets the threading headers.
    answer = EmailMessage(policy=SMTP)
    answer["From"] = f"王芳 <{CUSTOMER}>"
    answer["To"] = SUPPORT
    answer["Subject"] = "Re: " + reply["Subject"]
    answer["Message-ID"] = "<answer@example.com>"
    answer["In-Reply-To"] = reply["Message-ID"]
    answer["References"] = f"{reply['References']} {reply['Message-ID']}"
    answer.set_content("好的，明天上午我在家。")
    send(listener, answer)

    assert Ticket.objects.count() == 1
    assert Contact.objects.count() == 1
    event = ticket.events.get(kind=TicketEventKind.CUSTOMER_MESSAGE)
    assert event.body == "好的，明天上午我在家。"
    messages = list(ContactMessage.objects.order_by("id").values_list("direction", "external_id"))
    assert messages == [
        ("inbound", "first@example.com"),
        ("outbound", outbound.external_id),
        ("inbound", "answer@example.com"),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_listener_refuses_oversized_and_malformed_mail(mail_settings, team):
    mail_settings.KEFU_INBOUND_MAX_BYTES = 5_000
    controller = smtp_listener_start("127.0.0.1:0")
    try:
        big = first_mail()
        big.add_attachment(b"x" * 8_000, maintype="application", subtype="octet-stream")
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as too_big:
            send(controller.port, big)
        assert too_big.value.smtp_code == 552

        # Without the SIZE announcement the data itself is refused, also with 552.
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=10) as client:
            client.ehlo()
            client.esmtp_features.pop("size", None)
            with pytest.raises(smtplib.SMTPDataError) as still_big:
                client.sendmail(CUSTOMER, [SUPPORT], big.as_bytes())
        assert still_big.value.smtp_code == 552

        malformed = (
            b"From: wangfang@example.com\r\nSubject: x\r\n"
            b"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\nno boundary ever\r\n"
        )
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(controller.port, malformed)
        assert refused.value.smtp_code == 554
        assert b"malformed MIME" in refused.value.smtp_error

        assert Ticket.objects.count() == 0
        assert ContactMessage.objects.count() == 0 and Customer.objects.count() == 0

        send(controller.port, first_mail())  # a good mail still gets in
        assert Ticket.objects.count() == 1
    finally:
        controller.stop()


@pytest.mark.django_db
def test_replies_api_refuses_bad_requests(agent, qa, ticket):
    client = Client()
    client.force_login(agent)
    url = f"/api/v1/tickets/{ticket.number}/replies"
    empty = client.post(url, {"body": ""}, content_type="application/json")
    assert empty.status_code == 422, empty.content
    assert empty.json()["field"] == "body"
    blank = client.post(url, {"body": "   "}, content_type="application/json")
    assert blank.status_code == 422
    unknown = client.post(
        "/api/v1/tickets/20000101-999999/replies", {"body": "hi"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    reader = Client()
    reader.force_login(qa)
    assert reader.post(url, {"body": "hi"}, content_type="application/json").status_code == 403
    assert ticket.events.filter(kind=TicketEventKind.REPLY).count() == 0


@pytest.mark.django_db
def test_a_reply_on_a_phone_ticket_sends_no_mail(agent, ticket):
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        {"body": "已处理"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["email"] is None
    assert OutboundMessage.objects.filter(subject__contains=ticket.number).count() == 0


@pytest.mark.django_db
def test_an_email_ticket_typed_in_by_an_agent_is_answered_at_the_customers_address(
    mail_settings, agent, customer
):
    ticket = make_ticket(actor=agent, channel="email", customer=customer, subject="发票")
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        {"body": "发票已开具"},
        content_type="application/json",
    )
    email = response.json()["email"]
    outbox = OutboundMessage.objects.get()
    assert outbox.to_address == "li@example.com"  # the customer's e-mail identity
    assert outbox.headers["Message-ID"] == f"<{email['message_id']}>"
    assert "In-Reply-To" not in outbox.headers
    assert outbox.subject == f"Re: 发票 [{ticket.number}]"
    assert outbox.body.startswith("Dear 李明,")


def test_smtp_url_forms():
    plain = smtp_settings("smtp://mail.example.com:25", None)
    assert (plain["EMAIL_USE_TLS"], plain["EMAIL_USE_SSL"], plain["EMAIL_PORT"]) == (
        False,
        False,
        25,
    )
    starttls = smtp_settings("smtp://u:p%40ss@mail.example.com:587?starttls", None)
    assert (starttls["EMAIL_USE_TLS"], starttls["EMAIL_USE_SSL"]) == (True, False)
    assert starttls["EMAIL_HOST_PASSWORD"] == "p@ss"
    ssl = smtp_settings("smtps://mail.example.com", None)
    assert (ssl["EMAIL_USE_TLS"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_PORT"]) == (False, True, 465)


def test_listener_bind_is_checked():
    assert listener_bind("127.0.0.1:2525").port == 2525
    assert listener_bind("[::1]:25").host == "::1"
    for bad in ("", "localhost", "host:port", ":25", "127.0.0.1:99999"):
        with pytest.raises(InvalidInput):
            listener_bind(bad)
