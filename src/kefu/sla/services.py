"""Running the standard's milestone clocks (HND-8): start, stop, pause, resume, sweep, escalate.

Ticket services call :func:`sla_ticket_event` inside their own transaction, so a clock changes
exactly when the ticket does. The sweeper (:func:`sla_sweep`) takes due clocks with one indexed
range query on ``next_action_at``, in batches, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
several workers never take the same clock; every warning, breach and escalation step is a
``ClockEvent`` with a unique key, written in the same transaction as its notifications — a
batch that dies is rolled back whole and redone once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.audit.services import audit_records_bulk
from kefu.calendars.durations import parse_duration
from kefu.calendars.services import calendar_missing_years_alert
from kefu.core.caching import ttl_cache
from kefu.core.timeutils import now
from kefu.notify.models import Notification
from kefu.notify.services import outbox_enqueue
from kefu.sla.models import OPEN_STATES, Clock, ClockEvent, ClockState
from kefu.sla.timing import Target, deadline, elapsed, target_of
from kefu.standard.document import milestone_target
from kefu.standard.models import ProfileVersion
from kefu.standard.selectors import DEFAULT_PROFILE, profile_current_version
from kefu.tickets.models import Ticket

logger = logging.getLogger(__name__)
PRIORITY_UP = {"C": "B", "B": "A", "A": "A"}
# What happens once in a ticket's life, so a reopened ticket does not wait for it again: the
# record was completed (CLS-3), the work was routed (HND-2), the need confirmed (HND-5), the
# complaint registered (CMP-1).
ONCE_PER_TICKET = frozenset(
    {"record_completed", "department_routed", "notice_sent", "complaint_registered"}
)


@lru_cache(maxsize=64)
def _version_document(version_id: int) -> dict[str, Any]:
    # Versions are immutable, so caching a document by id can never serve stale rules.
    return ProfileVersion.objects.get(pk=version_id).document


@ttl_cache(1.0)
def _current_version() -> ProfileVersion:
    """The version in force (re-read at most once a second); the document comes from the cache."""
    row = (
        ProfileVersion.objects.filter(profile__name=DEFAULT_PROFILE)
        .order_by("-number")
        .values_list("pk", "number")
        .first()
    )
    if row is None:
        return profile_current_version()  # raises NotFound with the explanation
    return ProfileVersion(pk=row[0], number=row[1])


def _milestone(clock: Clock) -> dict[str, Any]:
    document = _version_document(clock.profile_version_id)
    for milestone in document["milestones"]:
        if milestone["key"] == clock.milestone:
            return milestone
    return {"escalation": [], "warn_at_percent": 80, "recurring": False, "pause_statuses": []}


def _complaint_severity(ticket: Ticket) -> str | None:
    from kefu.complaints.lookup import ticket_complaint

    complaint = ticket_complaint(ticket)
    return str(complaint.severity) if complaint is not None else None


def _applies(milestone: dict[str, Any], ticket: Ticket) -> bool:
    values = {
        "category_root": ticket.category.root,
        "category": ticket.category.code,
        "handling_class": ticket.handling_class,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "customer_tier": ticket.customer.tier if ticket.customer is not None else None,
    }
    for key, allowed in milestone["applies_to"].items():
        value = _complaint_severity(ticket) if key == "complaint_severity" else values.get(key)
        if value not in allowed:
            return False
    return True


def _target(clock: Clock) -> Target:
    return target_of(clock.target, clock.calendar)


def _schedule(clock: Clock, moment: dt.datetime, remaining: float) -> None:
    """Set due/warn times for a clock counting from ``moment`` with ``remaining`` left."""
    target = _target(clock)
    clock.counting_since = moment
    clock.remaining_seconds = remaining
    clock.due_at, unknown = deadline(target, moment, remaining)
    if unknown:
        calendar_missing_years_alert(calendar=clock.calendar, years=unknown)
    percent = _milestone(clock).get("warn_at_percent", 80) / 100
    before_warning = remaining - (1 - percent) * target.seconds
    clock.warn_at = deadline(target, moment, before_warning)[0] if before_warning > 0 else None
    if clock.warned_at is None and clock.warn_at is not None and clock.warn_at < clock.due_at:
        clock.next_action_at = clock.warn_at
    else:
        clock.next_action_at = clock.due_at


def clock_start(
    *,
    ticket: Ticket,
    milestone: dict[str, Any],
    version: ProfileVersion,
    moment: dt.datetime,
    cycle: int = 1,
    save: bool = True,
    department_id: int | None = None,
) -> Clock:
    document = _version_document(version.pk)
    clock = Clock(
        ticket=ticket,
        department_id=department_id,
        milestone=milestone["key"],
        rule=milestone["rule"],
        title=milestone["title"],
        profile_version=version,
        calendar=milestone["calendar"],
        target=milestone_target(document, milestone),
        cycle=cycle,
        state=ClockState.RUNNING,
        started_at=moment,
    )
    _schedule(clock, moment, target_of(clock.target, clock.calendar).seconds)
    if ticket.status in milestone.get("pause_statuses", []):
        _pause(clock, moment)
    if save:
        clock.save()
    return clock


def _pause(clock: Clock, moment: dt.datetime) -> None:
    if clock.state not in (ClockState.RUNNING, ClockState.WARNING):
        return
    used = elapsed(_target(clock), clock.counting_since, moment)
    clock.remaining_seconds = max((clock.remaining_seconds or 0) - used, 0.0)
    clock.state = ClockState.PAUSED
    clock.paused_at = moment
    clock.next_action_at = None


def _resume(clock: Clock, moment: dt.datetime) -> None:
    if clock.state != ClockState.PAUSED or clock.paused_at is None:
        return
    clock.paused_seconds += max((moment - clock.paused_at).total_seconds(), 0.0)
    clock.paused_at = None
    clock.state = ClockState.WARNING if clock.warned_at else ClockState.RUNNING
    _schedule(clock, moment, clock.remaining_seconds or 0.0)


def _stop(clock: Clock, moment: dt.datetime) -> None:
    """The stop event happened: met if in time, otherwise it stays breached (and stops escalating)."""
    if clock.state == ClockState.PAUSED:
        _resume(clock, moment)
    clock.stopped_at = moment
    clock.next_action_at = None
    if clock.due_at is not None and moment <= clock.due_at and clock.breached_at is None:
        clock.state = ClockState.MET
        clock.met_at = moment
    else:
        clock.state = ClockState.BREACHED
        clock.breached_at = clock.breached_at or clock.due_at


def _cancel(clock: Clock, moment: dt.datetime) -> None:
    clock.state = ClockState.CANCELLED
    clock.stopped_at = moment
    clock.next_action_at = None


def _open_clocks(ticket: Ticket) -> list[Clock]:
    return list(
        Clock.objects.select_for_update(of=("self",))
        .filter(ticket=ticket, state__in=OPEN_STATES, stopped_at__isnull=True)
        .order_by("id")
    )


@dataclass
class TicketChange:
    """What happened to a ticket, as the SLA engine needs to know it."""

    # created | public_reply | internal | routed | status | record | complaint_registered
    # | complaint_stage (status_from/status_to are stages) | department_asked | department_replied
    event: str
    moment: dt.datetime
    first_public_reply: bool = False
    notice: str | None = None
    status_from: str | None = None
    status_to: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def sla_ticket_event(*, ticket: Ticket, change: TicketChange) -> None:
    """Start, stop, pause, resume or cancel the ticket's clocks; call inside its transaction."""
    moment = change.moment
    if change.event == "created":
        version = _current_version()
        # A ticket opened in the complaint tree is the receipt of a complaint (CMP-1).
        starts = {"ticket_created"}
        if ticket.category.root == "complaint":
            starts.add("complaint_received")
        Clock.objects.bulk_create(
            [
                clock_start(
                    ticket=ticket, milestone=milestone, version=version, moment=moment, save=False
                )
                for milestone in _version_document(version.pk)["milestones"]
                if milestone["start"] in starts and _applies(milestone, ticket)
            ]
        )
        return
    if (
        change.event.startswith(("complaint_", "department_"))
        and change.event != "department_routed"
    ):
        _complaint_event(ticket, change)
        return
    if change.event == "reclassified":
        _reclassified(ticket, change.moment)
        return
    clocks = _open_clocks(ticket)
    changed: set[int] = set()
    restart: list[Clock] = []
    starting: list[str] = []
    for clock in clocks:
        milestone = _milestone(clock)
        stop = milestone.get("stop")
        hit = False
        if change.event == "public_reply":
            # After a reopen (cycle 2 on) the first answer is the first reply since then.
            hit = stop == "public_reply" or (
                stop == "first_public_reply" and (change.first_public_reply or clock.cycle > 1)
            )
            hit = hit or (
                stop == "notice_sent"
                and change.notice is not None
                and change.notice == milestone.get("notice")
            )
        elif change.event == "routed":
            hit = stop == "department_routed"
        elif change.event == "record":
            hit = stop == "record_completed"
        elif change.event == "status":
            to = change.status_to
            if to == "cancelled":
                _cancel(clock, moment)
                changed.add(clock.pk)
                continue
            if to == "resolved":
                if milestone.get("recurring") or stop == "department_routed":
                    _cancel(clock, moment)  # no more progress updates or routing once solved
                    changed.add(clock.pk)
                    continue
                hit = stop in ("ticket_resolved", "first_public_reply")  # solving is responding
            elif to in milestone.get("pause_statuses", []):
                _pause(clock, moment)
                changed.add(clock.pk)
            elif change.status_from in milestone.get("pause_statuses", []):
                _resume(clock, moment)
                changed.add(clock.pk)
        if hit:
            _stop(clock, moment)
            changed.add(clock.pk)
            if milestone.get("recurring") and ticket.status not in (
                "resolved",
                "closed",
                "cancelled",
            ):
                restart.append(clock)
    for clock in clocks:
        if clock.pk in changed:
            clock.version += 1
            clock.save()
    for clock in restart:
        version = clock.profile_version
        milestone = next(
            m for m in _version_document(version.pk)["milestones"] if m["key"] == clock.milestone
        )
        clock_start(
            ticket=ticket,
            milestone=milestone,
            version=version,
            moment=moment,
            cycle=clock.cycle + 1,
        )
    if change.event == "status" and change.status_to == "resolved":
        starting.append("ticket_resolved")
    if change.event == "routed":
        starting.append("department_routed")
    if change.event == "public_reply" and change.first_public_reply:
        starting.append("first_public_reply")
    reopened = (
        change.event == "status"
        and change.status_to == "open"
        and change.status_from in ("resolved", "closed")
    )
    if reopened:
        starting.append("ticket_created")  # a reopened ticket runs its clocks again
    if starting:
        version = _current_version()
        running = {
            (clock.milestone)
            for clock in Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).exclude(
                state=ClockState.CANCELLED
            )
        }
        for milestone in _version_document(version.pk)["milestones"]:
            if (
                milestone["start"] in starting
                and milestone["key"] not in running
                and not (reopened and milestone["stop"] in ONCE_PER_TICKET)
                and _applies(milestone, ticket)
            ):
                cycle = (
                    Clock.objects.filter(ticket=ticket, milestone=milestone["key"])
                    .order_by("-cycle")
                    .values_list("cycle", flat=True)
                    .first()
                    or 0
                ) + 1
                clock_start(
                    ticket=ticket, milestone=milestone, version=version, moment=moment, cycle=cycle
                )


