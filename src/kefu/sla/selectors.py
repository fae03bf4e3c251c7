"""Reading clocks: a ticket's clocks, the at-risk queue, next due times, compliance per milestone."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, QuerySet

from kefu.core.timeutils import now
from kefu.sla.models import Clock, ClockState
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import visible_tickets

LIVE_STATES = (ClockState.RUNNING, ClockState.WARNING, ClockState.BREACHED)


def ticket_clocks(*, ticket: Ticket) -> QuerySet[Clock]:
    return (
        Clock.objects.filter(ticket=ticket)
        .select_related("profile_version")
        .order_by("started_at", "id")
    )


def live_state(clock: Clock, moment: dt.datetime) -> str:
    """The state as of ``moment``: between sweeps the stored state can lag behind the clock."""
    state = clock.state
    if clock.stopped_at is None and state in (ClockState.RUNNING, ClockState.WARNING):
        if clock.due_at and moment >= clock.due_at:
            return ClockState.BREACHED
        if state == ClockState.RUNNING and clock.warn_at and moment >= clock.warn_at:
            return ClockState.WARNING
    return str(state)


def clocks_at_risk(*, user: Any, horizon: dt.timedelta = dt.timedelta(hours=4)) -> QuerySet[Clock]:
    """Open clocks of tickets the user sees that are overdue or due within ``horizon``."""
    return (
        Clock.objects.filter(
            stopped_at__isnull=True,
            state__in=LIVE_STATES,
            due_at__lte=now() + horizon,
            ticket__in=visible_tickets(user).values("pk"),
        )
        .select_related("ticket", "ticket__assignee", "ticket__team")
        .order_by("due_at", "id")
    )


def next_due_by_ticket(ticket_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """For each ticket, the nearest deadline among its running clocks (the "next due" column)."""
    rows = (
        Clock.objects.filter(
            ticket_id__in=list(ticket_ids), stopped_at__isnull=True, state__in=LIVE_STATES
        )
        .values("ticket_id")
        .annotate(next_due=Min("due_at"))
    )
    return {row["ticket_id"]: row["next_due"] for row in rows}


@dataclass(frozen=True)
class Compliance:
    milestone: str
    rule: str
    title: str
    finished: int
    met: int
    breached_open: int
    met_percent: float | None
    median_minutes: float | None
    p90_minutes: float | None


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def milestone_compliance(*, days: int) -> list[Compliance]:
    """Met % and time to meet (median, p90) per milestone for clocks started in the last days."""
    since = now() - dt.timedelta(days=days)
    clocks = Clock.objects.filter(started_at__gte=since).exclude(state=ClockState.CANCELLED)
    grouped: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"met": [], "breached": 0, "open_breached": 0}
    )
    titles: dict[str, tuple[str, str]] = {}
    for milestone, rule, title, state, started, met_at, stopped in clocks.values_list(
        "milestone", "rule", "title", "state", "started_at", "met_at", "stopped_at"
    ).iterator(chunk_size=5000):
        titles[milestone] = (rule, title)
        entry = grouped[milestone]
        if state == ClockState.MET and met_at is not None:
            entry["met"].append((met_at - started).total_seconds() / 60)
        elif state == ClockState.BREACHED:
            if stopped is None:
                entry["open_breached"] += 1
            entry["breached"] += 1
    rows = []
    for milestone, entry in sorted(grouped.items(), key=lambda item: titles[item[0]]):
        met = len(entry["met"])
        finished = met + entry["breached"]
        rows.append(
            Compliance(
                milestone=milestone,
                rule=titles[milestone][0],
                title=titles[milestone][1],
                finished=finished,
                met=met,
                breached_open=entry["open_breached"],
                met_percent=round(100 * met / finished, 1) if finished else None,
                median_minutes=round(statistics.median(entry["met"]), 1) if met else None,
                p90_minutes=round(_p90(entry["met"]), 1) if met else None,
            )
        )
    return rows
