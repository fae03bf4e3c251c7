"""Conversations of the message channels SMS and WeChat: customer messages in, replies out (TEC-7).

A customer's messages on one channel form one conversation (a :class:`Contact`) while they keep
writing: a message within ``KEFU_CONVERSATION_WINDOW_HOURS`` of the conversation's last activity
joins it, a later one starts a new conversation (the old one is ended). Each message goes onto
the customer's latest ticket of that channel when the ticket still takes messages
(``ticket_accepts_customer_message``), otherwise onto a new ticket — at once, so every channel
shows the same progress (TEC-7). A repeated delivery of a message (same channel message id) is
recognised and changes nothing — also when both deliveries arrive at the same moment: the
inbound transaction first claims the id in the database (:mod:`kefu.channels.inbound_keys`).

A public reply on an SMS or WeChat ticket is queued through the outbox to the address the
customer wrote from and kept on the conversation as an outbound message.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import pgettext

from kefu.accounts.models import Team
from kefu.assist.classification_tasks import suggest_after_commit
from kefu.audit.services import audit_record
from kefu.channels.inbound_keys import inbound_message_claim
from kefu.channels.models import (
    Contact,
    ContactKind,
    ContactMessage,
    ContactState,
    Direction,
    MessageStatus,
    Speaker,
)
from kefu.core.errors import Conflict, InvalidInput
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.notify.models import OutboundChannel
from kefu.notify.services import outbox_enqueue
from kefu.notify.sms import SMS_MAX_CHARS
from kefu.quality.tasks import contact_check_after_commit

logger = logging.getLogger(__name__)

MESSAGE_TEXT_LIMIT = 4_000
SUBJECT_LENGTH = 60
# How a conversation's channel reaches the customer: outbox channel and identity kind.
REPLY_ROUTES: dict[str, tuple[str, str]] = {
    ContactKind.SMS: (OutboundChannel.SMS, IdentityKind.PHONE),
    ContactKind.WECHAT: (OutboundChannel.WECHAT, IdentityKind.WECHAT_OPENID),
}


@dataclass(frozen=True)
class InboundResult:
    """What became of one inbound message."""

    message: ContactMessage
    created: bool  # False: the same message was delivered before, nothing changed
    first_of_conversation: bool  # the customer's first message of this conversation
    ticket: Any


def messaging_seen(*, kind: str, external_id: str) -> InboundResult | None:
    """The result of an earlier delivery of this message, if there was one."""
    earlier = (
        ContactMessage.objects.filter(contact__kind=kind, external_id=external_id)
        .select_related("contact", "ticket")
        .first()
    )
    if earlier is None:
        return None
    return InboundResult(earlier, created=False, first_of_conversation=False, ticket=earlier.ticket)


def messaging_claim(*, kind: str, external_id: str) -> InboundResult | None:
    """Claim the message ``external_id`` for the current transaction, before anything is written.

    None: this transaction stores the message. Otherwise the result of the earlier delivery,
    and nothing must be written — also when the earlier delivery is a simultaneous one, which
    the database's unique key (not a read) tells apart.
    """
    if not external_id or len(external_id) > 500:
        raise InvalidInput("the message needs an id of at most 500 characters", field="id")
    earlier = messaging_seen(kind=kind, external_id=external_id)
    if earlier is not None:
        return earlier
    if inbound_message_claim(kind=kind, external_id=external_id):
        return None
    earlier = messaging_seen(kind=kind, external_id=external_id)
    if earlier is None:  # claimed, but not stored where this transaction can see it
        raise Conflict("this message is being stored by another delivery; try again", field="id")
    return earlier


def _window() -> dt.timedelta:
    return dt.timedelta(hours=settings.KEFU_CONVERSATION_WINDOW_HOURS)


def conversation_for(
    *, kind: str, customer: Any, address: str, moment: dt.datetime, direction: str
) -> tuple[Contact, bool]:
    """The customer's open conversation on ``kind`` active within the window, or a new one.

    Conversations of this customer and channel left idle longer are ended first (each one
    audited as ``contact.end``), so a customer has at most one open conversation per channel.
    Call inside a transaction.
    """
    current = (
        Contact.objects.select_for_update()
        .filter(kind=kind, customer=customer, updated_at__gte=moment - _window())
        .exclude(state=ContactState.ENDED)
        .order_by("-updated_at", "-id")
        .first()
    )
    if current is not None:
        return current, False
    idle = (
        Contact.objects.select_for_update()
        .filter(kind=kind, customer=customer)
        .exclude(state=ContactState.ENDED)
    )
    for old in idle:  # at most one or two: the previous conversation
        before = old.state
        old.state = ContactState.ENDED
        old.ended_at = old.updated_at  # it ended with its last message
        old.save(update_fields=["state", "ended_at"])
        audit_record(
            actor=None,
            verb="contact.end",
            target=old,
            before={"state": before},
            after={"state": old.state, "ended_at": old.ended_at, "reason": "idle"},
        )
        contact_check_after_commit(old.pk)  # QA-3: the conversation ended
    contact = Contact.objects.create(
        kind=kind,
        direction=direction,
        external_id=f"{kind}-{uuid.uuid4().hex}",
        customer=customer,
        address=address,
        state=ContactState.QUEUED,
        queued_at=moment,
        created_at=moment,
        updated_at=moment,
    )
    suggest_after_commit(contact_id=contact.pk)  # TEC-4: category and urgency suggested
    return contact, True


def _subject(kind: str, text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) > SUBJECT_LENGTH:
        first_line = first_line[: SUBJECT_LENGTH - 1] + "…"
    if first_line:
        return first_line
    if kind == ContactKind.WECHAT:
        return pgettext("ticket subject", "WeChat message")
    return pgettext("ticket subject", "SMS message")


def _ticket_for_message(*, kind: str, customer: Any, contact: Contact, text: str) -> Any:
    """Put ``text`` on the customer's latest ticket of this channel if it takes messages, else
    on a new ticket."""
    from kefu.tickets.models import Ticket
    from kefu.tickets.services import (
        ticket_accepts_customer_message,
        ticket_create,
        ticket_customer_message,
    )

    ticket = (
        Ticket.objects.filter(customer=customer, channel=kind)
        .order_by("-created_at", "-id")
        .first()
    )
    if ticket is not None and ticket_accepts_customer_message(ticket):
        ticket_customer_message(
            ticket=ticket, body=text, channel=kind, data={"contact": contact.pk}
        )
        return ticket
    wechat = kind == ContactKind.WECHAT
    return ticket_create(
        actor=None,
        subject=_subject(kind, text),
        category=settings.KEFU_WECHAT_TICKET_CATEGORY
        if wechat
        else settings.KEFU_SMS_TICKET_CATEGORY,
        channel=kind,
        customer=customer,
        description=text,
        team=_team(settings.KEFU_WECHAT_TEAM if wechat else settings.KEFU_SMS_TEAM),
    )


def _team(name: str) -> Any:
    """The team named in the settings that takes the channel's new tickets, if any.

    A name that matches no active team is logged, not refused: the customer's message must not
    be lost over a configuration slip (the ticket then waits unrouted for a team lead).
    """
    if not name:
        return None
    team = Team.objects.filter(name=name, is_active=True).first()
    if team is None:
        logger.warning("no active team %r for new SMS/WeChat tickets", name)
    return team


@transaction.atomic
def messaging_inbound_record(
    *,
    kind: str,
    customer: Any,
    address: str,
    external_id: str,
    text: str,
    received_at: dt.datetime | None = None,
    speaker: str = Speaker.CUSTOMER,
    to_ticket: bool = True,
    claimed: bool = False,
) -> InboundResult:
    """Record one inbound message of an SMS or WeChat conversation, and put it on a ticket.

    ``external_id`` is the channel's id of the message: the same id again returns the first
    message and writes nothing. ``to_ticket=False`` keeps a message (a follow event) on the
    conversation only. Runs in one transaction: a refused ticket leaves no message behind.
    ``claimed``: the caller already took the id with :func:`messaging_claim` in this
    transaction (before finding or creating the customer).
    """
    if kind not in REPLY_ROUTES:
        raise InvalidInput(f"not a message channel: {kind!r}", field="kind")
    body = (text or "").strip()
    if len(body) > MESSAGE_TEXT_LIMIT:
        raise InvalidInput(
            f"the message is longer than {MESSAGE_TEXT_LIMIT} characters", field="text"
        )
    if "\x00" in body:
        raise InvalidInput("the message contains a NUL character", field="text")
    if not claimed:
        earlier = messaging_claim(kind=kind, external_id=external_id)
        if earlier is not None:
            return earlier
    moment = now()
    contact, _ = conversation_for(
        kind=kind, customer=customer, address=address, moment=moment, direction=Direction.INBOUND
    )
    first = not contact.messages.filter(
        direction=Direction.INBOUND, speaker=Speaker.CUSTOMER
    ).exists()
    at = moment
    if received_at is not None and moment - _window() <= received_at <= moment:
        at = received_at  # the gateway's time, when it is plausible
    message = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND,
        speaker=speaker,
        body=body,
        external_id=external_id,
        status=MessageStatus.RECEIVED,
        created_at=at,
    )
    ticket = None
    if to_ticket and speaker == Speaker.CUSTOMER:
        ticket = _ticket_for_message(
            kind=kind, customer=customer, contact=contact, text=body or _subject(kind, "")
        )
        message.ticket = ticket
        message.save(update_fields=["ticket"])
        contact.tickets.add(ticket)
    if not contact.address and address:
        contact.address = address
    contact.updated_at = moment
    contact.save(update_fields=["address", "updated_at"])
    audit_record(
        actor=None,
        verb="contact.message_in",
        target=contact,
        after={
            "kind": kind,
            "message": message.pk,
            "ticket": ticket.number if ticket is not None else None,
            "length": len(body),
        },
    )
    return InboundResult(message, created=True, first_of_conversation=first, ticket=ticket)


def _reply_address(ticket: Any, kind: str) -> str:
    """Where the customer wrote from on this ticket, else their identity for the channel."""
    latest = (
        Contact.objects.filter(tickets=ticket, kind=kind)
        .exclude(address="")
        .order_by("-updated_at", "-id")
        .first()
    )
    if latest is not None and latest.address:
        return str(latest.address)
    if ticket.customer_id is None:
        return ""
    identity_kind = REPLY_ROUTES[kind][1]
    identity = (
        ticket.customer.identities.filter(kind=identity_kind).order_by("-is_primary", "id").first()
    )
    return str(identity.value) if identity is not None else ""


def messaging_reply_send(*, ticket: Any, event: Any) -> ContactMessage | None:
    """``REPLY_SENDERS`` entry for SMS and WeChat tickets: queue the public reply ``event``.

    Runs inside the reply's transaction (``ticket_comment``): the outbox message, the outbound
    message on the conversation and the conversation's first response (ACC-4) commit with the
    reply or not at all. A customer with no number or openid gets nothing, and the trail says
    so; an SMS reply longer than an SMS is refused, so the agent can shorten it. Returns the
    outbound message on the conversation, or None when nothing was queued.
    """
    kind = ticket.channel
    channel, _ = REPLY_ROUTES[kind]
    text = (event.body or "").strip()
    if kind == ContactKind.SMS and len(text) > SMS_MAX_CHARS:
        raise InvalidInput(
            f"a reply by SMS is at most {SMS_MAX_CHARS} characters; shorten it", field="body"
        )
    address = _reply_address(ticket, kind)
    if not address or ticket.customer_id is None:
        logger.warning("reply %s on ticket %s: no %s address", event.pk, ticket.number, kind)
        audit_record(
            actor=event.actor,
            verb="ticket.reply_undeliverable",
            target=ticket,
            after={"event": event.pk, "channel": kind},
        )
        return None
    message = outbox_enqueue(
        channel=channel,
        to_address=address,
        subject=ticket.number,
        body=text,
        dedupe_key=f"ticket-reply:{event.pk}",
    )
    if message is None:  # this reply was queued before
        return ContactMessage.objects.filter(
            outbound__dedupe_key=f"ticket-reply:{event.pk}"
        ).first()
    moment = now()
    contact, _ = conversation_for(
        kind=kind,
        customer=ticket.customer,
        address=address,
        moment=moment,
        direction=Direction.OUTBOUND,
    )
    sent = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.OUTBOUND,
        speaker=Speaker.AGENT,
        author=event.actor,
        ticket=ticket,
        body=text,
        status=MessageStatus.QUEUED,
        outbound=message,
        created_at=moment,
    )
    if contact.answered_at is None:  # the conversation's first response (ACC-4)
        contact.answered_at = moment
        start = contact.queued_at or contact.created_at
        contact.wait_seconds = max((moment - start).total_seconds(), 0.0)
        contact.state = ContactState.ACTIVE
    if contact.agent_id is None and event.actor is not None:
        contact.agent = event.actor
    contact.updated_at = moment
    contact.save()
    contact.tickets.add(ticket)
    audit_record(
        actor=event.actor,
        verb="contact.message_out",
        target=contact,
        after={"kind": kind, "outbound": message.pk, "ticket": ticket.number},
    )
    return sent
