"""Writes of web chat (TEC-7, ACC-4): agent presence, a visitor's chat from start to end, its
messages with their delivered and read states, offline messages and tickets made from chats.

A chat is a :class:`Contact` of kind ``chat`` with a :class:`ChatSession`; its whole transcript
is the contact's :class:`ContactMessage` rows, kept after the chat ends. The visitor is
authenticated by a random token that only their browser holds; kefu stores its sha256.

Timing (ACC-4 "first response to an online contact ≤ 5 min"): ``queued_at`` when the visitor
starts, ``offered_at`` when an agent is assigned, ``answered_at`` at the agent's first reply,
``wait_seconds`` = answered − queued (the first-response time), ``handle_seconds`` = ended −
answered.

Typing stamps, heartbeats and delivered/read marks are ephemeral delivery state, written as
single statements and not audited; everything else is audited in its transaction (SEC-3).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from kefu.accounts.models import SkillLevel
from kefu.assist.classification_tasks import suggest_after_commit
from kefu.audit.services import audit_record
from kefu.channels.chat.routing import chat_route, chat_route_for_team
from kefu.channels.chat.selectors import (
    ID_LIMIT,
    chat_priority_for,
    skill_sufficient,
    user_can_chat,
    visitor_hash,
    widget_status,
)
from kefu.channels.models import (
    AgentPresence,
    ChatSession,
    ChatWidget,
    Contact,
    ContactKind,
    ContactMessage,
    ContactState,
    Direction,
    MessageStatus,
    Presence,
    Speaker,
)
from kefu.channels.services import contact_link_ticket
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.customers.services import customer_find_or_create
from kefu.quality.tasks import contact_check_after_commit

MESSAGE_LIMIT = 4_000
NAME_LIMIT = 100
CLIENT_ID_LIMIT = 64
MAX_CHATS_LIMIT = 20
# Heartbeats and typing stamps are rewritten at most this often.
HEARTBEAT_SECONDS = 10
TYPING_WRITE_SECONDS = 1.0
VISITOR_TOUCH_SECONDS = 15


class ChatClosed(Conflict):
    """The widget is outside its open hours or nobody is online: leave a message instead."""

    code = "chat_closed"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, field=None)
        self.reason = reason

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "reason": self.reason}


# -- validation ------------------------------------------------------------------------------
def clean_text(value: Any, *, field: str, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    if "\x00" in text:
        raise InvalidInput(f"{field} contains a NUL character", field=field)
    return text


def _client_id(value: Any) -> str:
    text = clean_text(value, field="client_id", limit=CLIENT_ID_LIMIT, required=False)
    if text and not all(ch.isalnum() or ch in "-_" for ch in text):
        raise InvalidInput("client_id: letters, digits, - and _", field="client_id")
    return text


# -- presence --------------------------------------------------------------------------------
def _presence(user: Any, moment: dt.datetime) -> AgentPresence:
    presence = AgentPresence.objects.select_for_update().filter(user=user).first()
    if presence is None:
        try:
            with transaction.atomic():
                presence = AgentPresence.objects.create(
                    user=user,
                    status=Presence.OFFLINE,
                    max_chats=max(1, settings.KEFU_CHAT_MAX_CONCURRENT),
                    changed_at=moment,
                    last_seen_at=moment,
                )
        except IntegrityError:  # the agent's other tab created it first
            presence = AgentPresence.objects.select_for_update().get(user=user)
    return presence


def presence_set(*, actor: Any, status: str, max_chats: int | None = None) -> AgentPresence:
    """Set the actor's presence (available, busy, away, offline) and, optionally, their limit
    of concurrent chats; an agent who becomes available is offered waiting chats at once."""
    if not user_can_chat(actor):
        raise PermissionDenied("your role does not answer chats")
    if status not in Presence.values:
        raise InvalidInput(f"status: one of {', '.join(Presence.values)}", field="status")
    if max_chats is not None and (
        isinstance(max_chats, bool)
        or not isinstance(max_chats, int)
        or not 1 <= max_chats <= MAX_CHATS_LIMIT
    ):
        raise InvalidInput(f"max_chats: a number from 1 to {MAX_CHATS_LIMIT}", field="max_chats")
    moment = now()
    with transaction.atomic():
        presence = _presence(actor, moment)
        before = {"status": presence.status, "max_chats": presence.max_chats}
        if status != presence.status:
            presence.status = status
            presence.changed_at = moment
        if max_chats is not None:
            presence.max_chats = max_chats
        presence.last_seen_at = moment
        presence.save()
        after = {"status": presence.status, "max_chats": presence.max_chats}
        if after != before:
            audit_record(
                actor=actor, verb="chat.presence", target=presence, before=before, after=after
            )
    if presence.status == Presence.AVAILABLE:
        chat_route_for_team(team_id=actor.team_id)
    return presence


def presence_heartbeat(*, user: Any) -> AgentPresence | None:
    """The console is open: refresh ``last_seen_at`` (at most every few seconds)."""
    moment = now()
    cutoff = moment - dt.timedelta(seconds=HEARTBEAT_SECONDS)
    AgentPresence.objects.filter(user=user, last_seen_at__lt=cutoff).update(last_seen_at=moment)
    return AgentPresence.objects.filter(user=user).first()


# -- a visitor's chat ------------------------------------------------------------------------
@dataclass(frozen=True)
class StartedChat:
    session: ChatSession
    token: str  # returned once to the widget; only its sha256 is stored


def chat_start(
    *,
    widget: ChatWidget,
    name: Any = "",
    message: Any = "",
    required_skill: Any = "",
    customer: Any = None,
) -> StartedChat:
    """A chat starts: it waits in the widget's team queue and is routed at once.

    Who decides what (ACC-4, TRN-3): the priority is the higher of the widget's configured
    priority and the identified ``customer``'s (see :func:`chat_priority_for`); the required
    skill is the widget's, or ``required_skill`` from the calling code when it asks for more. The public widget API passes neither: nothing a visitor's
    browser sends can move the chat up the queue or ask for senior agents."""
    if not widget.enabled:
        raise NotFound("no chat widget with this key")
    visitor = clean_text(name, field="name", limit=NAME_LIMIT, required=False)
    first = clean_text(message, field="message", limit=MESSAGE_LIMIT, required=False)
    skill = clean_text(required_skill, field="skill", limit=16, required=False)
    if skill and skill not in SkillLevel.values:
        raise InvalidInput(f"skill: one of {', '.join(SkillLevel.values)}", field="skill")
    # The widget's configuration counts, and the caller's when it asks for more.
    if widget.required_skill and not skill_sufficient(skill, widget.required_skill):
        skill = widget.required_skill
    priority = max(chat_priority_for(customer), widget.priority)
    status = widget_status(widget)
    if not status.open:
        raise ChatClosed("the chat is closed: leave a message", reason=status.reason)
    token = secrets.token_urlsafe(32)
    moment = now()
    with transaction.atomic():
        contact = Contact.objects.create(
            kind=ContactKind.CHAT,
            direction=Direction.INBOUND,
            external_id=f"chat-{uuid.uuid4().hex}",
            team_id=widget.team_id,
            customer=customer,
            priority=priority,
            state=ContactState.QUEUED,
            queued_at=moment,
            created_at=moment,
            updated_at=moment,
        )
        session = ChatSession.objects.create(
            contact=contact,
            widget=widget,
            visitor_hash=visitor_hash(token),
            visitor_name=visitor,
            team_id=widget.team_id,
            required_skill=skill,
            priority=priority,
        )
        if first:
            _message(contact, Speaker.CUSTOMER, first, None, "", moment)
            suggest_after_commit(contact_id=contact.pk)  # TEC-4: category and urgency
        audit_record(
            actor=None,
            verb="chat.start",
            target=contact,
            after={
                "widget": widget.key,
                "team": widget.team_id,
                "priority": priority,
                "customer": getattr(customer, "pk", None),
            },
        )
    chat_route(team_id=widget.team_id)
    contact.refresh_from_db()
    return StartedChat(session=session, token=token)


def _message(
    contact: Contact,
    speaker: str,
    body: str,
    author: Any,
    client_id: str,
    moment: dt.datetime,
) -> ContactMessage:
    return ContactMessage.objects.create(
        contact=contact,
        direction=Direction.INBOUND if speaker == Speaker.CUSTOMER else Direction.OUTBOUND,
        speaker=speaker,
        author=author,
        body=body,
        external_id=f"c:{client_id}" if client_id else "",
        status=MessageStatus.RECEIVED if speaker == Speaker.CUSTOMER else MessageStatus.SENT,
        created_at=moment,
    )


def _post(
    session: ChatSession, speaker: str, body: Any, client_id: Any, author: Any
) -> tuple[ContactMessage, bool]:
    text = clean_text(body, field="body", limit=MESSAGE_LIMIT, required=True)
    key = _client_id(client_id)
    contact = session.contact
    if key:
        repeated = ContactMessage.objects.filter(contact=contact, external_id=f"c:{key}").first()
        if repeated is not None:
            return repeated, False  # the same send again (a retry): nothing new
    moment = now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.state == ContactState.ENDED:
            raise Conflict("this chat has ended")
        if speaker == Speaker.AGENT and contact.agent_id != getattr(author, "pk", None):
            raise PermissionDenied("this chat is not yours")
        try:
            with transaction.atomic():
                message = _message(contact, speaker, text, author, key, moment)
        except IntegrityError:  # a concurrent retry stored it first
            return ContactMessage.objects.get(contact=contact, external_id=f"c:{key}"), False
        changes: dict[str, Any] = {"updated_at": moment}
        if speaker == Speaker.AGENT and contact.answered_at is None:
            # ACC-4: the first response to an online contact.
            changes["answered_at"] = moment
            changes["wait_seconds"] = (moment - (contact.queued_at or moment)).total_seconds()
            changes["state"] = ContactState.ACTIVE
        Contact.objects.filter(pk=contact.pk).update(**changes)
        typing_field = "agent_typing_at" if speaker == Speaker.AGENT else "customer_typing_at"
        ChatSession.objects.filter(pk=contact.pk).update(**{typing_field: None})
        audit_record(
            actor=author,
            verb="chat.message",
            target=contact,
            after={"message": message.pk, "speaker": speaker, "length": len(text)},
        )
    for key_, value in changes.items():
        setattr(session.contact, key_, value)
    return message, True


def chat_customer_message(
    *, session: ChatSession, body: Any, client_id: Any = ""
) -> tuple[ContactMessage, bool]:
    """The visitor writes; returns the message and whether it is new (a retry is not)."""
    return _post(session, Speaker.CUSTOMER, body, client_id, None)


def chat_agent_message(
    *, actor: Any, session: ChatSession, body: Any, client_id: Any = ""
) -> tuple[ContactMessage, bool]:
    """The chat's agent answers; the first answer stamps the first-response time (ACC-4)."""
    if not user_can_chat(actor):
        raise PermissionDenied("your role does not answer chats")
    return _post(session, Speaker.AGENT, body, client_id, actor)


