"""The inbound SMTP listener (aiosmtpd) that ``kefu worker`` runs when ``KEFU_INBOUND_SMTP``
is set: the company's mail server (or an MX) forwards customer mail to it.

It accepts mail for any recipient — routing is the job of the mail server in front — and
answers each mail after it is stored, so a ``250`` means kefu has it:

- ``552 5.3.4`` for a mail over ``KEFU_INBOUND_MAX_MB`` (also announced in EHLO ``SIZE``);
- ``554 5.6.0`` for a mail that cannot be read (malformed MIME, no or bad From);
- ``451 4.3.0`` when kefu could not store it (database busy…): the sender tries again later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections

from kefu.channels.email.inbound import InboundResult, email_receive
from kefu.channels.email.mime import MailRejected, inbound_max_bytes
from kefu.core.errors import InvalidInput

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bind:
    host: str
    port: int


def listener_bind(value: str) -> Bind:
    """``host:port`` (``[::1]:2525`` for IPv6) as a :class:`Bind`, or InvalidInput."""
    text = (value or "").strip()
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65_535:
        raise InvalidInput(
            f"KEFU_INBOUND_SMTP must be host:port, e.g. 127.0.0.1:2525, not {text!r}",
            field="KEFU_INBOUND_SMTP",
        )
    return Bind(host, int(port_text))


def _receive(raw: bytes, mail_from: str | None) -> InboundResult:
    # Runs on a worker thread: Django's connection there must not outlive its use.
    close_old_connections()
    try:
        return email_receive(raw, envelope_from=mail_from)
    finally:
        close_old_connections()


class InboundMailHandler:
    """aiosmtpd handler: every recipient accepted, every mail stored before the answer."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            result = await asyncio.to_thread(_receive, bytes(raw), envelope.mail_from)
        except MailRejected as exc:
            logger.info("inbound mail refused: %s", exc.smtp_reply)
            return exc.smtp_reply
        except Exception:
            logger.exception("inbound mail could not be stored")
            return "451 4.3.0 the mail could not be stored now; try again later"
        return f"250 2.0.0 OK {result.outcome} {result.message.pk}"


class InboundSmtpController(Controller):
    """aiosmtpd's threaded controller; with port 0 it listens on a free port (for tests)."""

    def _trigger_server(self) -> None:
        server = getattr(self, "server", None)
        if self.port == 0 and isinstance(server, asyncio.Server):
            self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


def smtp_listener_start(bind: str | Bind | None = None) -> InboundSmtpController:
    """Start listening (in a thread of its own) on ``bind`` or ``KEFU_INBOUND_SMTP``.

    The caller stops it with ``.stop()``; ``.port`` is the port actually bound.
    """
    where = bind if isinstance(bind, Bind) else listener_bind(bind or settings.KEFU_INBOUND_SMTP)
    controller = InboundSmtpController(
        InboundMailHandler(),
        hostname=where.host,
        port=where.port,
        data_size_limit=inbound_max_bytes(),
        ident="kefu",
        # The name in the greeting; without it aiosmtpd asks DNS for this host's FQDN.
        server_hostname=settings.KEFU_SUPPORT_EMAIL.rpartition("@")[2] or "kefu",
    )
    controller.start()
    logger.info("inbound SMTP listening on %s:%s", where.host, controller.port)
    return controller
