"""Answer figures of the phone line (ACC-1, PRF-1) and the live wallboard (TEC-8).

Definitions, all over inbound calls whose ringing (the IVR hand-off, ``offered_at``) falls in
the period:

- offered: every such call;
- answered: calls an agent picked up;
- answered within target: answered with ``wait_seconds`` ≤ the standard's
  ``answer_within_seconds`` (ACC-1, 15 s in the default profile);
- abandoned: calls that ended without being answered;
- ringing: neither yet — they count once they settle, so a call ringing right now does not
  lower today's rate;
- answer rate = answered / (answered + abandoned), against ``answer_rate_target`` (PRF-1, 95 %);
- within-target share = answered within target / answered;
- average wait: over answered calls.

A call with a negative wait (answered before it rang — the CTI service refuses that) is left out
of every figure rather than counted as answered within target.

A day is a calendar day in the center's time zone (``KEFU_TIME_ZONE``, Asia/Shanghai by default).
Thresholds come from the standard profile in force, never from code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from kefu.accounts.models import Team, User
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.channels.models import (
    AgentPresence,
    Contact,
    ContactKind,
    ContactState,
    Direction,
    Presence,
)
from kefu.channels.screens.selectors import (
    CHANNEL_ICONS,
    WAITING_STATES,
    without_stale_calls,
)
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.forms import EARLIEST, LATEST
from kefu.core.timeutils import now
from kefu.standard.selectors import standard_value

MAX_REPORT_DAYS = 366
WALLBOARD_ROLES = (Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN)
# Contacts an agent is working on: ringing at the desk, in progress, on hold.
BUSY_STATES = (ContactState.OFFERED, ContactState.ACTIVE, ContactState.HELD)


def clock_text(seconds: float | None) -> str:
    """Seconds as a wallboard shows them: 0:42, 12:05, 1:02:05; a dash for nothing."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def may_see_wallboard(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, *WALLBOARD_ROLES)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class AnswerFigures:
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    wait_total: float = 0.0

    @property
    def ringing(self) -> int:
        return self.offered - self.answered - self.abandoned

    @property
    def answer_rate(self) -> float | None:
        """PRF-1: answered / settled calls, in percent (None without settled calls)."""
        return _rate(self.answered, self.answered + self.abandoned)

    @property
    def within_rate(self) -> float | None:
        """ACC-1: share of answered calls picked up within the target, in percent."""
        return _rate(self.answered_within, self.answered)

    @property
    def abandon_rate(self) -> float | None:
        return _rate(self.abandoned, self.answered + self.abandoned)

    @property
    def average_wait_seconds(self) -> float | None:
        return round(self.wait_total / self.answered, 1) if self.answered else None

    def __add__(self, other: AnswerFigures) -> AnswerFigures:
        return AnswerFigures(
            offered=self.offered + other.offered,
            answered=self.answered + other.answered,
            answered_within=self.answered_within + other.answered_within,
            abandoned=self.abandoned + other.abandoned,
            wait_total=self.wait_total + other.wait_total,
        )


@dataclass(frozen=True)
class AnswerDay:
    day: dt.date
    figures: AnswerFigures


@dataclass(frozen=True)
class AnswerRateReport:
    start: dt.datetime
    end: dt.datetime
    team: Team | None
    threshold_seconds: float  # ACC-1 answer_within_seconds
    answer_rate_target: float  # PRF-1 answer_rate_target, percent
    total: AnswerFigures
    days: list[AnswerDay]

    @property
    def answer_rate_met(self) -> bool | None:
        rate = self.total.answer_rate
        return None if rate is None else rate >= self.answer_rate_target

    def as_dict(self) -> dict[str, Any]:
        def figures(values: AnswerFigures) -> dict[str, Any]:
            return {
                "offered": values.offered,
                "answered": values.answered,
                "answered_within_target": values.answered_within,
                "abandoned": values.abandoned,
                "ringing": values.ringing,
                "answer_rate": values.answer_rate,
                "within_target_rate": values.within_rate,
                "abandon_rate": values.abandon_rate,
                "average_wait_seconds": values.average_wait_seconds,
            }

        zone = timezone.get_default_timezone()
        return {
            "start": self.start.astimezone(zone).isoformat(),
            "end": self.end.astimezone(zone).isoformat(),
            "team": self.team.pk if self.team else None,
            "answer_within_seconds": self.threshold_seconds,
            "answer_rate_target": self.answer_rate_target,
            **figures(self.total),
            "days": [{"day": day.day.isoformat(), **figures(day.figures)} for day in self.days],
        }