def chat_typing(*, session: ChatSession, speaker: str, after: int | None = None) -> None:
    """Someone is typing: stamp it (at most once a second) for the other side's next poll.

    ``after`` is the last message id the poller held when it set off: a poll that left before
    the typist's own newer message was stored says "typing" about the text just sent, and
    stamping it would show the other side a typing indicator after the message arrived."""
    field = "agent_typing_at" if speaker == Speaker.AGENT else "customer_typing_at"
    if (
        after is not None
        and ContactMessage.objects.filter(
            contact_id=session.pk, speaker=speaker, id__gt=after
        ).exists()
    ):
        return
    moment = now()
    cutoff = moment - dt.timedelta(seconds=TYPING_WRITE_SECONDS)
    ChatSession.objects.filter(pk=session.pk).filter(
        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": cutoff})
    ).update(**{field: moment})


def chat_mark_delivered(*, session: ChatSession, speaker: str, upto: int) -> int:
    """``speaker``'s messages up to id ``upto`` reached the other side's screen."""
    upto = min(upto, ID_LIMIT - 1)  # a bigger number overflows the database's integer
    moment = now()
    return ContactMessage.objects.filter(
        contact_id=session.pk, speaker=speaker, id__lte=upto, delivered_at__isnull=True
    ).update(
        delivered_at=moment,
        status=MessageStatus.DELIVERED,
    )