# -- complaints (CMP-1…5, ORG-2) ----------------------------------------------------------------

# Which stop events a complaint stage fires: solving includes the investigation (a general
# complaint may be solved at once, CMP-5); closing after rectification is its completion.
STAGE_STOPS = {
    "plan_proposed": {"complaint_investigated"},
    "solved": {"complaint_investigated", "complaint_solved"},
}
STAGE_STARTS = {"solved": "complaint_solved"}


def _next_cycle(ticket: Ticket, key: str) -> int:
    top = (
        Clock.objects.filter(ticket=ticket, milestone=key)
        .order_by("-cycle")
        .values_list("cycle", flat=True)
        .first()
    )
    return (top or 0) + 1


def _start_new(
    ticket: Ticket,
    starts: set[str],
    moment: dt.datetime,
    *,
    only_missing: bool = False,
    department_id: int | None = None,
) -> None:
    """Start the current version's milestones that begin with one of ``starts`` and apply."""
    version = _current_version()
    existing = set(
        Clock.objects.filter(ticket=ticket).values_list("milestone", flat=True).distinct()
    )
    for milestone in _version_document(version.pk)["milestones"]:
        if milestone["start"] not in starts or not _applies(milestone, ticket):
            continue
        if only_missing and milestone["key"] in existing:
            continue
        clock_start(
            ticket=ticket,
            milestone=milestone,
            version=version,
            moment=moment,
            cycle=_next_cycle(ticket, milestone["key"]),
            department_id=department_id,
        )


