"""Helpers of the portal tests (TEC-6): submit a request, read the message the outbox holds,
open its link with its code — all through the real pages and the real outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from kefu.notify.models import OutboundMessage
from kefu.tickets.models import Ticket

LINK = re.compile(r"https?://[^\s]+/portal/a/[A-Za-z0-9_-]+/")
SIX_DIGITS = re.compile(r"(?<![\d-])\d{6}(?![\d-])")
FORM = {
    "kind": "after_sales",
    "name": "张伟",
    "phone": "13900139000",
    "email": "",
    "subject": "洗衣机漏水",
    "description": "新买的洗衣机第一次用就漏水，希望上门维修。",
    "website": "",
}


@dataclass(frozen=True)
class CodeMessage:
    message: OutboundMessage
    link: str
    path: str
    code: str


def submit(client: Client, *, ip: str = "10.0.0.1", **changes: Any) -> Any:
    return client.post("/portal/", {**FORM, **changes}, REMOTE_ADDR=ip)


def code_message(message: OutboundMessage | None = None) -> CodeMessage:
    """The link and the code of a portal message (the newest one unless given)."""
    message = message or OutboundMessage.objects.order_by("-id").first()
    assert message is not None, "the outbox holds no message"
    links = LINK.findall(message.body)
    assert len(links) == 1, message.body
    rest = message.body.replace(links[0], " ")
    for ticket_number in re.findall(r"\d{8}-\d{6,}", rest):
        rest = rest.replace(ticket_number, " ")
    codes = SIX_DIGITS.findall(rest)
    assert len(codes) == 1, message.body
    return CodeMessage(message, links[0], urlsplit(links[0]).path, codes[0])


def open_with_code(client: Client, found: CodeMessage) -> Any:
    """Follow the link and enter the code; the response is the redirect to the ticket."""
    assert client.get(found.path).status_code == 200
    return client.post(found.path, {"code": found.code})


def submitted_ticket(client: Client, **changes: Any) -> tuple[Ticket, CodeMessage]:
    response = submit(client, **changes)
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.order_by("-id").first()
    assert ticket is not None
    return ticket, code_message()


def without_csrf(html: str) -> str:
    """A page with its per-response CSRF tokens blanked, for comparing two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
