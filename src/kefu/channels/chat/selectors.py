"""Reads of web chat (TEC-7, ACC-4): widgets and their open hours, who may chat, the waiting
queue and a customer's place in it, an agent's chats and what changed in a chat since the last
poll. Personal data stays masked here (SEC-1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_roles
from kefu.calendars.models import WorkingCalendar
from kefu.calendars.selectors import calendar_clock
from kefu.channels.models import (
    AgentPresence,
    ChatSession,
    ChatWidget,
    Contact,
    ContactKind,
    ContactMessage,
    ContactState,
    Presence,
    Speaker,
)
from kefu.core.errors import NotFound
from kefu.core.timeutils import now
from kefu.customers.identities import mask_identity

# Staff who answer chats: agents and team leads (ORG-1).
CHAT_ROLES = frozenset({Role.AGENT, Role.TEAM_LEAD})
# Chats an agent is working on: assigned (offered) or in conversation.
LIVE_STATES = (ContactState.OFFERED, ContactState.ACTIVE)
# A typing stamp older than this is not shown any more.
TYPING_SECONDS = 3.0
# Presence states in which an agent counts as online (an "away" agent answers nothing).
ONLINE = (Presence.AVAILABLE, Presence.BUSY)
SKILL_RANK = {"junior": 0, "intermediate": 1, "senior": 2}
# Message and chat ids from a request are below this (the database's integers are 64-bit).
ID_LIMIT = 2**62


def visitor_hash(token: str) -> str:
    """What is stored of a visitor's token: its sha256 (the browser keeps the token)."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_can_chat(user: Any) -> bool:
    """Agents and team leads answer chats."""
    return bool(getattr(user, "is_active", False) and user_roles(user) & CHAT_ROLES)


def widget_by_key(key: str) -> ChatWidget:
    """The enabled widget with this key; an unknown or disabled one is not found (404)."""
    widget = None
    if key and len(key) <= 64:
        widget = (
            ChatWidget.objects.filter(key=key, enabled=True)
            .select_related("team", "calendar")
            .first()
        )
    if widget is None:
        raise NotFound("no chat widget with this key")
    return widget


def widget_origin_allowed(widget: ChatWidget, origin: str | None) -> bool:
    """A browser request from ``origin`` may use the widget (empty allowed list: any origin)."""
    allowed = widget.allowed_origins.split()
    if not allowed or not origin:
        return True
    return origin.rstrip("/") in {item.rstrip("/") for item in allowed}


def calendar_is_working_time(calendar: WorkingCalendar, moment: dt.datetime) -> bool:
    """Whether ``moment`` falls inside the calendar's working time (holidays and make-up
    workdays included), from the same cached engine the SLA clocks use."""
    spec = calendar_clock(calendar.name).spec
    if spec.always_open:
        return True
    local = moment.astimezone(ZoneInfo(spec.time_zone))
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(begin <= seconds < end for begin, end in spec.intervals_on(local.date()))


def presence_fresh_since() -> dt.datetime:
    """Agents whose console has not been heard from since this moment count as offline."""
    return now() - dt.timedelta(seconds=settings.KEFU_CHAT_PRESENCE_TIMEOUT_SECONDS)


def online_agents(*, team_id: int | None) -> QuerySet[AgentPresence]:
    """Agents of the team (any team for a widget without one) whose console is open and who
    are available or busy."""
    found = AgentPresence.objects.filter(
        status__in=ONLINE, last_seen_at__gte=presence_fresh_since(), user__is_active=True
    )
    if team_id is not None:
        found = found.filter(user__team_id=team_id)
    return found


def skill_sufficient(agent_level: str, required: str) -> bool:
    """An agent may take a chat that needs ``required`` or a lower skill level (TRN-3)."""
    if not required:
        return True
    return SKILL_RANK.get(agent_level, -1) >= SKILL_RANK.get(required, 99)


# Chat priority from who the customer is (ACC-4 "priority A contacts are answered first",
# CRM-3 key-account tiers): never from what the visitor's browser sends.
PRIORITY_A = 2
PRIORITY_RAISED = 1
PRIORITY_A_TIERS = frozenset({"strategic", "core"})
PRIORITY_RAISED_TIERS = frozenset({"potential"})
PRIORITY_RAISED_LEVELS = frozenset({"gold", "platinum"})


def chat_priority_for(customer: Any) -> int:
    """A chat's routing priority from its identified customer: strategic and core key accounts
    are priority A (2); potential key accounts and gold or platinum members are raised (1);
    everyone else, and an anonymous visitor, is 0."""
    if customer is None:
        return 0
    if customer.tier in PRIORITY_A_TIERS:
        return PRIORITY_A
    if customer.tier in PRIORITY_RAISED_TIERS or customer.member_level in PRIORITY_RAISED_LEVELS:
        return PRIORITY_RAISED
    return 0


@dataclass(frozen=True)
class WidgetStatus:
    open: bool
    reason: str  # "" when open, "hours" outside the calendar, "no_agent" nobody online


def widget_status(widget: ChatWidget) -> WidgetStatus:
    """Open for chat: inside the calendar's working time and someone of the team online;
    otherwise the widget offers to leave a message."""
    calendar = widget.calendar if widget.calendar_id is not None else None
    if calendar is not None and not calendar_is_working_time(calendar, now()):
        return WidgetStatus(False, "hours")
    if not online_agents(team_id=widget.team_id).exists():
        return WidgetStatus(False, "no_agent")
    return WidgetStatus(True, "")