def _save_changed(clocks: list[Clock], changed: set[int]) -> None:
    for clock in clocks:
        if clock.pk in changed:
            clock.version += 1
            clock.save()


def _complaint_event(ticket: Ticket, change: TicketChange) -> None:
    moment = change.moment
    if change.event == "complaint_registered":
        # The ticket is now a complaint (category, transfer handling): clocks that no longer
        # apply end, the complaint's clocks start from the time it was received, and the
        # registration clock stops now.
        received = change.extras.get("received_at", moment)
        clocks = _open_clocks(ticket)
        changed: set[int] = set()
        for clock in clocks:
            milestone = _milestone(clock)
            if milestone.get("start") == "ticket_created" and not _applies(milestone, ticket):
                _cancel(clock, moment)
                changed.add(clock.pk)
            elif (
                milestone.get("start") in ("complaint_received", "ticket_created")
                and clock.started_at > received
                and clock.cycle == 1
                and clock.state == ClockState.RUNNING
            ):
                # Registered with an earlier receipt than the ticket's creation (a complaint
                # taken on the phone and keyed in later): the clock counts from the receipt.
                clock.started_at = received
                _schedule(clock, received, _target(clock).seconds)
                changed.add(clock.pk)
        _save_changed(clocks, changed)
        _start_new(ticket, {"complaint_received", "ticket_created"}, received, only_missing=True)
        _stop_where(ticket, moment, {"complaint_registered"})
        return
    if change.event == "department_asked":
        _start_new(ticket, {"department_asked"}, moment, department_id=change.extras["department"])
        return
    if change.event == "department_replied":
        _stop_where(ticket, moment, {"department_replied"}, department=change.extras["department"])
        return
    # complaint_stage
    stage, source = change.status_to, change.status_from
    if stage == "investigating" and source in ("solved", "closed"):
        # Reopened: the solution clocks run again from now; rectification waits for the new one.
        _cancel_where(ticket, moment, stops={"complaint_rectified"}, notices={"rectification"})
        _restart_solution_clocks(ticket, moment)
        return
    _stop_where(ticket, moment, STAGE_STOPS.get(str(stage), set()))
    if stage == "solved":
        # The result notice (HND-7) carries the solution; a plan not yet told is superseded.
        _cancel_where(ticket, moment, notices={"plan"})
    if stage == "closed":
        if source == "rectifying":
            _stop_where(ticket, moment, {"complaint_rectified"})
            _start_new(ticket, {"complaint_rectified"}, moment)
        else:
            _cancel_where(ticket, moment, stops={"complaint_rectified"})
    if str(stage) in STAGE_STARTS:
        _start_new(ticket, {STAGE_STARTS[str(stage)]}, moment)