def chat_mark_read(*, session: ChatSession, reader: str, upto: Any) -> bool:
    """The ``reader`` (customer or agent) had the messages up to id ``upto`` in view."""
    if isinstance(upto, bool) or not isinstance(upto, int) or not 0 < upto < ID_LIMIT:
        return False  # the views refuse an out-of-range id with 422 before this
    seen_field = "customer_seen_message" if reader == Speaker.CUSTOMER else "agent_seen_message"
    written = ChatSession.objects.filter(pk=session.pk, **{f"{seen_field}__lt": upto}).update(
        **{seen_field: upto}
    )
    if not written:
        return False
    setattr(session, seen_field, upto)
    other = Speaker.AGENT if reader == Speaker.CUSTOMER else Speaker.CUSTOMER
    moment = now()
    ContactMessage.objects.filter(
        contact_id=session.pk, speaker=other, id__lte=upto, read_at__isnull=True
    ).update(
        read_at=moment,
        delivered_at=Coalesce(F("delivered_at"), Value(moment)),
        status=MessageStatus.READ,
    )
    return True


def chat_visitor_seen(*, session: ChatSession) -> None:
    """A waiting visitor's widget still polls: keep the chat from being taken as abandoned."""
    moment = now()
    cutoff = moment - dt.timedelta(seconds=VISITOR_TOUCH_SECONDS)
    Contact.objects.filter(pk=session.pk, state=ContactState.QUEUED, updated_at__lt=cutoff).update(
        updated_at=moment
    )


