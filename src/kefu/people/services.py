"""Writes of the training plan (TRN-2): add a topic to a month, mark it done.

Trainers and managers keep the plan (``people.add_trainingtopic`` /
``people.change_trainingtopic``). A topic may also be added by whoever may decide a monthly QA
suggestion (QA-5) when it comes from that suggestion (:mod:`kefu.quality.suggestions`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from kefu.accounts.models import Team, User
from kefu.audit.services import audit_record
from kefu.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from kefu.core.timeutils import now
from kefu.people.models import TrainingStatus, TrainingTopic

TITLE_LIMIT = 200
DETAIL_LIMIT = 4_000
AUDIENCE_LIMIT = 500
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 1)
# The allowed status changes; done is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    TrainingStatus.PLANNED: frozenset({TrainingStatus.DONE}),
    TrainingStatus.DONE: frozenset(),
}


def month_start(value: Any, *, field: str = "month") -> dt.date:
    """The first day of ``value``'s month; a date outside 2000…2999 is refused."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInput("must be a date", field=field)
    first = value.replace(day=1)
    if not EARLIEST <= first <= LATEST:
        raise InvalidInput("choose a month between 2000 and 2999", field=field)
    return first


def month_parse(text: Any) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month (2000…2999), or None when it is not one."""
    found = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text) if isinstance(text, str) else None
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    first = dt.date(int(found.group(1)), int(found.group(2)), 1)
    return first if EARLIEST <= first <= LATEST else None


def _text(value: Any, *, field: str, limit: int, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput("must be text", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("must not be empty", field=field)
    if len(value) > limit:
        raise InvalidInput(f"at most {limit} characters", field=field)
    if "\x00" in value:
        raise InvalidInput("must not contain NUL characters", field=field)
    return value


def _audience(model: type[Any], values: Iterable[Any], *, field: str) -> list[Any]:
    ids = []
    for value in values:
        ident = getattr(value, "pk", value)
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise InvalidInput("must be ids", field=field)
        ids.append(ident)
    ids = sorted(set(ids))
    if len(ids) > AUDIENCE_LIMIT:
        raise InvalidInput(f"at most {AUDIENCE_LIMIT}", field=field)
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {item.pk for item in found})
        raise InvalidInput(f"unknown ids: {missing[:5]}", field=field)
    return found


def _snapshot(topic: TrainingTopic) -> dict[str, Any]:
    return {
        "month": topic.month.isoformat(),
        "title": topic.title,
        "status": topic.status,
        "teams": sorted(topic.teams.values_list("id", flat=True)),
        "agents": sorted(topic.agents.values_list("id", flat=True)),
        "suggestion": topic.suggestion_id,
    }


@transaction.atomic
def training_topic_create(
    *,
    actor: Any,
    month: dt.date,
    title: str,
    detail: str = "",
    teams: Iterable[Team | int] = (),
    agents: Iterable[User | int] = (),
    suggestion: Any = None,
) -> TrainingTopic:
    """Add a topic to ``month``'s training plan (TRN-2), for ``teams`` and ``agents`` (none:
    everyone). With ``suggestion`` it records the QA suggestion it came from (QA-5)."""
    allowed = (
        actor is not None
        and actor.is_active
        and (
            actor.has_perm("people.add_trainingtopic")
            or (suggestion is not None and actor.has_perm("quality.change_improvementsuggestion"))
        )
    )
    if not allowed:
        raise PermissionDenied("only trainers and managers plan training")
    first = month_start(month)
    clean_title = _text(title, field="title", limit=TITLE_LIMIT, required=True)
    clean_detail = _text(detail, field="detail", limit=DETAIL_LIMIT, required=False)
    team_rows = _audience(Team, teams, field="teams")
    agent_rows = _audience(User, agents, field="agents")
    topic = TrainingTopic.objects.create(
        month=first,
        title=clean_title,
        detail=clean_detail,
        suggestion=suggestion,
        created_by=actor,
        created_at=now(),
    )
    topic.teams.set(team_rows)
    topic.agents.set(agent_rows)
    audit_record(actor=actor, verb="training_topic.create", target=topic, after=_snapshot(topic))
    return topic


@transaction.atomic
def training_topic_done(*, actor: Any, topic: TrainingTopic) -> TrainingTopic:
    """Mark a planned topic done (the month's training took place). Done is final: a second
    call is a 409."""
    if actor is None or not actor.is_active or not actor.has_perm("people.change_trainingtopic"):
        raise PermissionDenied("only trainers and managers mark training done")
    locked = TrainingTopic.objects.select_for_update().get(pk=topic.pk)
    if TrainingStatus.DONE not in TRANSITIONS[locked.status]:
        raise TransitionNotAllowed(f"training topic is {locked.status}, it cannot become done")
    locked.status = TrainingStatus.DONE
    locked.done_by = actor
    locked.done_at = now()
    locked.save(update_fields=["status", "done_by", "done_at"])
    audit_record(
        actor=actor,
        verb="training_topic.done",
        target=locked,
        before={"status": TrainingStatus.PLANNED},
        after={"status": locked.status},
    )
    return locked