def _reclassified(ticket: Ticket, moment: dt.datetime) -> None:
    """The ticket's category changed: end the clocks that no longer apply; a ticket that now
    is in the complaint tree starts the complaint clocks it never had."""
    clocks = _open_clocks(ticket)
    changed: set[int] = set()
    for clock in clocks:
        milestone = _milestone(clock)
        if milestone.get("start") in ("ticket_created", "complaint_received") and not _applies(
            milestone, ticket
        ):
            _cancel(clock, moment)
            changed.add(clock.pk)
    _save_changed(clocks, changed)
    if ticket.category.root == "complaint":
        _start_new(ticket, {"complaint_received"}, moment, only_missing=True)


def _stop_where(
    ticket: Ticket, moment: dt.datetime, stops: set[str], *, department: int | None = None
) -> None:
    if not stops:
        return
    clocks = _open_clocks(ticket)
    changed: set[int] = set()
    for clock in clocks:
        if _milestone(clock).get("stop") in stops and (
            department is None or clock.department_id == department
        ):
            _stop(clock, moment)
            changed.add(clock.pk)
    _save_changed(clocks, changed)


def _cancel_where(
    ticket: Ticket,
    moment: dt.datetime,
    *,
    stops: set[str] | frozenset[str] = frozenset(),
    notices: set[str] | frozenset[str] = frozenset(),
) -> None:
    clocks = _open_clocks(ticket)
    changed: set[int] = set()
    for clock in clocks:
        milestone = _milestone(clock)
        if milestone.get("stop") in stops or (
            milestone.get("stop") == "notice_sent" and milestone.get("notice") in notices
        ):
            _cancel(clock, moment)
            changed.add(clock.pk)
    _save_changed(clocks, changed)