def chat_end(*, actor: Any, session: ChatSession) -> Contact:
    """End the chat (the visitor when ``actor`` is None, else its agent); the agent's slot
    frees and waiting chats are routed. Ending an ended chat changes nothing."""
    moment = now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=session.pk)
        if actor is not None and contact.agent_id != actor.pk:
            raise PermissionDenied("this chat is not yours")
        if contact.state == ContactState.ENDED:
            return contact
        before = {"state": contact.state}
        contact.state = ContactState.ENDED
        contact.ended_at = moment
        contact.updated_at = moment
        if contact.answered_at is not None:
            contact.handle_seconds = (moment - contact.answered_at).total_seconds()
        contact.save(update_fields=["state", "ended_at", "updated_at", "handle_seconds"])
        audit_record(
            actor=actor,
            verb="chat.end",
            target=contact,
            before=before,
            after={"state": contact.state, "by": "agent" if actor is not None else "customer"},
        )
        contact_check_after_commit(contact.pk)  # QA-3: every ended chat is checked
    session.contact = contact
    # The agent's slot frees: their team's queue, the chat's own pool and the team-less pool
    # every agent serves are routed (a team-less chat must not wait for another trigger).
    agent = contact.agent
    teams = {team for team in (contact.team_id, getattr(agent, "team_id", None)) if team}
    for team_id in sorted(teams):
        chat_route(team_id=team_id)
    chat_route(team_id=None)
    return contact


# -- tickets from chat -----------------------------------------------------------------------
def _customer_contact_fields(phone: Any, email: Any) -> tuple[str, str]:
    phone_text = clean_text(phone, field="phone", limit=40, required=False)
    email_text = clean_text(email, field="email", limit=254, required=False)
    for kind, value, field in (
        (IdentityKind.PHONE, phone_text, "phone"),
        (IdentityKind.EMAIL, email_text, "email"),
    ):
        if value:
            try:
                normalize_identity(kind, value)
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field=field) from None
    return phone_text, email_text


def offline_message_errors(*, name: Any, phone: Any, email: Any, message: Any) -> dict[str, str]:
    """Every field error of a left message at once (the widget marks each field)."""
    errors: dict[str, str] = {}
    checks = (
        ("name", lambda: clean_text(name, field="name", limit=NAME_LIMIT, required=True)),
        ("phone", lambda: _customer_contact_fields(phone, "")),
        ("email", lambda: _customer_contact_fields("", email)),
        (
            "message",
            lambda: clean_text(message, field="message", limit=MESSAGE_LIMIT, required=True),
        ),
    )
    for field, check in checks:
        try:
            check()
        except InvalidInput as exc:
            errors[field] = exc.message
    given = [value for value in (phone, email) if isinstance(value, str) and value.strip()]
    if not given and "phone" not in errors and "email" not in errors:
        errors["phone"] = "give a phone number or an e-mail address"
    return errors


