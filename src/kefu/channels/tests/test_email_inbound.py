"""Customer e-mail coming in (TEC-7): parsing, threading, auto-replies, duplicates, bad input.

Every mail goes through ``email_receive`` exactly as the SMTP listener and the IMAP poller hand
it over; see test_email_smtp.py and test_email_imap.py for the protocols in front of it.
"""

from __future__ import annotations

import base64
import datetime as dt
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from django.db import IntegrityError

from kefu.audit.models import AuditEvent
from kefu.channels.email.inbound import Outcome, email_receive
from kefu.channels.email.mime import SMTP_REFUSED, SMTP_TOO_BIG, MailRejected
from kefu.channels.models import (
    Contact,
    ContactAttachment,
    ContactKind,
    ContactMessage,
    ContactState,
    InboundMessageKey,
)
from kefu.core.crypto import decrypt_bytes
from kefu.core.errors import InvalidInput
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_find_by_identity
from kefu.tickets.models import Ticket, TicketEvent, TicketEventKind
from kefu.tickets.services import ticket_create, ticket_transition
from kefu.tickets.states import TicketStatus


@pytest.fixture(autouse=True)
def mail_settings(settings, tmp_path, team):
    settings.DATA_DIR = tmp_path
    settings.KEFU_SUPPORT_EMAIL = "service@kefu.test"
    settings.KEFU_EMAIL_TEAM = team.name
    return settings


