"""Reads of complaints, through the viewer's permissions: queue rows, one complaint, the
department view and the dashboard figures (CMP-5 resolution rate, CMP-6 complaint rate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kefu.accounts.selectors import user_department_ids
from kefu.complaints.models import Complaint, ComplaintDepartment, Improvement, Severity
from kefu.complaints.stages import ACTIVE_STAGES, ComplaintStage
from kefu.core.errors import InvalidInput, NotFound, PermissionDenied
from kefu.sla.models import OPEN_STATES, Clock, ClockState
from kefu.standard.selectors import standard_value
from kefu.tickets.models import CategoryRoot, Ticket
from kefu.tickets.selectors import ticket_visibility

# The stage clocks of the loop, in order, as the queue and the dashboard show them.
STAGE_MILESTONES = (
    "complaint_register",
    "complaint_investigation",
    "complaint_plan_notice",
    "complaint_final_solution",
    "complaint_general_solution",
    "complaint_major_handling",
    "complaint_rectification",
    "complaint_rectification_notice",
    "complaint_department_reply",
)


def _require_view(user: Any) -> None:
    if not user.has_perm("complaints.view_complaint"):
        raise PermissionDenied("your role may not read complaints")


def complaints_visible(user: Any) -> QuerySet[Complaint]:
    """Complaints whose ticket ``user`` may read, plus those asked of the user's departments."""
    _require_view(user)
    complaints = Complaint.objects.select_related(
        "ticket", "ticket__customer", "ticket__assignee", "ticket__category", "type"
    )
    visible = ticket_visibility(user)
    if visible is None:
        return complaints
    rule = Q(ticket__in=Ticket.objects.filter(visible).values("pk"))
    departments = user_department_ids(user)
    if departments:
        asked = ComplaintDepartment.objects.filter(
            complaint=OuterRef("pk"), department_id__in=sorted(departments)
        )
        rule |= Q(Exists(asked))
    return complaints.filter(rule)


def complaint_get(*, user: Any, complaint_id: int) -> Complaint:
    found = complaints_visible(user).filter(pk=complaint_id).first()
    if found is None:
        raise NotFound(f"complaint {complaint_id} does not exist or is not visible to you")
    return found


@dataclass
class ComplaintFilters:
    stage: str = ""  # a stage, "active" (default view) or "" for all
    severity: str = ""
    type_code: str = ""
    mine: bool = False
    q: str = ""

    def __post_init__(self) -> None:
        if self.stage and self.stage != "active" and self.stage not in ComplaintStage.values:
            raise InvalidInput(f"unknown stage {self.stage!r}", field="stage")
        if self.severity and self.severity not in Severity.values:
            raise InvalidInput(f"unknown severity {self.severity!r}", field="severity")
        if len(self.q) > 100:
            raise InvalidInput("the search text is longer than 100 characters", field="q")


def complaint_list(*, user: Any, filters: ComplaintFilters | None = None) -> QuerySet[Complaint]:
    filters = filters or ComplaintFilters()
    complaints = complaints_visible(user)
    if filters.stage == "active":
        complaints = complaints.filter(stage__in=sorted(ACTIVE_STAGES))
    elif filters.stage:
        complaints = complaints.filter(stage=filters.stage)
    if filters.severity:
        complaints = complaints.filter(severity=filters.severity)
    if filters.type_code:
        complaints = complaints.filter(type__code=filters.type_code)
    if filters.mine:
        complaints = complaints.filter(ticket__assignee_id=user.pk)
    if filters.q:
        text = filters.q.strip()
        complaints = complaints.filter(
            Q(ticket__number=text) | Q(demands__icontains=text) | Q(ticket__subject__icontains=text)
        )
    return complaints.order_by("-received_at", "-id")


@dataclass
class ClockView:
    milestone: str
    title: str
    rule: str
    state: str
    state_label: str
    due_at: dt.datetime | None
    seconds_left: float | None
    department: str = ""


@dataclass
class ComplaintRow:
    complaint: Complaint
    clocks: list[ClockView] = field(default_factory=list)

    @property
    def next_clock(self) -> ClockView | None:
        running = [clock for clock in self.clocks if clock.seconds_left is not None]
        return min(running, key=lambda clock: clock.seconds_left or 0.0) if running else None


def _clock_view(clock: Clock, moment: dt.datetime) -> ClockView:
    running = clock.state in OPEN_STATES and clock.stopped_at is None
    left = None
    if running and clock.state != ClockState.PAUSED and clock.due_at is not None:
        left = (clock.due_at - moment).total_seconds()
    return ClockView(
        milestone=clock.milestone,
        title=clock.title,
        rule=clock.rule,
        state=clock.state,
        state_label=str(clock.get_state_display()),
        due_at=clock.due_at,
        seconds_left=left,
        department=clock.department.name if clock.department_id and clock.department else "",
    )