def waiting_chats(*, team_id: int | None) -> QuerySet[Contact]:
    """Chats of a routing pool waiting for an agent, in the order they are served: higher
    priority first, then the longest waiting (ACC-4)."""
    pool = Q(team__isnull=True) if team_id is None else Q(team_id=team_id)
    return Contact.objects.filter(pool, kind=ContactKind.CHAT, state=ContactState.QUEUED).order_by(
        "-priority", "queued_at", "id"
    )


def waiting_for_agent_count(*, team_id: int | None) -> int:
    """Chats an agent of ``team_id`` may be given: their team's queue and the team-less pool."""
    pool = Q(team__isnull=True) if team_id is None else Q(team__isnull=True) | Q(team_id=team_id)
    return Contact.objects.filter(pool, kind=ContactKind.CHAT, state=ContactState.QUEUED).count()


def queue_position(contact: Contact) -> int:
    """1 for the next chat to be served; 0 when the chat is not waiting."""
    if contact.state != ContactState.QUEUED or contact.queued_at is None:
        return 0
    ahead = (
        waiting_chats(team_id=contact.team_id)
        .filter(
            Q(priority__gt=contact.priority)
            | Q(priority=contact.priority, queued_at__lt=contact.queued_at)
            | Q(priority=contact.priority, queued_at=contact.queued_at, id__lt=contact.pk)
        )
        .count()
    )
    return ahead + 1


def session_for_visitor(widget: ChatWidget, token: Any) -> ChatSession:
    """The visitor's chat, found by the sha256 of the token the widget holds."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("no chat for this visitor token")
    session = (
        ChatSession.objects.filter(widget=widget, visitor_hash=visitor_hash(token))
        .select_related("contact", "contact__agent")
        .first()
    )
    if session is None:
        raise NotFound("no chat for this visitor token")
    return session


def agent_session(*, agent: Any, contact_id: Any) -> ChatSession:
    """A chat of ``agent``'s (any state); someone else's chat is not found."""
    try:
        pk = int(contact_id)
    except (TypeError, ValueError):
        raise NotFound("no such chat") from None
    if not 0 < pk < ID_LIMIT:  # a huge number would overflow the database's integer
        raise NotFound("no such chat")
    session = (
        ChatSession.objects.filter(contact_id=pk, contact__agent=agent)
        .select_related("contact", "contact__customer", "widget")
        .first()
    )
    if session is None:
        raise NotFound("no such chat of yours")
    return session


def agent_live_chats(*, agent: Any) -> QuerySet[ChatSession]:
    """The agent's chats in progress with unread and undelivered counts of customer messages."""
    unread = Q(
        contact__messages__speaker=Speaker.CUSTOMER,
        contact__messages__id__gt=F("agent_seen_message"),
    )
    undelivered = Q(
        contact__messages__speaker=Speaker.CUSTOMER,
        contact__messages__delivered_at__isnull=True,
    )
    return (
        ChatSession.objects.filter(contact__agent=agent, contact__state__in=LIVE_STATES)
        .select_related("contact")
        .annotate(
            unread=Count("contact__messages", filter=unread),
            undelivered=Count("contact__messages", filter=undelivered),
        )
        .order_by("contact__queued_at", "contact_id")
    )


def agent_load(*, agent: Any) -> int:
    return Contact.objects.filter(kind=ContactKind.CHAT, agent=agent, state__in=LIVE_STATES).count()


def messages_after(contact: Contact, after: int, *, limit: int = 200) -> list[ContactMessage]:
    """The chat's messages with an id above ``after`` (the last one the poller holds)."""
    return list(
        ContactMessage.objects.filter(contact=contact, id__gt=max(after, 0))
        .select_related("author")
        .order_by("id")[:limit]
    )


def delivered_upto(contact: Contact, speaker: str) -> int:
    """The highest id of ``speaker``'s messages that reached the other side."""
    value = ContactMessage.objects.filter(
        contact=contact, speaker=speaker, delivered_at__isnull=False
    ).aggregate(top=Max("id"))["top"]
    return int(value or 0)


def typing_now(stamp: dt.datetime | None) -> bool:
    return stamp is not None and (now() - stamp).total_seconds() < TYPING_SECONDS


def agent_label(user: Any) -> str:
    """How an agent is named to a customer: their display name, never the login."""
    if user is None:
        return ""
    return user.display_name or user.get_full_name() or ""


def message_out(message: ContactMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "speaker": message.speaker,
        "body": message.body,
        "status": message.status,
        "at": message.created_at.isoformat(),
        "client_id": message.external_id[2:] if message.external_id.startswith("c:") else "",
    }


def customer_card(contact: Contact) -> dict[str, Any] | None:
    """The chat's customer for the console: level, tier and identities masked (SEC-1)."""
    customer = contact.customer
    if customer is None:
        return None
    return {
        "id": customer.pk,
        "name": customer.name,
        "member_level": str(customer.get_member_level_display()),
        "tier": str(customer.get_tier_display()),
        "identities": [
            {"kind": item.kind, "value": mask_identity(item.kind, item.value)}
            for item in customer.identities.all()
        ],
    }