def _restart_solution_clocks(ticket: Ticket, moment: dt.datetime) -> None:
    version = _current_version()
    running = set(
        Clock.objects.filter(ticket=ticket, stopped_at__isnull=True)
        .exclude(state=ClockState.CANCELLED)
        .values_list("milestone", flat=True)
    )
    for milestone in _version_document(version.pk)["milestones"]:
        if (
            milestone["stop"] == "complaint_solved"
            and milestone["key"] not in running
            and _applies(milestone, ticket)
        ):
            clock_start(
                ticket=ticket,
                milestone=milestone,
                version=version,
                moment=moment,
                cycle=_next_cycle(ticket, milestone["key"]),
            )


# -- the sweeper ------------------------------------------------------------------------------


class SweepBatch:
    """The writes of one sweeper batch, collected and written together in its transaction.

    Idempotency: a batch runs in one transaction together with the clock updates that move
    ``next_action_at`` past the acted-on step, so a committed step is never found due again and
    a batch that dies leaves nothing behind. The unique (clock, kind, step) key of ClockEvent
    is the safety net: a second write would fail the batch instead of notifying twice.
    """

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment
        self.events: list[ClockEvent] = []
        self.notifications: list[Notification] = []
        self.audits: list[dict[str, Any]] = []
        self.mails: list[tuple[str, str, str, str]] = []
        self.counts = {"warnings": 0, "breaches": 0, "escalations": 0}

    def record(
        self,
        clock: Clock,
        kind: str,
        step: int,
        action: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            ClockEvent(
                clock=clock,
                kind=kind,
                step=step,
                action=action,
                occurred_at=self.moment,
                detail=detail or {},
            )
        )

    def notify(
        self,
        recipients: Iterable[User | None],
        *,
        kind: str,
        title: str,
        body: str,
        ticket: Ticket,
        dedupe: str,
    ) -> None:
        unique = {user.pk: user for user in recipients if user is not None and user.is_active}
        for user in unique.values():
            self.notifications.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    ticket=ticket,
                    created_at=self.moment,
                )
            )
            if user.email:
                self.mails.append((user.email, title, body, f"{dedupe}:{user.pk}"))

    def flush(self) -> None:
        ClockEvent.objects.bulk_create(self.events)
        Notification.objects.bulk_create(self.notifications)
        audit_records_bulk(self.audits)
        for address, title, body, key in self.mails:
            outbox_enqueue(to_address=address, subject=title, body=body, dedupe_key=key)


def _managers() -> list[User]:
    return list(User.objects.filter(groups__name=Role.MANAGER, is_active=True))


def _act(clock: Clock, action: str, batch: SweepBatch) -> None:
    """One escalation action on a breached clock (HND-8)."""
    ticket = clock.ticket
    title = f"工单 {ticket.number}「{clock.title}」已超时（{clock.rule}）"
    body = f"{ticket.subject}\n截止时间 {clock.due_at:%Y-%m-%d %H:%M} UTC，当前状态 {ticket.get_status_display()}。"
    lead = ticket.team.lead if ticket.team_id and ticket.team else None
    recipients: list[User | None]
    if action == "notify_assignee":
        recipients = [ticket.assignee or lead]
    elif action == "notify_team_lead":
        recipients = [lead]
    elif action == "notify_manager":
        recipients = list(_managers())
    elif action == "notify_department":
        department = clock.department or ticket.department
        recipients = list(department.members.all()) if department is not None else []
    elif action in ("reassign_to_team_lead", "raise_priority"):
        from kefu.tickets.services import ticket_update

        changes: dict[str, Any] = {}
        if action == "reassign_to_team_lead" and lead is not None and ticket.assignee_id != lead.pk:
            changes["assignee"] = lead
        if action == "raise_priority" and ticket.priority != "A":
            changes["priority"] = PRIORITY_UP[ticket.priority]
        if changes:
            ticket_update(actor=None, ticket=ticket, version=None, changes=changes)
        recipients = [lead]
    else:
        recipients = []
    batch.notify(
        recipients,
        kind=f"sla_{action}",
        title=title,
        body=body,
        ticket=ticket,
        dedupe=f"clock:{clock.pk}:{action}",
    )