def complaint_rows(complaints: list[Complaint], moment: dt.datetime) -> list[ComplaintRow]:
    """Queue rows: each complaint with its complaint clocks (one query for the page)."""
    rows = {complaint.ticket_id: ComplaintRow(complaint) for complaint in complaints}
    clocks = (
        Clock.objects.filter(ticket_id__in=list(rows), milestone__in=STAGE_MILESTONES)
        .exclude(state=ClockState.CANCELLED)
        .select_related("department")
        .order_by("ticket_id", "started_at", "id")
    )
    for clock in clocks:
        rows[clock.ticket_id].clocks.append(_clock_view(clock, moment))
    return list(rows.values())


def complaint_clocks(complaint: Complaint, moment: dt.datetime) -> list[ClockView]:
    return complaint_rows([complaint], moment)[0].clocks


def department_requests(*, user: Any, pending_only: bool = False) -> QuerySet[ComplaintDepartment]:
    """What the user's departments were asked (ORG-2), unanswered first, oldest first."""
    departments = user_department_ids(user)
    requests = ComplaintDepartment.objects.filter(department_id__in=sorted(departments))
    if pending_only:
        requests = requests.filter(replied_at__isnull=True)
    return requests.select_related(
        "complaint", "complaint__ticket", "complaint__type", "department"
    ).order_by("replied_at", "asked_at", "id")


def improvements(*, user: Any, status: str = "") -> QuerySet[Improvement]:
    if not user.has_perm("complaints.view_improvement"):
        raise PermissionDenied("your role may not read the improvement register")
    rows = Improvement.objects.select_related("owner", "complaint", "complaint__ticket")
    if status:
        rows = rows.filter(status=status)
    # Open lines first ("open" sorts after "done"), the nearest due date on top.
    return rows.order_by("-status", "due", "id")


# -- dashboard --------------------------------------------------------------------------------


@dataclass
class StageRate:
    milestone: str
    title: str
    rule: str
    met: int
    breached: int
    open: int

    @property
    def on_time_rate(self) -> float | None:
        done = self.met + self.breached
        return round(100 * self.met / done, 1) if done else None


@dataclass
class ComplaintDashboard:
    start: dt.datetime
    end: dt.datetime
    total: int
    by_type: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    by_stage: list[tuple[str, int]]
    stages: list[StageRate]
    resolved: int
    resolution_rate: float | None
    resolution_target: float
    tickets: int
    complaint_rate: float | None
    complaint_rate_max: float


def complaint_dashboard(*, user: Any, start: dt.datetime, end: dt.datetime) -> ComplaintDashboard:
    """Complaints received in [start, end): counts, on-time rate per stage clock, CMP-5 and
    CMP-6 against the standard profile's targets."""
    if not user.has_perm("complaints.view_complaint_dashboard"):
        raise PermissionDenied("your role may not see the complaint dashboard")
    if end <= start:
        raise InvalidInput("the period ends before it starts", field="end")
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).exclude(
        stage=ComplaintStage.WITHDRAWN
    )
    total = complaints.count()
    by_type = [
        (row["type__name"], row["n"])
        for row in complaints.values("type__name").annotate(n=Count("id")).order_by("-n")
    ]
    severity_labels = dict(Severity.choices)
    by_severity = [
        (str(severity_labels.get(row["severity"], row["severity"])), row["n"])
        for row in complaints.values("severity").annotate(n=Count("id")).order_by("severity")
    ]
    stage_labels = dict(ComplaintStage.choices)
    by_stage = [
        (str(stage_labels.get(row["stage"], row["stage"])), row["n"])
        for row in complaints.values("stage").annotate(n=Count("id")).order_by("stage")
    ]
    resolved = complaints.filter(
        stage__in=[ComplaintStage.SOLVED, ComplaintStage.RECTIFYING, ComplaintStage.CLOSED]
    ).count()
    clock_rows = (
        Clock.objects.filter(
            ticket__complaint__in=complaints.values("pk"), milestone__in=STAGE_MILESTONES
        )
        .values("milestone", "title", "rule", "state")
        .annotate(n=Count("id"))
    )
    rates: dict[str, StageRate] = {}
    for row in clock_rows:
        rate = rates.setdefault(
            row["milestone"], StageRate(row["milestone"], row["title"], row["rule"], 0, 0, 0)
        )
        if row["state"] == ClockState.MET:
            rate.met += row["n"]
        elif row["state"] == ClockState.BREACHED:
            rate.breached += row["n"]
        elif row["state"] != ClockState.CANCELLED:
            rate.open += row["n"]
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status="cancelled"
    )
    ticket_count = tickets.count()
    complaint_tickets = tickets.filter(category__root=CategoryRoot.COMPLAINT).count()
    return ComplaintDashboard(
        start=start,
        end=end,
        total=total,
        by_type=by_type,
        by_severity=by_severity,
        by_stage=by_stage,
        stages=[rates[key] for key in STAGE_MILESTONES if key in rates],
        resolved=resolved,
        resolution_rate=round(100 * resolved / total, 1) if total else None,
        resolution_target=float(standard_value("complaint_resolution_target")),
        tickets=ticket_count,
        complaint_rate=round(100 * complaint_tickets / ticket_count, 2) if ticket_count else None,
        complaint_rate_max=float(standard_value("complaint_rate_max")),
    )