def mail(
    *,
    sender: str = "王芳 <wangfang@example.com>",
    subject: str = "洗衣机漏水",
    body: str = "您好，我家的洗衣机漏水，请尽快安排维修。",
    message_id: str | None = "<m1@example.com>",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = "service@kefu.test"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def counts() -> tuple[int, ...]:
    return (
        Contact.objects.count(),
        ContactMessage.objects.count(),
        Ticket.objects.count(),
        Customer.objects.count(),
        TicketEvent.objects.count(),
        ContactAttachment.objects.count(),
    )


@pytest.mark.django_db
def test_a_new_mail_opens_a_ticket_for_a_new_customer(team):
    result = email_receive(mail())
    assert result.outcome == Outcome.NEW_TICKET
    ticket = result.ticket
    assert ticket is not None
    assert (ticket.channel, ticket.subject, ticket.team) == ("email", "洗衣机漏水", team)
    assert ticket.category.code == "consult"  # KEFU_EMAIL_CATEGORY's default
    assert "洗衣机漏水" in ticket.description
    customer = customer_find_by_identity(kind=IdentityKind.EMAIL, value="wangfang@example.com")
    assert customer is not None and customer.name == "王芳"
    assert ticket.customer == customer
    contact = result.message.contact
    assert (contact.kind, contact.state, contact.customer) == (
        ContactKind.EMAIL,
        ContactState.QUEUED,
        customer,
    )
    assert contact.address == "wangfang@example.com"
    assert list(contact.tickets.all()) == [ticket]
    assert result.message.external_id == "m1@example.com"
    assert AuditEvent.objects.filter(verb="contact.email_received").count() == 1


@pytest.mark.django_db
def test_gbk_and_gb2312_mail_is_decoded():
    subject = "=?gbk?b?" + base64.b64encode("冰箱不制冷，镕".encode("gbk")).decode() + "?="
    name = "=?gb2312?b?" + base64.b64encode("张三".encode("gb2312")).decode() + "?="
    raw = (
        (
            f"From: {name} <zhangsan@example.cn>\r\nTo: service@kefu.test\r\n"
            f"Subject: {subject}\r\nMessage-ID: <gbk-1@example.cn>\r\nMIME-Version: 1.0\r\n"
            # Declared GB2312 but holding a GBK-only character (镕), as real mailers do.
            "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + "冰箱买了三天就不制冷了，朱镕基路的门店说要找客服。".encode("gbk")
        + b"\r\n"
    )
    result = email_receive(raw)
    assert result.message.subject == "冰箱不制冷，镕"
    assert result.message.body == "冰箱买了三天就不制冷了，朱镕基路的门店说要找客服。"
    assert result.ticket is not None and result.ticket.customer.name == "张三"


@pytest.mark.django_db
def test_html_is_sanitized_and_a_text_version_derived():
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<p onclick='steal()'>您好</p><script>alert('x')</script>"
        "<p>订单号 <a href='javascript:alert(1)'>12345</a></p></body></html>"
    )
    message = EmailMessage(policy=SMTP)
    message["From"] = "li@example.com"
    message["Subject"] = "HTML only"
    message["Message-ID"] = "<html-1@example.com>"
    message.set_content(html, subtype="html")
    stored = email_receive(message.as_bytes()).message
    assert "script" not in stored.html and "alert" not in stored.html
    assert "onclick" not in stored.html and "javascript" not in stored.html
    assert "<p>您好</p>" in stored.html
    assert stored.body == "您好\n\n订单号 12345"


@pytest.mark.django_db
def test_remote_images_are_stripped_from_html_mail():
    """A remote image is a tracking pixel (it reveals when and from where an agent read the
    mail): only images inside the mail (cid:) or inline (data:image/…) are kept."""
    result = email_receive(
        mail(
            html='<p>发票</p><img src="http://tracker.example/p.gif">'
            '<img src="HTTPS://tracker.example/q.gif"><img src="//tracker.example/r.gif">'
            '<img src="cid:logo@example.com"><img src="data:image/png;base64,iVBORw0KGgo=">'
            '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
            '<a href="data:text/html,hi">x</a><a href="https://shop.example/">店铺</a>'
        )
    )
    html = result.message.html
    assert "tracker.example" not in html and "svg" not in html and "data:text" not in html
    assert 'src="cid:logo@example.com"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert 'href="https://shop.example/"' in html


@pytest.mark.django_db
def test_plain_and_html_alternatives_keep_both():
    result = email_receive(mail(html="<p>HTML <b>版本</b><script>x()</script></p>"))
    assert result.message.body.startswith("您好，我家的洗衣机漏水")
    assert result.message.html == "<p>HTML <b>版本</b></p>\n"


@pytest.mark.django_db
def test_attachments_are_stored_encrypted(tmp_path):
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    result = email_receive(
        mail(
            attachments=[
                ("漏水照片.png", "image/png", photo),
                ("单据.pdf", "application/pdf", b"%PDF-1.4 x"),
            ]
        )
    )
    files = list(result.message.attachments.order_by("id"))
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("漏水照片.png", "image/png", len(photo)),
        ("单据.pdf", "application/pdf", 10),
    ]
    stored = Path(tmp_path) / files[0].storage_name
    on_disk = stored.read_bytes()
    assert photo not in on_disk  # encrypted at rest (SEC-1)
    assert decrypt_bytes(on_disk) == photo


@pytest.mark.django_db
def test_the_same_message_id_again_changes_nothing():
    first = email_receive(mail())
    before = counts()
    again = email_receive(mail(body="不同的内容也不算新邮件"))
    assert again.outcome == Outcome.DUPLICATE
    assert again.message.pk == first.message.pk
    assert counts() == before


@pytest.mark.django_db
def test_a_message_id_claimed_by_a_simultaneous_delivery_writes_nothing():
    """The database, not a read, decides which of two simultaneous deliveries stores a mail:
    each stored mail claims its Message-ID, and a mail whose Message-ID is claimed writes
    nothing (on PostgreSQL the second claim waits for the first and then finds a duplicate)."""
    email_receive(mail())
    assert InboundMessageKey.objects.filter(
        kind=ContactKind.EMAIL, external_id="m1@example.com"
    ).exists()
    InboundMessageKey.objects.create(
        kind=ContactKind.EMAIL, external_id="m2@example.com", created_at=now()
    )
    before = counts()
    with pytest.raises(IntegrityError):
        email_receive(mail(message_id="<m2@example.com>"))
    assert counts() == before