def _advance(clock: Clock, batch: SweepBatch) -> None:
    moment = batch.moment
    milestone = _milestone(clock)
    if (
        clock.state == ClockState.RUNNING
        and clock.warned_at is None
        and clock.warn_at
        and moment >= clock.warn_at
        and clock.due_at
        and moment < clock.due_at
    ):
        batch.record(clock, "warning", 0, "notify_assignee")
        lead = clock.ticket.team.lead if clock.ticket.team_id and clock.ticket.team else None
        batch.notify(
            [clock.ticket.assignee or lead],
            kind="sla_warning",
            title=f"工单 {clock.ticket.number}「{clock.title}」即将超时",
            body=f"截止时间 {clock.due_at:%Y-%m-%d %H:%M} UTC",
            ticket=clock.ticket,
            dedupe=f"clock:{clock.pk}:warning",
        )
        batch.counts["warnings"] += 1
        clock.warned_at = moment
        clock.state = ClockState.WARNING
        clock.next_action_at = clock.due_at
    if clock.due_at and moment >= clock.due_at and clock.breached_at is None:
        batch.record(clock, "breach", 0, "", {"due_at": clock.due_at.isoformat()})
        batch.audits.append(
            {
                "verb": "sla.breach",
                "target": clock.ticket,
                "after": {"milestone": clock.milestone, "rule": clock.rule, "due_at": clock.due_at},
            }
        )
        batch.counts["breaches"] += 1
        clock.state = ClockState.BREACHED
        clock.breached_at = clock.due_at
        clock.escalation_level = 0
    if clock.breached_at is not None and clock.due_at is not None:
        steps = milestone.get("escalation", [])
        clock.next_action_at = None
        while clock.escalation_level < len(steps):
            step = steps[clock.escalation_level]
            delay = parse_duration(step["after"]).seconds(working_day_seconds=8 * 3600)
            when = clock.due_at + dt.timedelta(seconds=delay)
            if moment < when:
                clock.next_action_at = when
                break
            batch.record(clock, "escalation", clock.escalation_level, step["action"])
            _act(clock, step["action"], batch)
            batch.counts["escalations"] += 1
            clock.escalation_level += 1
    clock.version += 1


SWEEP_FIELDS = [
    "state",
    "warned_at",
    "breached_at",
    "escalation_level",
    "next_action_at",
    "version",
]


def _save_progress(clocks: list[Clock]) -> None:
    """Write the swept fields of many clocks with one prepared UPDATE.

    ``bulk_update`` builds CASE expressions that grow with the batch and cost more than the
    rest of the sweep; an executemany of one small statement does not.
    """
    if not clocks:
        return
    fields = [cast(Field, Clock._meta.get_field(name)) for name in SWEEP_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(Clock._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [field.get_db_prep_save(getattr(clock, field.attname), connection) for field in fields]
        + [clock.pk]
        for clock in clocks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def sla_due_clocks(moment: dt.datetime, limit: int) -> list[Clock]:
    """The clocks whose next action is due, locked for this worker.

    The finding is one range scan of the ``next_action_at`` index that takes the rows no other
    worker holds (``SKIP LOCKED``); only then are the found clocks loaded with their tickets, so
    the planner is never tempted to join a million tickets to find them.
    """
    due = Clock.objects.filter(next_action_at__lte=moment).order_by("next_action_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    ids = list(due.values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    return list(
        Clock.objects.filter(pk__in=ids)
        .select_related(
            "ticket", "ticket__team__lead", "ticket__assignee", "ticket__department", "department"
        )
        .order_by("next_action_at", "id")
    )


def sla_sweep(*, limit: int = 500, moment: dt.datetime | None = None) -> dict[str, int]:
    """Act on every clock whose next action is due, ``limit`` clocks per transaction."""
    totals = {"clocks": 0, "warnings": 0, "breaches": 0, "escalations": 0, "batches": 0}
    current = moment or now()
    while True:
        with transaction.atomic():
            clocks = sla_due_clocks(current, limit)

            batch = SweepBatch(current)
            for clock in clocks:
                _advance(clock, batch)
            _save_progress(clocks)
            batch.flush()
        for key, value in batch.counts.items():
            totals[key] += value
        totals["clocks"] += len(clocks)
        totals["batches"] += 1
        if len(clocks) < limit:
            return totals