def _team_rule(team: Team) -> Q:
    # Calls carry no team of their own: they count for the team of the agent who had them.
    return Q(team=team) | Q(team__isnull=True, agent__team=team)


def inbound_calls(*, start: dt.datetime, end: dt.datetime, team: Team | None) -> QuerySet[Contact]:
    calls = Contact.objects.filter(
        kind=ContactKind.CALL,
        direction=Direction.INBOUND,
        offered_at__gte=start,
        offered_at__lt=end,
    )
    return calls.filter(_team_rule(team)) if team is not None else calls


def answer_rate_report(
    *, start: dt.datetime, end: dt.datetime, team: Team | None = None
) -> AnswerRateReport:
    """ACC-1 and PRF-1 figures of inbound calls offered in [start, end), per local day."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end need a time zone", field="start")
    if end <= start:
        raise InvalidInput("the period ends before it starts", field="end")
    if end - start > dt.timedelta(days=MAX_REPORT_DAYS):
        raise InvalidInput(f"the period is longer than {MAX_REPORT_DAYS} days", field="end")
    threshold = float(standard_value("answer_within_seconds"))
    target = float(standard_value("answer_rate_target"))
    zone = timezone.get_default_timezone()
    answered = Q(answered_at__isnull=False)
    rows = (
        inbound_calls(start=start, end=end, team=team)
        # Defensive: the CTI service refuses an answer before the ringing, but a negative wait
        # (older data, another writer) would count as within target; such a call is left out.
        .exclude(wait_seconds__lt=0)
        .annotate(day=TruncDate("offered_at", tzinfo=zone))
        .values("day")
        .annotate(
            offered=Count("id"),
            answered=Count("id", filter=answered),
            within=Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
            abandoned=Count("id", filter=Q(answered_at__isnull=True, ended_at__isnull=False)),
            wait=Sum("wait_seconds", filter=answered),
        )
        .order_by("day")
    )
    by_day = {
        row["day"]: AnswerFigures(
            offered=row["offered"],
            answered=row["answered"],
            answered_within=row["within"],
            abandoned=row["abandoned"],
            wait_total=float(row["wait"] or 0),
        )
        for row in rows
    }
    days = []
    day = timezone.localtime(start, zone).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1), zone).date()
    while day <= last:
        days.append(AnswerDay(day=day, figures=by_day.get(day, AnswerFigures())))
        day += dt.timedelta(days=1)
    total = sum((entry.figures for entry in days), AnswerFigures())
    return AnswerRateReport(
        start=start,
        end=end,
        team=team,
        threshold_seconds=threshold,
        answer_rate_target=target,
        total=total,
        days=days,
    )


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00, next 00:00) of ``day`` in the center's time zone, as aware datetimes."""
    if not EARLIEST <= day <= LATEST:  # the calendar's far ends overflow in UTC
        raise InvalidInput(
            f"choose a day between {EARLIEST.isoformat()} and {LATEST.isoformat()}", field="day"
        )
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def report_period(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days ``first`` to ``last``, both included, as [start, end) for a report.

    Refused with the field named (never an overflow): a day outside 1970–2999, ``last`` before
    ``first``, or more than ``MAX_REPORT_DAYS`` days.
    """
    for field, day in (("start", first), ("end", last)):
        if not EARLIEST <= day <= LATEST:
            raise InvalidInput(
                f"{field}: choose a day between {EARLIEST.isoformat()} and {LATEST.isoformat()}",
                field=field,
            )
    if last < first:
        raise InvalidInput("the period ends before it starts", field="end")
    if (last - first).days + 1 > MAX_REPORT_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_REPORT_DAYS} days", field="end")
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    return start, end


# -- the wallboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelQueue:
    kind: str
    label: str
    icon: str
    waiting: int
    longest_wait_seconds: float | None

    @property
    def longest_wait_text(self) -> str:
        return clock_text(self.longest_wait_seconds)


@dataclass(frozen=True)
class AgentState:
    user: User
    status: str
    label: str
    since: dt.datetime | None
    last_seen: dt.datetime | None
    stale: bool  # no sign of life for longer than the presence timeout
    active_contacts: int


@dataclass(frozen=True)
class Wallboard:
    moment: dt.datetime
    team: Team | None
    queues: list[ChannelQueue]
    waiting_total: int
    longest_wait_seconds: float | None
    presence: list[tuple[str, str, int]]  # status, label, agents
    agents: list[AgentState]
    today: AnswerRateReport

    @property
    def longest_wait_text(self) -> str:
        return clock_text(self.longest_wait_seconds)


def _queues(team: Team | None, moment: dt.datetime) -> list[ChannelQueue]:
    waiting = without_stale_calls(Contact.objects.filter(state__in=WAITING_STATES), moment)
    if team is not None:
        # Contacts no team was chosen for are waiting for every team.
        waiting = waiting.filter(_team_rule(team) | Q(team__isnull=True, agent__isnull=True))
    rows = {
        row["kind"]: row
        for row in waiting.values("kind")
        .annotate(n=Count("id"), oldest=Min(Coalesce("queued_at", "offered_at", "created_at")))
        .order_by("kind")
    }
    queues = []
    for kind in ContactKind:
        row = rows.get(kind.value)
        oldest = row["oldest"] if row else None
        queues.append(
            ChannelQueue(
                kind=kind.value,
                label=str(kind.label),
                icon=CHANNEL_ICONS.get(kind.value, "fa-solid fa-comment"),
                waiting=row["n"] if row else 0,
                longest_wait_seconds=max(0.0, (moment - oldest).total_seconds())
                if oldest
                else None,
            )
        )
    return queues


def _agents(team: Team | None, moment: dt.datetime) -> list[AgentState]:
    is_agent = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.AGENT)
    has_presence = AgentPresence.objects.filter(user_id=OuterRef("pk"))
    busy = (
        without_stale_calls(
            Contact.objects.filter(agent_id=OuterRef("pk"), state__in=BUSY_STATES), moment
        )
        .order_by()
        .values("agent_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    users = User.objects.filter(is_active=True).filter(Exists(is_agent) | Exists(has_presence))
    if team is not None:
        users = users.filter(team=team)
    users = (
        users.select_related("presence")
        .annotate(busy=Coalesce(Subquery(busy), Value(0)))
        .order_by("username")
    )
    timeout = dt.timedelta(seconds=settings.KEFU_CHAT_PRESENCE_TIMEOUT_SECONDS)
    labels = dict(Presence.choices)
    agents = []
    for user in users:
        presence = getattr(user, "presence", None)
        status = presence.status if presence is not None else Presence.OFFLINE
        last_seen = presence.last_seen_at if presence is not None else None
        # An agent whose workspace stopped reporting (browser closed, network gone) is counted
        # as offline, as chat routing does; the screen still says what was last reported.
        stale = (
            status != Presence.OFFLINE and last_seen is not None and moment - last_seen > timeout
        )
        agents.append(
            AgentState(
                user=user,
                status=Presence.OFFLINE if stale else status,
                label=str(labels.get(status, status)),
                since=presence.changed_at if presence is not None else None,
                last_seen=last_seen,
                stale=stale,
                active_contacts=user.busy,
            )
        )
    return agents


def wallboard(*, user: Any, team: Team | None = None) -> Wallboard:
    """The live picture for team leads and managers (TEC-8): who waits on which channel and
    for how long, who is available, and today's ACC-1 / PRF-1 figures."""
    if not may_see_wallboard(user):
        raise PermissionDenied("the wallboard is for team leads and managers")
    moment = now()
    queues = _queues(team, moment)
    agents = _agents(team, moment)
    counts = dict.fromkeys(Presence.values, 0)
    for agent in agents:
        counts[agent.status] = counts.get(agent.status, 0) + 1
    waits = [queue.longest_wait_seconds for queue in queues if queue.longest_wait_seconds]
    start, end = local_day_bounds(
        timezone.localtime(moment, timezone.get_default_timezone()).date()
    )
    return Wallboard(
        moment=moment,
        team=team,
        queues=queues,
        waiting_total=sum(queue.waiting for queue in queues),
        longest_wait_seconds=max(waits) if waits else None,
        presence=[(value, str(label), counts[value]) for value, label in Presence.choices],
        agents=agents,
        today=answer_rate_report(start=start, end=end, team=team),
    )