@pytest.mark.django_db
def test_a_mail_without_message_id_is_a_duplicate_when_its_bytes_repeat():
    raw = mail(message_id=None)
    first = email_receive(raw)
    before = counts()
    assert email_receive(raw).outcome == Outcome.DUPLICATE
    assert counts() == before
    assert first.message.external_id.endswith("@kefu.no-message-id")


@pytest.mark.django_db
def test_a_reply_by_headers_goes_on_the_same_ticket():
    first = email_receive(mail())
    answer = email_receive(
        mail(
            subject="Re: 洗衣机漏水",
            body="补充：型号是 XQG100。",
            message_id="<m2@example.com>",
            headers={"In-Reply-To": "<m1@example.com>", "References": "<m1@example.com>"},
        )
    )
    assert answer.outcome == Outcome.FOLLOW_UP and answer.threaded_by == "headers"
    assert answer.ticket == first.ticket
    assert answer.message.contact_id == first.message.contact_id
    event = TicketEvent.objects.get(ticket=first.ticket, kind=TicketEventKind.CUSTOMER_MESSAGE)
    assert event.body == "补充：型号是 XQG100。"
    assert event.data["channel"] == "email"
    assert event.data["contact_message"] == answer.message.pk
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_ticket_number_in_the_subject_threads_for_the_same_customer_only():
    first = email_receive(mail())
    number = first.ticket.number
    same = email_receive(
        mail(subject=f"还是没修好 [{number}]", message_id="<m3@example.com>", body="还在漏")
    )
    assert (same.outcome, same.threaded_by, same.ticket) == (
        Outcome.FOLLOW_UP,
        "subject",
        first.ticket,
    )
    stranger = email_receive(
        mail(
            sender="someone@other.example",
            subject=f"Re: [{number}]",
            message_id="<m4@other.example>",
        )
    )
    assert stranger.outcome == Outcome.NEW_TICKET
    assert stranger.ticket != first.ticket


@pytest.mark.django_db
def test_the_ticket_number_of_a_ticket_without_customer_does_not_thread(manager):
    """A phone ticket has no customer: anyone could name its number. The mail starts a new
    thread and the resolved ticket stays resolved."""
    phone_ticket = ticket_create(
        actor=manager, subject="来电咨询", category="consult", channel="phone"
    )
    Ticket.objects.filter(pk=phone_ticket.pk).update(solution="电话中已解答")  # CLS-3
    for status in (TicketStatus.OPEN, TicketStatus.RESOLVED):
        phone_ticket = ticket_transition(
            actor=manager, ticket=phone_ticket, to=status, reason="处理"
        )
    events = phone_ticket.events.count()

    result = email_receive(mail(subject=f"Re: 来电咨询 [{phone_ticket.number}]"))

    assert (result.outcome, result.threaded_by) == (Outcome.NEW_TICKET, "new")
    assert result.ticket != phone_ticket
    phone_ticket.refresh_from_db()
    assert phone_ticket.status == TicketStatus.RESOLVED
    assert phone_ticket.events.count() == events


@pytest.mark.django_db
def test_a_follow_up_on_a_cancelled_ticket_opens_a_new_one(manager):
    first = email_receive(mail())
    ticket_transition(actor=manager, ticket=first.ticket, to=TicketStatus.CANCELLED, reason="重复")
    answer = email_receive(
        mail(message_id="<m5@example.com>", headers={"In-Reply-To": "<m1@example.com>"})
    )
    assert answer.outcome == Outcome.NEW_TICKET
    assert answer.ticket != first.ticket
    assert answer.message.contact_id == first.message.contact_id  # same conversation
    assert set(first.message.contact.tickets.all()) == {first.ticket, answer.ticket}


@pytest.mark.django_db
def test_a_resolved_ticket_reopens_when_the_customer_writes(manager):
    first = email_receive(mail())
    ticket = first.ticket
    Ticket.objects.filter(pk=ticket.pk).update(solution="已上门更换进水管")  # CLS-3
    for status in (TicketStatus.OPEN, TicketStatus.RESOLVED):
        ticket = ticket_transition(actor=manager, ticket=ticket, to=status, reason="处理")
    email_receive(mail(message_id="<m6@example.com>", headers={"References": "<m1@example.com>"}))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


