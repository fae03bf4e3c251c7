"""Routing of waiting chats to agents (TEC-7, ACC-4).

A routing pool is a team (a widget without a team forms one pool with every chat agent). Chats
wait in the pool in the order priority (higher first), then time queued. Each waiting chat goes
to an available agent of the pool who has the chat's skill level and a free slot (their
``max_chats``), the least loaded first. Routing runs when a chat starts, when an agent becomes
available or changes their limit, when a chat ends, and from an agent's console poll while
chats wait — so a lost trigger only delays a chat by one poll.

Agents of every team may take the chats of the team-less pool (a widget without a team means
"any agent who may chat"), so whenever a team's agents may have a free slot the team-less pool
is routed too, after the team's own queue (:func:`chat_route_for_team`): a team-less chat never
waits for a trigger that only its own pool would fire.

Two routing runs never hand out the same chat: the waiting chats and the agents' presence rows
are locked (``select_for_update``) and a chat is taken with a conditional update on its state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from kefu.audit.services import audit_record
from kefu.channels.chat.selectors import (
    LIVE_STATES,
    presence_fresh_since,
    skill_sufficient,
    waiting_chats,
)
from kefu.channels.models import (
    AgentPresence,
    Contact,
    ContactKind,
    ContactState,
    Presence,
)
from kefu.core.timeutils import now
from kefu.quality.tasks import contact_check_after_commit

# Waiting chats looked at per routing run: more than any team has agents' free slots.
ROUTE_BATCH = 200


def chat_route(*, team_id: int | None) -> list[tuple[int, int]]:
    """Hand waiting chats of the pool to agents; returns (contact id, agent id) pairs."""
    moment = now()
    with transaction.atomic():
        _abandon_stale(team_id, moment)
        waiting = list(
            waiting_chats(team_id=team_id)
            .select_for_update(of=("self",))
            .select_related("chat")[:ROUTE_BATCH]
        )
        if not waiting:
            return []
        presences = AgentPresence.objects.select_for_update(of=("self",)).filter(
            status=Presence.AVAILABLE,
            last_seen_at__gte=presence_fresh_since(),
            user__is_active=True,
        )
        if team_id is not None:
            presences = presences.filter(user__team_id=team_id)
        agents = list(presences.select_related("user").order_by("changed_at", "user_id"))
        if not agents:
            return []
        loads: Counter[int] = Counter(
            {
                row["agent_id"]: row["n"]
                for row in Contact.objects.filter(
                    kind=ContactKind.CHAT,
                    state__in=LIVE_STATES,
                    agent_id__in=[item.user_id for item in agents],
                )
                .values("agent_id")
                .annotate(n=Count("id"))
            }
        )
        assigned: list[tuple[int, int]] = []
        for contact in waiting:
            required = contact.chat.required_skill if hasattr(contact, "chat") else ""
            candidates = [
                item
                for item in agents
                if loads[item.user_id] < item.max_chats
                and skill_sufficient(item.user.skill_level, required)
            ]
            if not candidates:
                continue
            # Least loaded first; on a tie, who has been available the longest.
            chosen = min(candidates, key=lambda item: loads[item.user_id])
            if _assign(contact, chosen.user, moment):
                loads[chosen.user_id] += 1
                assigned.append((contact.pk, chosen.user_id))
        return assigned


def chat_route_for_team(*, team_id: int | None) -> list[tuple[int, int]]:
    """Route for agents of ``team_id``: first their team's queue, then the team-less pool that
    every agent serves (the team's agents and everyone else's compete for it fairly)."""
    assigned = chat_route(team_id=team_id) if team_id is not None else []
    return assigned + chat_route(team_id=None)


def _assign(contact: Contact, agent: Any, moment: dt.datetime) -> bool:
    taken = Contact.objects.filter(pk=contact.pk, state=ContactState.QUEUED).update(
        state=ContactState.ACTIVE, agent=agent, offered_at=moment, updated_at=moment
    )
    if not taken:
        return False
    audit_record(
        actor=None,
        verb="chat.assign",
        target=contact,
        after={"agent": agent.username, "priority": contact.priority},
    )
    return True


def _abandon_stale(team_id: int | None, moment: dt.datetime) -> None:
    """A waiting visitor whose widget stopped polling left: the chat ends unanswered."""
    cutoff = moment - dt.timedelta(seconds=settings.KEFU_CHAT_VISITOR_TIMEOUT_SECONDS)
    stale = list(waiting_chats(team_id=team_id).filter(updated_at__lt=cutoff)[:ROUTE_BATCH])
    for contact in stale:
        ended = Contact.objects.filter(pk=contact.pk, state=ContactState.QUEUED).update(
            state=ContactState.ENDED, ended_at=moment, updated_at=moment
        )
        if ended:
            audit_record(
                actor=None, verb="chat.abandon", target=contact, after={"reason": "visitor left"}
            )
            contact_check_after_commit(contact.pk)
