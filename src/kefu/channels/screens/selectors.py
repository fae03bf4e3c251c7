"""Reads for the staff screens: who may see a contact, the unified inbox, one contact with
everything on it, and its files (SEC-1: decrypted only for permitted staff, each read logged).

Row-level rule (mirrors the tickets' rule): managers, administrators and QA specialists see
every contact; everybody else with ``channels.view_contact`` sees the contacts they handle,
their team's contacts, contacts still waiting that no team was chosen for, and contacts linked
to a ticket they may read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils.translation import pgettext_lazy

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role, user_sees_all_tickets
from kefu.audit.services import access_record
from kefu.channels.email.mime import html_sanitize
from kefu.channels.models import (
    Contact,
    ContactAttachment,
    ContactKind,
    ContactMessage,
    ContactRecording,
    ContactSegment,
    ContactState,
    Direction,
)
from kefu.channels.selectors import DESK_WINDOW_HOURS
from kefu.core.crypto import decrypt_bytes
from kefu.core.errors import NotFound, PermissionDenied
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, mask_identity
from kefu.customers.models import ContactChannel
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import ticket_visibility

WAITING_STATES = (ContactState.QUEUED, ContactState.OFFERED)
OPEN_STATES = (ContactState.QUEUED, ContactState.OFFERED, ContactState.ACTIVE, ContactState.HELD)
INBOX_LIMIT = 100
# Ended contacts stay in the inbox's "ended" and "all" views this long; the customer page keeps
# the whole history.
INBOX_HISTORY_DAYS = 7
EXCERPT_LENGTH = 140

CHANNEL_ICONS: dict[str, str] = {
    ContactKind.CALL: "fa-solid fa-phone",
    ContactKind.CHAT: "fa-solid fa-comments",
    ContactKind.EMAIL: "fa-solid fa-envelope",
    ContactKind.SMS: "fa-solid fa-comment-sms",
    ContactKind.WECHAT: "fa-brands fa-weixin",
}
# The identity kind of each channel's address, to mask it (SEC-1).
ADDRESS_KINDS: dict[str, str] = {
    ContactKind.CALL: IdentityKind.PHONE,
    ContactKind.SMS: IdentityKind.PHONE,
    ContactKind.EMAIL: IdentityKind.EMAIL,
    ContactKind.WECHAT: IdentityKind.WECHAT_OPENID,
}
# The ticket channel a contact of each kind opens a ticket on.
TICKET_CHANNELS: dict[str, str] = {
    ContactKind.CALL: ContactChannel.PHONE,
    ContactKind.CHAT: ContactChannel.CHAT,
    ContactKind.EMAIL: ContactChannel.EMAIL,
    ContactKind.SMS: ContactChannel.SMS,
    ContactKind.WECHAT: ContactChannel.WECHAT,
}
# Written channels: an agent answers them with a public reply on the linked ticket.
REPLY_KINDS: frozenset[str] = frozenset({ContactKind.EMAIL, ContactKind.SMS, ContactKind.WECHAT})
# Who may listen to a recording besides the agent who took the call: recording review (QA-3),
# complaint investigation (CMP-2), the team lead and the manager.
RECORDING_ROLES = frozenset(
    {Role.TEAM_LEAD, Role.QA_SPECIALIST, Role.COMPLAINT_SPECIALIST, Role.MANAGER, Role.ADMIN}
)


class InboxScope(models.TextChoices):
    MINE = "mine", pgettext_lazy("inbox scope", "Mine and waiting for my team")
    TEAM = "team", pgettext_lazy("inbox scope", "My team")
    ALL = "all", pgettext_lazy("inbox scope", "Everyone")


class InboxState(models.TextChoices):
    OPEN = "open", pgettext_lazy("inbox state", "Open")
    WAITING = "waiting", pgettext_lazy("inbox state", "Waiting")
    ACTIVE = "active", pgettext_lazy("inbox state", "In progress")
    ENDED = "ended", pgettext_lazy("inbox state", "Ended")
    ALL = "all", pgettext_lazy("inbox state", "All")


_STATE_FILTERS: dict[str, tuple[str, ...] | None] = {
    InboxState.OPEN: OPEN_STATES,
    InboxState.WAITING: WAITING_STATES,
    InboxState.ACTIVE: (ContactState.ACTIVE, ContactState.HELD),
    InboxState.ENDED: (ContactState.ENDED,),
    InboxState.ALL: None,
}


# -- who sees what ----------------------------------------------------------------------------


def contact_visibility(user: Any) -> Q | None:
    """The row filter for ``user``; None means every contact."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or not user.has_perm("channels.view_contact")
    ):
        return Q(pk__in=[])
    if user_sees_all_tickets(user):
        return None
    visible = Q(agent_id=user.pk) | Q(
        team__isnull=True, agent__isnull=True, state__in=WAITING_STATES
    )
    if user.team_id:
        visible |= Q(team_id=user.team_id) | Q(agent__team_id=user.team_id)
    tickets = Ticket.objects.all()
    rule = ticket_visibility(user)
    if rule is not None:
        tickets = tickets.filter(rule)
    linked = Contact.tickets.through.objects.filter(
        contact_id=OuterRef("pk"), ticket_id__in=tickets.values("pk")
    )
    return visible | Q(Exists(linked))