AUTO_REPLIES = {
    "auto-submitted": {"Auto-Submitted": "auto-replied"},
    "precedence-bulk": {"Precedence": "bulk"},
    "precedence-junk": {"Precedence": "junk"},
    "x-autoreply": {"X-Autoreply": "yes"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", AUTO_REPLIES.values(), ids=AUTO_REPLIES.keys())
def test_auto_replies_are_stored_and_never_answered(headers):
    first = email_receive(mail())
    before_events = TicketEvent.objects.count()
    auto = email_receive(
        mail(
            subject="自动回复：我正在休假",
            message_id="<auto@example.com>",
            headers={"In-Reply-To": "<m1@example.com>", **headers},
        )
    )
    assert auto.outcome == Outcome.AUTO_GENERATED
    assert auto.message.auto_generated is True
    assert auto.ticket == first.ticket  # shown with the conversation …
    assert TicketEvent.objects.count() == before_events  # … but nothing happens on the ticket
    assert Ticket.objects.count() == 1


def bounce() -> bytes:
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        b"To: service@kefu.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--R--\r\n"
    )


@pytest.mark.django_db
def test_a_bounce_opens_no_ticket_and_creates_no_customer():
    result = email_receive(bounce())
    assert result.outcome == Outcome.AUTO_GENERATED
    assert result.ticket is None
    assert result.message.auto_generated is True
    assert Ticket.objects.count() == 0 and Customer.objects.count() == 0
    assert result.message.body == "The mail could not be delivered."


@pytest.mark.django_db
def test_an_empty_envelope_sender_is_a_bounce():
    result = email_receive(mail(), envelope_from="<>")
    assert result.outcome == Outcome.AUTO_GENERATED
    assert Ticket.objects.count() == 0


MALFORMED = {
    "no headers": b"just some text, no header at all",
    "no boundary": (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n"
        b"the boundary never comes\r\n"
    ),
    "no from": b"Subject: hello\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n",
    "bad from": b"From: not an address\r\nSubject: hello\r\n\r\nbody\r\n",
    "empty": b"",
}


@pytest.mark.django_db
@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_mail_is_refused_and_nothing_is_written(raw, tmp_path):
    before = counts()
    with pytest.raises(MailRejected) as refused:
        email_receive(raw)
    assert refused.value.smtp_code == SMTP_REFUSED
    assert refused.value.smtp_reply.startswith("554 ")
    assert counts() == before
    assert not (Path(tmp_path) / "mail-attachments").exists()


@pytest.mark.django_db
def test_oversized_mail_is_refused_with_552(settings):
    settings.KEFU_INBOUND_MAX_BYTES = 10_000
    with pytest.raises(MailRejected) as refused:
        email_receive(mail(attachments=[("big.bin", "application/octet-stream", b"x" * 20_000)]))
    assert refused.value.smtp_code == SMTP_TOO_BIG
    assert counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_and_no_file(settings, tmp_path):
    settings.KEFU_EMAIL_CATEGORY = "no.such.category"  # the customer is created, then refused
    before = counts()
    with pytest.raises(InvalidInput, match="category"):
        email_receive(mail(attachments=[("a.txt", "text/plain", b"hello")]))
    assert counts() == before
    folder = Path(tmp_path) / "mail-attachments"
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_the_mail_date_does_not_matter_for_storage_time():
    raw = mail(headers={"Date": "Mon, 01 Jan 2001 00:00:00 +0800"})
    stored = email_receive(raw).message
    assert stored.created_at > dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_benchmark_mails_all_get_in():
    import random

    from kefu.channels.email.bench import measure_email

    result = measure_email(40, random.Random(3))
    assert result["email_in"] == 40 and result["email_in_per_s"] > 0
    assert set(result["email_in_outcomes"]) <= {"new_ticket", "follow_up", "auto_generated"}