def chat_offline_message(
    *, widget: ChatWidget, name: Any, phone: Any, email: Any, message: Any
) -> Any:
    """Outside open hours (or with nobody online) the visitor leaves a message: it becomes a
    ticket of channel "chat" for the widget's team, with the message kept on a chat contact
    on the customer's timeline (TEC-7)."""
    from kefu.tickets.services import ticket_create

    if not widget.enabled:
        raise NotFound("no chat widget with this key")
    errors = offline_message_errors(name=name, phone=phone, email=email, message=message)
    if errors:
        field, reason = next(iter(errors.items()))
        raise InvalidInput(reason, field=field)
    visitor = clean_text(name, field="name", limit=NAME_LIMIT, required=True)
    phone_text, email_text = _customer_contact_fields(phone, email)
    text = clean_text(message, field="message", limit=MESSAGE_LIMIT, required=True)
    moment = now()
    with transaction.atomic():
        customer = customer_find_or_create(
            actor=None, phone=phone_text, email=email_text, name=visitor
        )
        first_line = text.splitlines()[0] if text else ""
        subject = gettext("Chat message: %(text)s") % {"text": first_line[:150]}
        ticket = ticket_create(
            actor=None,
            subject=subject[:200],
            category=settings.KEFU_CHAT_TICKET_CATEGORY,
            channel="chat",
            customer=customer,
            description=text,
            team=widget.team,
        )
        contact = Contact.objects.create(
            kind=ContactKind.CHAT,
            direction=Direction.INBOUND,
            external_id=f"offline-{uuid.uuid4().hex}",
            customer=customer,
            address=phone_text or email_text,
            team_id=widget.team_id,
            state=ContactState.ENDED,
            queued_at=moment,
            ended_at=moment,
            subject=subject[:500],
            created_at=moment,
            updated_at=moment,
        )
        contact.tickets.add(ticket)
        stored = _message(contact, Speaker.CUSTOMER, text, None, "", moment)
        stored.ticket = ticket
        stored.save(update_fields=["ticket"])
        audit_record(
            actor=None,
            verb="chat.offline_message",
            target=contact,
            after={"widget": widget.key, "ticket": ticket.number},
        )
    return ticket


def transcript_text(contact: Contact) -> str:
    """The chat as plain text for a ticket's description (the rows stay on the contact)."""
    labels: dict[str, str] = {
        Speaker.CUSTOMER: gettext("Customer"),
        Speaker.AGENT: gettext("Agent"),
        Speaker.SYSTEM: gettext("System"),
    }
    lines = []
    for message in contact.messages.order_by("id"):
        stamp = message.created_at.astimezone(dt.UTC).strftime("%H:%M:%S UTC")
        lines.append(f"[{stamp}] {labels.get(message.speaker, message.speaker)}: {message.body}")
    return "\n".join(lines)


def chat_ticket_create(
    *,
    actor: Any,
    session: ChatSession,
    subject: Any,
    category: Any,
    phone: Any = "",
    email: Any = "",
) -> Any:
    """The agent makes a ticket from the chat: linked to the chat contact, the customer found
    or created from the phone or e-mail the visitor gave; the transcript stays on the contact
    and is copied into the ticket's description."""
    from kefu.tickets.services import ticket_create

    if not user_can_chat(actor):
        raise PermissionDenied("your role does not answer chats")
    title = clean_text(subject, field="subject", limit=200, required=True)
    phone_text, email_text = _customer_contact_fields(phone, email)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=session.pk)
        if contact.agent_id != actor.pk:
            raise PermissionDenied("this chat is not yours")
        customer = contact.customer
        if customer is None and (phone_text or email_text):
            customer = customer_find_or_create(
                actor=actor, phone=phone_text, email=email_text, name=session.visitor_name
            )
            contact.customer = customer
            contact.address = phone_text or email_text
            contact.save(update_fields=["customer", "address"])
        description = transcript_text(contact)[:20_000]
        ticket = ticket_create(
            actor=actor,
            subject=title,
            category=category,
            channel="chat",
            customer=customer,
            description=description,
            assignee=actor,
        )
        contact_link_ticket(actor=actor, contact=contact, ticket=ticket)
        contact.messages.filter(ticket__isnull=True).update(ticket=ticket)
    return ticket