def visible_contacts(user: Any) -> QuerySet[Contact]:
    rule = contact_visibility(user)
    contacts = Contact.objects.all()
    return contacts if rule is None else contacts.filter(rule)


def contact_get(*, user: Any, contact_id: int) -> Contact:
    contact = (
        visible_contacts(user)
        .select_related("customer", "agent", "team")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist or is not visible to you")
    return contact


def without_stale_calls(contacts: QuerySet[Contact], moment: dt.datetime) -> QuerySet[Contact]:
    """Leave out calls that rang longer ago than the desk window: a call whose end the PBX never
    reported is not waiting or on a desk for ever (the figures still count it as unsettled)."""
    cutoff = moment - dt.timedelta(hours=DESK_WINDOW_HOURS)
    return contacts.exclude(
        Q(kind=ContactKind.CALL, state__in=OPEN_STATES)
        & (Q(offered_at__lt=cutoff) | Q(offered_at__isnull=True, created_at__lt=cutoff))
    )


def masked_address(contact: Contact) -> str:
    """The caller's number or sender's address as screens show it (138****8000)."""
    if not contact.address:
        return ""
    return mask_identity(ADDRESS_KINDS.get(contact.kind, ""), contact.address)


# -- the inbox --------------------------------------------------------------------------------


def inbox_scopes(user: Any) -> list[str]:
    """The inbox views ``user`` may choose, narrowest first."""
    scopes = [InboxScope.MINE.value]
    if user.team_id and user_has_role(user, Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN):
        scopes.append(InboxScope.TEAM.value)
    if user_sees_all_tickets(user):
        scopes.append(InboxScope.ALL.value)
    return scopes


@dataclass(frozen=True)
class InboxFilters:
    scope: str = InboxScope.MINE
    kind: str = ""  # a ContactKind, or "" for every channel
    state: str = InboxState.OPEN


@dataclass(frozen=True)
class InboxRow:
    contact: Contact
    icon: str
    customer_name: str
    address: str  # masked
    excerpt: str
    excerpt_by_customer: bool
    activity: dt.datetime
    waiting: bool
    waiting_since: dt.datetime | None
    unanswered: int  # customer messages since the last answer (or since the agent last looked)
    mine: bool


def _scope_rule(user: Any, scope: str) -> Q | None:
    waiting_unassigned = Q(agent__isnull=True, state__in=WAITING_STATES)
    if user.team_id:
        waiting_here = waiting_unassigned & (Q(team__isnull=True) | Q(team_id=user.team_id))
    else:
        waiting_here = waiting_unassigned & Q(team__isnull=True)
    if scope == InboxScope.ALL:
        return None
    if scope == InboxScope.TEAM and user.team_id:
        return Q(team_id=user.team_id) | Q(agent__team_id=user.team_id) | waiting_here
    return Q(agent_id=user.pk) | waiting_here


def inbox_contacts(*, user: Any, filters: InboxFilters) -> QuerySet[Contact]:
    """The contacts of one inbox view, newest activity first, with their last words and the
    number of customer messages not answered yet; one query however many rows."""
    if filters.scope not in inbox_scopes(user):
        raise PermissionDenied("your role may not see this inbox")
    contacts = visible_contacts(user)
    rule = _scope_rule(user, filters.scope)
    if rule is not None:
        contacts = contacts.filter(rule)
    if filters.kind:
        contacts = contacts.filter(kind=filters.kind)
    states = _STATE_FILTERS.get(filters.state, OPEN_STATES)
    if states is not None:
        contacts = contacts.filter(state__in=states)
    contacts = without_stale_calls(contacts, now())
    if filters.state in (InboxState.ENDED, InboxState.ALL):
        contacts = contacts.filter(updated_at__gte=now() - dt.timedelta(days=INBOX_HISTORY_DAYS))
    last = ContactMessage.objects.filter(contact=OuterRef("pk")).order_by("-created_at", "-id")
    said = ContactSegment.objects.filter(contact=OuterRef("pk")).order_by("-start", "-id")
    last_answer = (
        ContactMessage.objects.filter(contact=OuterRef("pk"), direction=Direction.OUTBOUND)
        .order_by("-id")
        .values("id")[:1]
    )
    unanswered = (
        ContactMessage.objects.filter(
            contact=OuterRef("pk"), direction=Direction.INBOUND, id__gt=OuterRef("answered_upto")
        )
        .order_by()
        .values("contact")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return (
        contacts.annotate(
            last_text=Subquery(
                last.annotate(part=Substr("body", 1, EXCERPT_LENGTH)).values("part")[:1]
            ),
            last_speaker=Subquery(last.values("speaker")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
            said_text=Subquery(
                said.annotate(part=Substr("text", 1, EXCERPT_LENGTH)).values("part")[:1]
            ),
            said_speaker=Subquery(said.values("speaker")[:1]),
            answered_upto=Greatest(
                Coalesce(Subquery(last_answer), Value(0)),
                Coalesce(F("chat__agent_seen_message"), Value(0)),
                output_field=BigIntegerField(),
            ),
        )
        .annotate(
            unanswered=Coalesce(Subquery(unanswered), Value(0)),
            activity=Greatest("updated_at", Coalesce("last_at", "updated_at")),
        )
        .select_related("customer", "agent", "team", "chat")
        .order_by("-activity", "-id")
    )


def inbox_rows(*, user: Any, filters: InboxFilters) -> list[InboxRow]:
    rows = []
    for contact in inbox_contacts(user=user, filters=filters)[:INBOX_LIMIT]:
        values: Any = contact
        excerpt, speaker = values.last_text, values.last_speaker
        if not excerpt:
            excerpt, speaker = values.said_text or contact.subject, values.said_speaker
        chat = getattr(contact, "chat", None) if contact.kind == ContactKind.CHAT else None
        name = contact.customer.name if contact.customer else ""
        if not name and chat is not None:
            name = chat.visitor_name
        waiting = contact.state in WAITING_STATES
        rows.append(
            InboxRow(
                contact=contact,
                icon=CHANNEL_ICONS.get(contact.kind, "fa-solid fa-comment"),
                customer_name=name,
                address=masked_address(contact),
                excerpt=" ".join((excerpt or "").split()),
                excerpt_by_customer=speaker == "customer",
                activity=values.activity,
                waiting=waiting,
                waiting_since=(contact.queued_at or contact.offered_at or contact.created_at)
                if waiting
                else None,
                unanswered=values.unanswered if contact.kind != ContactKind.CALL else 0,
                mine=contact.agent_id == user.pk,
            )
        )
    return rows


def inbox_fingerprint(rows: list[InboxRow]) -> str:
    """What the live refresh compares: a change in any row gives a new fingerprint."""
    text = "|".join(
        f"{row.contact.pk}:{row.contact.state}:{row.activity.timestamp()}:{row.unanswered}:"
        f"{row.contact.agent_id}"
        for row in rows
    )
    return hashlib.sha1(text.encode()).hexdigest()[:16]


# -- one contact ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownMessage:
    message: ContactMessage
    html: str  # sanitized again before display; "" when the message had no HTML part


def _clean_html(html: str) -> str:
    # The channel stored it sanitized already; cleaning again at display costs little and
    # keeps a page safe even from a row written by older or buggy code (e.g. a remote image
    # kept before remote images were stripped on the way in).
    return html_sanitize(html, link_rel="noopener noreferrer nofollow") if html else ""


def contact_messages(*, contact: Contact) -> list[ShownMessage]:
    messages = (
        ContactMessage.objects.filter(contact=contact)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return [ShownMessage(message=message, html=_clean_html(message.html)) for message in messages]


def contact_tickets(*, user: Any, contact: Contact) -> tuple[list[Ticket], int]:
    """The linked tickets ``user`` may read, and how many others are linked."""
    linked = Ticket.objects.filter(contacts=contact)
    rule = ticket_visibility(user)
    visible = linked if rule is None else linked.filter(rule)
    shown = list(visible.select_related("category").order_by("-created_at", "-id"))
    hidden = linked.count() - len(shown)
    return shown, hidden


def may_hear_recording(user: Any, contact: Contact) -> bool:
    return contact.agent_id == user.pk or user_has_role(user, *RECORDING_ROLES)


def _file_content(storage_name: str) -> bytes:
    path = Path(settings.DATA_DIR) / storage_name
    if not path.exists():
        raise NotFound("the file is missing from the data directory")
    return decrypt_bytes(path.read_bytes())


def contact_recording_content(
    *, user: Any, contact: Contact, recording_id: int
) -> tuple[ContactRecording, bytes]:
    """A recording decrypted for ``user`` (SEC-1); the access is logged (SEC-3)."""
    if not may_hear_recording(user, contact):
        raise PermissionDenied("your role may not listen to this recording")
    recording = ContactRecording.objects.filter(contact=contact, pk=recording_id).first()
    if recording is None:
        raise NotFound(f"recording {recording_id} of contact {contact.pk} does not exist")
    content = _file_content(recording.storage_name)
    access_record(actor=user, target=recording, fields=["recording"], purpose="listen")
    return recording, content


def contact_attachment_content(
    *, user: Any, contact: Contact, attachment_id: int
) -> tuple[ContactAttachment, bytes]:
    """A file that came with a message, decrypted for ``user``; the access is logged (SEC-3)."""
    attachment = ContactAttachment.objects.filter(
        message__contact=contact, pk=attachment_id
    ).first()
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} of contact {contact.pk} does not exist")
    content = _file_content(attachment.storage_name)
    access_record(actor=user, target=attachment, fields=["file"], purpose="download")
    return attachment, content
