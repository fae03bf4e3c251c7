"""An agent's public reply on an e-mail ticket goes to the customer by e-mail (TEC-7, SCR-5).

Registered as ``REPLY_SENDERS["email"]``; ``ticket_comment`` calls it inside the reply's
transaction. The mail is queued through the outbox (sent after commit by the worker, through
``KEFU_SMTP_URL`` from ``KEFU_SUPPORT_EMAIL``) and recorded on the thread as an outbound
message with the Message-ID it will carry, so the customer's answer threads back:

- ``Subject: Re: <thread subject> [<ticket number>]`` — clear, and the number threads too;
- ``In-Reply-To`` the customer's latest mail, ``References`` its references plus that mail;
- the body follows SCR-5 (template ``channels/email/reply.txt``): salutation, thanks, the
  agent's text, a polite ending with the center's name, phone and e-mail, the ticket number,
  and the customer's mail quoted below.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from kefu.audit.services import audit_record
from kefu.channels.email.threading import reply_subject, stored_message_id, thread_key
from kefu.channels.models import (
    Contact,
    ContactKind,
    ContactMessage,
    ContactState,
    Direction,
    MessageStatus,
    Speaker,
)
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.notify.models import OutboundChannel
from kefu.notify.services import outbox_enqueue

logger = logging.getLogger(__name__)
REFERENCES_KEPT = 20
QUOTE_LINES = 40


def reply_dedupe_key(event_id: int) -> str:
    """The outbox key of the e-mail carrying reply event ``event_id`` (one mail per reply)."""
    return f"ticket-reply:{event_id}:email"


def new_message_id(number: str) -> str:
    domain = settings.KEFU_SUPPORT_EMAIL.rpartition("@")[2] or "localhost"
    return f"kefu.{number}.{uuid.uuid4().hex[:16]}@{domain}"


def _customer_address(ticket: Any, contact: Contact | None) -> str:
    if contact is not None and contact.address:
        return str(contact.address)
    if ticket.customer_id:
        identity = (
            ticket.customer.identities.filter(kind=IdentityKind.EMAIL)
            .order_by("-is_primary", "id")
            .first()
        )
        if identity is not None:
            return str(identity.value)
    return ""


def _salutation_name(ticket: Any) -> str:
    name = (getattr(ticket.customer, "name", "") or "").strip() if ticket.customer_id else ""
    return "" if "@" in name else name  # a customer named after their address is unnamed


def _quote(message: ContactMessage | None) -> str:
    if message is None or not message.body:
        return ""
    lines = message.body.splitlines()[:QUOTE_LINES]
    return "\n".join(f"> {line}" for line in lines)


def email_reply_body(*, ticket: Any, body: str, answered: ContactMessage | None = None) -> str:
    """The text of a reply mail, in the center's language (not the agent's screen language)."""
    with translation.override(settings.LANGUAGE_CODE):
        when = (
            formats.date_format(answered.created_at, "SHORT_DATETIME_FORMAT")
            if answered is not None
            else ""
        )
        return (
            render_to_string(
                "channels/email/reply.txt",
                {
                    "customer_name": _salutation_name(ticket),
                    "body": body,
                    "center_name": settings.KEFU_CENTER_NAME,
                    "center_phone": settings.KEFU_CENTER_PHONE,
                    "support_email": settings.KEFU_SUPPORT_EMAIL,
                    "number": ticket.number,
                    "quoted": _quote(answered),
                    "when": when,
                },
            ).strip()
            + "\n"
        )


def email_reply_send(*, ticket: Any, event: Any) -> ContactMessage | None:
    """Queue ``event`` (a public reply on ``ticket``) as an e-mail to the customer.

    Returns the outbound message recorded on the thread, or None when the ticket has no
    e-mail address to write to (the reply stays on the timeline; the log says why).
    """
    contact = (
        Contact.objects.select_for_update()
        .filter(kind=ContactKind.EMAIL, tickets=ticket)
        .order_by("-updated_at", "-id")
        .first()
    )
    address = _customer_address(ticket, contact)
    if not address:
        logger.warning("ticket %s: e-mail reply not sent, no customer address", ticket.number)
        return None
    moment = now()
    thread = contact.messages.exclude(external_id="") if contact is not None else None
    answered = (
        thread.filter(direction=Direction.INBOUND, auto_generated=False)
        .order_by("-created_at", "-id")
        .first()
        if thread is not None
        else None
    )
    parent = answered or (
        thread.order_by("-created_at", "-id").first() if thread is not None else None
    )
    references: list[str] = []
    if parent is not None:
        references = [*parent.references.split(), f"<{parent.external_id}>"]
        references = list(dict.fromkeys(references))[-REFERENCES_KEPT:]
    message_id = new_message_id(ticket.number)
    subject = reply_subject(
        (contact.subject if contact is not None else "") or ticket.subject, ticket.number
    )
    headers = {"Message-ID": f"<{message_id}>"}
    if parent is not None:
        headers["In-Reply-To"] = f"<{parent.external_id}>"
        headers["References"] = " ".join(references)
    text = email_reply_body(ticket=ticket, body=event.body, answered=answered)
    outbound = outbox_enqueue(
        to_address=address,
        subject=subject,
        body=text,
        dedupe_key=reply_dedupe_key(event.pk),
        channel=OutboundChannel.EMAIL,
        headers=headers,
    )
    if outbound is None:  # this reply was queued before
        return ContactMessage.objects.filter(
            outbound__dedupe_key=reply_dedupe_key(event.pk)
        ).first()
    agent = event.actor if getattr(event.actor, "pk", None) else None
    if contact is None:
        contact = Contact.objects.create(
            kind=ContactKind.EMAIL,
            direction=Direction.OUTBOUND,
            external_id=thread_key(message_id),
            customer=ticket.customer,
            agent=agent,
            address=address,
            state=ContactState.ACTIVE,
            subject=subject[:500],
            answered_at=moment,
            created_at=moment,
            updated_at=moment,
        )
        contact.tickets.add(ticket)
    else:
        if contact.state == ContactState.QUEUED:  # the first answer to this thread
            contact.state = ContactState.ACTIVE
            contact.answered_at = moment
            if contact.queued_at is not None:
                contact.wait_seconds = (moment - contact.queued_at).total_seconds()
        if contact.agent_id is None:
            contact.agent = agent
        contact.updated_at = moment
        contact.save(update_fields=["state", "answered_at", "wait_seconds", "agent", "updated_at"])
    message = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.OUTBOUND,
        speaker=Speaker.AGENT,
        author=agent,
        ticket=ticket,
        subject=subject[:500],
        body=text,
        external_id=stored_message_id(message_id),
        in_reply_to=headers.get("In-Reply-To", ""),
        references=headers.get("References", ""),
        status=MessageStatus.QUEUED,
        outbound=outbound,
        created_at=moment,
    )
    audit_record(
        actor=event.actor,
        verb="contact.email_queued",
        target=contact,
        after={"message": message.pk, "outbound": outbound.pk, "ticket": ticket.number},
    )
    return message
