"""The complaint closed loop (CMP-1…5, HND-5…7, IMP-3, ORG-2) with time moved forward.

A complaint received on Tuesday 2026-09-29 10:00 (Asia/Shanghai) runs across the National Day
holiday. The office calendar works Monday–Friday 09:00–12:00 and 13:00–18:00 (8 h a working
day), is closed 2026-10-01…07 and works the make-up Saturday 2026-10-10 (调休), so:

* 3 working days (final solution, CMP-3) from Tue 09-29 10:00: 7 h on 09-29, 8 h on 09-30,
  8 h on Thu 10-08, the last hour on Fri 10-09 → due 2026-10-09 10:00.
* 5 working days (rectification, CMP-4) count from the moment the complaint is solved and
  include the make-up Saturday 10-10.

Wall-clock targets (register 1 h, investigation 24 h, general 1 h, major 48 h, department
24 h, need-confirmation 2 h, result notice 24 h) ignore the holiday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.audit.models import AuditEvent
from kefu.complaints.models import (
    Complaint,
    ComplaintDepartment,
    Improvement,
    ImprovementStatus,
)
from kefu.complaints.services import (
    complaint_department_add,
    complaint_department_reply,
    complaint_register,
    complaint_transition,
)
from kefu.core.errors import (
    Conflict,
    InvalidInput,
    KefuError,
    PermissionDenied,
    TransitionNotAllowed,
)
from kefu.notify.models import CustomerNotice, Notification, OutboundMessage, OutboundStatus
from kefu.notify.services import outbox_retry_due
from kefu.sla.models import Clock, ClockEvent
from kefu.sla.services import sla_sweep
from kefu.tests_support.factories import make_ticket
from kefu.tests_support.time_machine import shanghai
from kefu.tickets.models import TicketEvent
from kefu.tickets.services import ticket_comment, ticket_transition, ticket_update

MINUTE = dt.timedelta(minutes=1)
RECEIVED = "2026-09-29 10:00"
EVIDENCE = [
    {"kind": "recording", "ref": "REC-20260929-0012", "note": "客户来电录音"},
    {"kind": "log", "ref": "物流系统 2026-09-28 派送日志"},
]


# -- helpers ----------------------------------------------------------------------------------


def clock_of(ticket: Any, milestone: str, *, cycle: int | None = None, department: Any = None):
    """The latest (or the given cycle's) clock of ``milestone``, fresh from the database."""
    clocks = Clock.objects.filter(ticket=ticket, milestone=milestone)
    if department is not None:
        clocks = clocks.filter(department=department)
    if cycle is not None:
        clocks = clocks.filter(cycle=cycle)
    found = clocks.order_by("-cycle", "-id").first()
    assert found is not None, f"no {milestone} clock"
    return found


def assert_clock(
    ticket: Any,
    milestone: str,
    state: str,
    due: str,
    *,
    cycle: int | None = None,
    department: Any = None,
) -> Clock:
    clock = clock_of(ticket, milestone, cycle=cycle, department=department)
    assert (clock.state, clock.due_at) == (state, shanghai(due)), (
        milestone,
        clock.state,
        clock.due_at,
    )
    return clock


def deliver() -> dict[str, int]:
    """The outbox worker's periodic run: every pending message that is due goes out."""
    return outbox_retry_due()


def notice(ticket: Any, kind: str) -> CustomerNotice:
    found = (
        CustomerNotice.objects.filter(ticket=ticket, kind=kind)
        .select_related("message")
        .order_by("-created_at", "-id")
        .first()
    )
    assert found is not None, f"no {kind} notice"
    return found


def assert_delivered(ticket: Any, kind: str, at: str) -> CustomerNotice:
    found = notice(ticket, kind)
    assert found.sent_at == shanghai(at), (kind, found.sent_at)
    assert found.message.status == OutboundStatus.SENT
    assert found.message.channel == "sms" and found.message.to_address == "13800138000"
    return found


def complaint_actions(ticket: Any) -> list[str]:
    return [
        event.data["action"] if event.data["action"] != "stage" else f"stage:{event.data['to']}"
        for event in TicketEvent.objects.filter(ticket=ticket, kind="complaint").order_by(
            "created_at", "id"
        )
    ]


def notice_events(ticket: Any) -> list[tuple[str, bool]]:
    return [
        (event.data["notice"], event.data["delivered"])
        for event in TicketEvent.objects.filter(ticket=ticket, kind="notice").order_by(
            "created_at", "id"
        )
    ]


@pytest.fixture
def loop(
    time_machine,
    sms,
    agent,
    complaint_specialist,
    manager,
    led_team,
    customer,
    department,
    department_member,
):
    """Everyone the loop needs (the agent's team led by the team lead), the clock at the receipt."""
    time_machine.at(shanghai(RECEIVED))
    return time_machine


def register(agent: Any, customer: Any, *, severity: str, **kwargs: Any) -> Complaint:
    values: dict[str, Any] = {
        "type": "delivery",
        "severity": severity,
        "demands": "退还多收的运费 20 元，并说明为何延误三天",
        "channel": "phone",
        "customer": customer,
        "received_at": shanghai(RECEIVED),
    }
    values.update(kwargs)
    return complaint_register(actor=agent, **values)


# -- 1. the whole loop ------------------------------------------------------------------------


@pytest.mark.django_db
def test_general_complaint_runs_the_whole_loop_across_national_day(
    loop,
    sms,
    agent,
    complaint_specialist,
    manager,
    team_lead,
    customer,
    department,
    department_member,
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="general", departments=[department])
    ticket = complaint.ticket
    ticket.refresh_from_db()
    assert complaint.stage == "registered" and complaint.received_at == shanghai(RECEIVED)
    assert ticket.status == "open" and ticket.assignee == complaint_specialist
    assert ticket.category.code == "complaint.delivery" and ticket.handling_class == "transfer"
    # CMP-1: registered 20 minutes after the receipt; every loop clock counts from the receipt.
    assert_clock(ticket, "complaint_register", "met", "2026-09-29 11:00")
    assert_clock(ticket, "complaint_investigation", "running", "2026-09-30 10:00")
    assert_clock(ticket, "complaint_plan_notice", "running", "2026-09-30 10:00")
    assert_clock(ticket, "complaint_final_solution", "running", "2026-10-09 10:00")
    assert_clock(ticket, "complaint_general_solution", "running", "2026-09-29 11:00")
    assert not Clock.objects.filter(ticket=ticket, milestone="complaint_major_handling").exists()
    assert_clock(ticket, "need_confirmation", "running", "2026-09-29 12:00")
    # ORG-2: the department was asked at registration; its 24 h count from the asking.
    assert_clock(
        ticket, "complaint_department_reply", "running", "2026-09-30 10:20", department=department
    )
    assert Notification.objects.filter(
        recipient=complaint_specialist, kind="complaint_registered"
    ).exists()
    assert Notification.objects.filter(
        recipient=department_member, kind="complaint_department"
    ).exists()

    # HND-5: the need-confirmation letter leaves by SMS and promises the final-solution time.
    loop.at(shanghai("2026-09-29 10:21"))
    assert deliver()["sent"] == 1
    assert_delivered(ticket, "need_confirmation", "2026-09-29 10:21")
    assert_clock(ticket, "need_confirmation", "met", "2026-09-29 12:00")
    assert "2026年10月09日 10:00" in sms[0]["body"] and "退还多收的运费" in sms[0]["body"]

    loop.at(shanghai("2026-09-29 10:25"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="investigating",
        record={"note": "调取录音与物流日志"},
    )
    loop.at(shanghai("2026-09-29 10:35"))
    request = ComplaintDepartment.objects.get(complaint=complaint, department=department)
    complaint_department_reply(
        actor=department_member, request=request, reply="9月26日分拣中心积压，运费多收属实。"
    )
    assert_clock(
        ticket, "complaint_department_reply", "met", "2026-09-30 10:20", department=department
    )

    loop.at(shanghai("2026-09-29 10:40"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="plan_proposed",
        record={
            "findings": "分拣积压导致延误，运费按加急收取有误",
            "evidence": EVIDENCE,
            "plan": "退还运费 20 元，并赠送 10 元优惠券",
        },
    )
    assert complaint.stage == "plan_proposed" and complaint.evidence[0]["kind"] == "recording"
    assert_clock(ticket, "complaint_investigation", "met", "2026-09-30 10:00")
    loop.at(shanghai("2026-09-29 10:41"))
    assert deliver()["sent"] == 1
    assert_delivered(ticket, "plan", "2026-09-29 10:41")
    assert_clock(ticket, "complaint_plan_notice", "met", "2026-09-30 10:00")
    assert "退还运费 20 元" in sms[-1]["body"]

    # CMP-5: a general complaint is solved within the hour; the ticket is resolved with it.
    loop.at(shanghai("2026-09-29 10:50"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "已原路退还运费 20 元并致歉，优惠券已发放"},
    )
    ticket.refresh_from_db()
    assert complaint.stage == "solved" and complaint.solved_at == shanghai("2026-09-29 10:50")
    assert ticket.status == "resolved" and ticket.solution.startswith("已原路退还运费")
    assert_clock(ticket, "complaint_general_solution", "met", "2026-09-29 11:00")
    assert_clock(ticket, "complaint_final_solution", "met", "2026-10-09 10:00")
    # HND-7 result notice: 24 h of wall-clock time from the resolution.
    assert_clock(ticket, "result_notice", "running", "2026-09-30 10:50")
    # CMP-4: 5 working days from 09-29 10:50 — 6h10 on 09-29, 8 h on 09-30, 10-08, 10-09 and the
    # make-up Saturday 10-10, the last 1h50 on Monday 10-12.
    assert_clock(ticket, "complaint_rectification", "running", "2026-10-12 10:50")
    # CMP-3: the responsible department is copied on the final solution.
    request.refresh_from_db()
    assert request.copied_at == shanghai("2026-09-29 10:50")
    assert Notification.objects.filter(
        recipient=department_member, kind="complaint_solution_copy"
    ).exists()
    loop.at(shanghai("2026-09-29 10:51"))
    assert deliver()["sent"] == 1
    assert_delivered(ticket, "result", "2026-09-29 10:51")
    assert_clock(ticket, "result_notice", "met", "2026-09-30 10:50")

    loop.at(shanghai("2026-09-29 11:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="rectifying",
        record={
            "action": "分拣中心节前增派人手；客服培训运费规则",
            "type": "training",
            "owner": team_lead.pk,
            "due": "2026-10-12",
        },
    )
    improvement = Improvement.objects.get(complaint=complaint)
    assert improvement.status == ImprovementStatus.OPEN and improvement.owner == team_lead
    assert improvement.due == dt.date(2026, 10, 12) and improvement.action_type == "training"
    assert improvement.problem.startswith(f"投诉 {ticket.number}")
    assert "REC-20260929-0012" in improvement.evidence
    assert Notification.objects.filter(recipient=team_lead, kind="improvement_assigned").exists()

    # Across the holiday: the sweeper finds only the rectification clock near its deadline.
    loop.at(shanghai("2026-10-12 10:00"))
    swept = sla_sweep(moment=loop.now())
    assert swept["breaches"] == 0 and swept["warnings"] == 1
    assert clock_of(ticket, "complaint_rectification").state == "warning"

    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="closed",
        record={"result": "已完成培训 12 人次，分拣中心排班已调整"},
    )
    ticket.refresh_from_db()
    assert complaint.stage == "closed" and complaint.closed_at == shanghai("2026-10-12 10:00")
    assert ticket.status == "closed"
    assert_clock(ticket, "complaint_rectification", "met", "2026-10-12 10:50")
    assert_clock(ticket, "complaint_rectification_notice", "running", "2026-10-13 10:00")
    improvement.refresh_from_db()
    assert improvement.status == ImprovementStatus.DONE
    assert improvement.completed_at == shanghai("2026-10-12 10:00")
    assert improvement.result == "已完成培训 12 人次，分拣中心排班已调整"
    loop.at(shanghai("2026-10-12 10:01"))
    assert deliver()["sent"] == 1
    assert_delivered(ticket, "rectification", "2026-10-12 10:01")
    assert_clock(ticket, "complaint_rectification_notice", "met", "2026-10-13 10:00")
    assert "已完成培训 12 人次" in sms[-1]["body"]

    assert len(sms) == 4
    assert not Clock.objects.filter(ticket=ticket, state="breached").exists()
    assert complaint_actions(ticket) == [
        "registered",
        "department_asked",
        "stage:investigating",
        "department_replied",
        "stage:plan_proposed",
        "stage:solved",
        "stage:rectifying",
        "stage:closed",
    ]
    assert notice_events(ticket) == [
        ("need_confirmation", False),
        ("need_confirmation", True),
        ("plan", False),
        ("plan", True),
        ("result", False),
        ("result", True),
        ("rectification", False),
        ("rectification", True),
    ]
    statuses = [
        (event.data["from"], event.data["to"])
        for event in TicketEvent.objects.filter(ticket=ticket, kind="status_change").order_by(
            "created_at", "id"
        )
    ]
    assert statuses == [("new", "open"), ("open", "resolved"), ("resolved", "closed")]
    assert AuditEvent.objects.filter(verb="complaint.transition").count() == 5


@pytest.mark.django_db
def test_major_complaint_runs_the_whole_loop_across_national_day(
    loop,
    sms,
    agent,
    complaint_specialist,
    manager,
    team_lead,
    customer,
    department,
    department_member,
):
    loop.at(shanghai("2026-09-29 10:30"))
    complaint = register(agent, customer, severity="major", departments=[department])
    ticket = complaint.ticket
    ticket.refresh_from_db()
    assert (ticket.status, ticket.urgency, ticket.priority) == ("open", "urgent", "A")
    assert_clock(ticket, "complaint_register", "met", "2026-09-29 11:00")
    assert_clock(ticket, "complaint_major_handling", "running", "2026-10-01 10:00")
    assert_clock(ticket, "complaint_final_solution", "running", "2026-10-09 10:00")
    assert not Clock.objects.filter(ticket=ticket, milestone="complaint_general_solution").exists()
    assert_clock(
        ticket, "complaint_department_reply", "running", "2026-09-30 10:30", department=department
    )
    loop.at(shanghai("2026-09-29 10:31"))
    deliver()
    assert_delivered(ticket, "need_confirmation", "2026-09-29 10:31")

    # A major complaint may not skip its investigation (CMP-2, CMP-5).
    with pytest.raises(Conflict, match="major complaint is solved after its investigation"):
        complaint_transition(
            actor=complaint_specialist,
            complaint=complaint,
            to="solved",
            record={"final_solution": "退款"},
        )
    loop.at(shanghai("2026-09-29 14:00"))
    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="investigating", record={}
    )
    assert complaint.investigation_started_at == shanghai("2026-09-29 14:00")
    loop.at(shanghai("2026-09-30 09:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="plan_proposed",
        record={
            "findings": "节前运力不足，物流部未按约定时效派送",
            "evidence": EVIDENCE,
            "plan": "物流部核实后退还运费并补偿",
        },
    )
    assert_clock(ticket, "complaint_investigation", "met", "2026-09-30 10:00")
    loop.at(shanghai("2026-09-30 09:01"))
    deliver()
    assert_delivered(ticket, "plan", "2026-09-30 09:01")
    assert_clock(ticket, "complaint_plan_notice", "met", "2026-09-30 10:00")

    # Solving waits for the department (ORG-2) …
    with pytest.raises(Conflict, match="物流部"):
        complaint_transition(
            actor=complaint_specialist,
            complaint=complaint,
            to="solved",
            record={"final_solution": "退款"},
        )
    loop.at(shanghai("2026-09-30 10:00"))
    complaint_department_reply(
        actor=department_member,
        request=ComplaintDepartment.objects.get(complaint=complaint),
        reply="运力不足属实，同意退还运费并补偿 50 元。",
    )
    assert_clock(
        ticket, "complaint_department_reply", "met", "2026-09-30 10:30", department=department
    )

    # … and then the holiday: the 48 h of CMP-5 run out on 10-01 10:00 and escalate, while the
    # final solution (working days) is not due before 10-09.
    loop.at(shanghai("2026-10-02 10:00"))
    sla_sweep(moment=loop.now())
    major = clock_of(ticket, "complaint_major_handling")
    assert major.state == "breached" and major.breached_at == shanghai("2026-10-01 10:00")
    assert list(
        ClockEvent.objects.filter(clock=major).order_by("id").values_list("kind", "action")
    ) == [
        ("breach", ""),
        ("escalation", "notify_assignee"),
        ("escalation", "notify_team_lead"),
        ("escalation", "notify_manager"),
    ]
    assert clock_of(ticket, "complaint_final_solution").state == "running"

    loop.at(shanghai("2026-10-08 15:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "退还运费 20 元并补偿 50 元，已到账"},
    )
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert_clock(ticket, "complaint_final_solution", "met", "2026-10-09 10:00")
    major = assert_clock(ticket, "complaint_major_handling", "breached", "2026-10-01 10:00")
    assert major.stopped_at == shanghai("2026-10-08 15:00") and major.met_at is None
    assert_clock(ticket, "result_notice", "running", "2026-10-09 15:00")
    # 5 working days from Thu 10-08 15:00: 3 h on 10-08, 8 h on 10-09, the make-up Saturday
    # 10-10, 10-12 and 10-13, the last 5 h on Wed 10-14 (09:00–12:00, 13:00–15:00).
    assert_clock(ticket, "complaint_rectification", "running", "2026-10-14 15:00")
    loop.at(shanghai("2026-10-08 15:01"))
    deliver()
    assert_delivered(ticket, "result", "2026-10-08 15:01")
    assert_clock(ticket, "result_notice", "met", "2026-10-09 15:00")

    loop.at(shanghai("2026-10-08 16:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="rectifying",
        record={
            "action": "与物流部约定节前运力预案，纳入季度考核",
            "type": "process_change",
            "owner": manager.pk,
            "due": dt.date(2026, 10, 14),
        },
    )
    assert complaint.rectification_owner == manager
    improvement = Improvement.objects.get(complaint=complaint)
    assert improvement.status == "open" and improvement.action_type == "process_change"

    loop.at(shanghai("2026-10-14 11:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="closed",
        record={"result": "运力预案已生效，10 月派送时效达标"},
    )
    ticket.refresh_from_db()
    assert complaint.stage == "closed" and ticket.status == "closed"
    assert_clock(ticket, "complaint_rectification", "met", "2026-10-14 15:00")
    improvement.refresh_from_db()
    assert (
        improvement.status == "done" and improvement.result == "运力预案已生效，10 月派送时效达标"
    )
    loop.at(shanghai("2026-10-14 11:01"))
    deliver()
    assert_delivered(ticket, "rectification", "2026-10-14 11:01")
    assert_clock(ticket, "complaint_rectification_notice", "met", "2026-10-15 11:00")

    assert [item["body"][:12] for item in sms] == [
        message.body[:12]
        for message in OutboundMessage.objects.filter(channel="sms").order_by("id")
    ]
    assert len(sms) == 4
    assert complaint_actions(ticket) == [
        "registered",
        "department_asked",
        "stage:investigating",
        "stage:plan_proposed",
        "department_replied",
        "stage:solved",
        "stage:rectifying",
        "stage:closed",
    ]
    assert [kind for kind, delivered in notice_events(ticket) if delivered] == [
        "need_confirmation",
        "plan",
        "result",
        "rectification",
    ]


# -- 2. a breach at each stage escalates ------------------------------------------------------


def _unregistered(people: dict[str, Any]) -> tuple[Any, str]:
    """A ticket opened in the complaint tree that nobody registers as a complaint (CMP-1)."""
    ticket = make_ticket(
        actor=people["agent"],
        customer=people["customer"],
        category="complaint.attitude",
        assignee=people["agent"],
        subject="客户投诉坐席态度",
    )
    return ticket, "2026-09-29 11:00"


def _registered(people: dict[str, Any]) -> Complaint:
    people["loop"].at(shanghai("2026-09-29 10:20"))
    return register(
        people["agent"], people["customer"], severity="general", departments=[people["department"]]
    )


def _not_investigated(people: dict[str, Any]) -> tuple[Any, str]:
    return _registered(people).ticket, "2026-09-30 10:00"


def _not_solved(people: dict[str, Any]) -> tuple[Any, str]:
    complaint = _registered(people)
    complaint_transition(
        actor=people["complaint_specialist"], complaint=complaint, to="investigating", record={}
    )
    return complaint.ticket, "2026-10-09 10:00"  # 3 working days across National Day


def _not_rectified(people: dict[str, Any]) -> tuple[Any, str]:
    complaint = _registered(people)
    complaint_department_reply(
        actor=people["department_member"],
        request=complaint.departments.get(),
        reply="情况属实",
    )
    people["loop"].at(shanghai("2026-09-29 10:50"))
    complaint = complaint_transition(
        actor=people["complaint_specialist"],
        complaint=complaint,
        to="solved",
        record={"final_solution": "已退还运费"},
    )
    complaint_transition(
        actor=people["complaint_specialist"],
        complaint=complaint,
        to="rectifying",
        record={
            "action": "培训",
            "type": "training",
            "owner": people["team_lead"],
            "due": "2026-10-12",
        },
    )
    return complaint.ticket, "2026-10-12 10:50"  # 5 working days, make-up Saturday included


def _department_silent(people: dict[str, Any]) -> tuple[Any, str]:
    return _registered(people).ticket, "2026-09-30 10:20"


COMPLAINT_STEPS = [
    ("0m", "notify_assignee", "assignee"),
    ("30m", "notify_team_lead", "team_lead"),
    ("1h", "notify_manager", "manager"),
]


@pytest.mark.parametrize(
    ("milestone", "scenario", "steps"),
    [
        ("complaint_register", _unregistered, COMPLAINT_STEPS),
        ("complaint_investigation", _not_investigated, COMPLAINT_STEPS),
        ("complaint_final_solution", _not_solved, COMPLAINT_STEPS),
        ("complaint_rectification", _not_rectified, COMPLAINT_STEPS),
        (
            "complaint_department_reply",
            _department_silent,
            [
                ("0m", "notify_department", "department_member"),
                ("2h", "notify_assignee", "assignee"),
                ("4h", "notify_manager", "manager"),
            ],
        ),
    ],
)
@pytest.mark.django_db
def test_a_breach_at_each_stage_escalates_step_by_step(
    milestone,
    scenario,
    steps,
    loop,
    agent,
    complaint_specialist,
    manager,
    team_lead,
    customer,
    department,
    department_member,
):
    people = {
        "loop": loop,
        "agent": agent,
        "complaint_specialist": complaint_specialist,
        "manager": manager,
        "team_lead": team_lead,
        "customer": customer,
        "department": department,
        "department_member": department_member,
    }
    ticket, due = scenario(people)
    ticket.refresh_from_db()
    people["assignee"] = ticket.assignee
    clock = clock_of(ticket, milestone)
    assert clock.due_at == shanghai(due) and clock.state in ("running", "warning")
    mine = Notification.objects.filter(ticket=ticket, title__contains=f"「{clock.title}」已超时")

    # Not yet: a sweep one minute before the deadline breaches nothing on this clock.
    loop.at(clock.due_at - MINUTE)
    sla_sweep(moment=loop.now())
    assert not ClockEvent.objects.filter(clock=clock, kind="breach").exists()
    for index, (after, action, who) in enumerate(steps):
        delay = {"0m": 0, "30m": 30, "1h": 60, "2h": 120, "4h": 240}[after]
        loop.at(clock.due_at + dt.timedelta(minutes=delay) + MINUTE)
        sla_sweep(moment=loop.now())
        assert set(mine.filter(kind=f"sla_{action}").values_list("recipient", flat=True)) == {
            people[who].pk
        }, action
        later = [f"sla_{step[1]}" for step in steps[index + 1 :]]
        assert not mine.filter(kind__in=later).exists(), later
    breached = Clock.objects.get(pk=clock.pk)
    assert breached.state == "breached" and breached.breached_at == shanghai(due)
    assert breached.escalation_level == len(steps) and breached.next_action_at is None
    events = ClockEvent.objects.filter(clock=clock).exclude(kind="warning").order_by("id")
    assert [(event.kind, event.step, event.action) for event in events] == [
        ("breach", 0, ""),
        *[("escalation", index, step[1]) for index, step in enumerate(steps)],
    ]
    assert dt.datetime.fromisoformat(events[0].detail["due_at"]) == shanghai(due)
    # Sweeping again escalates nothing twice.
    count = mine.count()
    loop.move(dt.timedelta(days=1))
    sla_sweep(moment=loop.now())
    assert mine.count() == count
    assert ClockEvent.objects.filter(clock=clock).exclude(kind="warning").count() == len(events)


# -- 3. refused moves -------------------------------------------------------------------------


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    fresh = Complaint.objects.get(pk=complaint.pk)
    return {
        "stage": fresh.stage,
        "version": fresh.version,
        "findings": fresh.findings,
        "plan": fresh.plan,
        "final_solution": fresh.final_solution,
        "rectification_action": fresh.rectification_action,
        "closed_at": fresh.closed_at,
        "ticket_status": fresh.ticket.status,
        "events": TicketEvent.objects.filter(ticket=fresh.ticket).count(),
        "clocks": sorted(
            Clock.objects.filter(ticket=fresh.ticket).values_list("milestone", "cycle", "state")
        ),
        "messages": OutboundMessage.objects.count(),
        "improvements": Improvement.objects.count(),
    }


def _refused(
    complaint: Complaint, to: str, record: dict[str, Any], error: type[KefuError], field: str
) -> KefuError:
    """The move is refused with ``error`` naming ``field``, and nothing at all is written."""
    before = _snapshot(complaint)
    with pytest.raises(error) as raised:
        complaint_transition(
            actor=Complaint.objects.get(pk=complaint.pk).ticket.assignee,
            complaint=complaint,
            to=to,
            record=record,
        )
    assert raised.value.field == field, (to, record, raised.value.field, raised.value.message)
    if error is InvalidInput:
        assert raised.value.status_code == 422
    assert _snapshot(complaint) == before, "a refused move wrote something"
    return raised.value


@pytest.mark.django_db
def test_stage_moves_without_their_record_are_refused_and_write_nothing(
    loop, agent, complaint_specialist, manager, team_lead, customer, department, department_member
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="major", departments=[department])
    ticket = complaint.ticket

    # Off the map (409 TransitionNotAllowed) …
    for to in ("plan_proposed", "rectifying", "closed", "archived"):
        _refused(complaint, to, {}, TransitionNotAllowed, "to")
    # … and a major complaint does not jump from registered to solved (CMP-2, CMP-5).
    error = _refused(complaint, "solved", {"final_solution": "退款"}, Conflict, "to")
    assert "major" in error.message
    _refused(complaint, "withdrawn", {"reason": "  "}, InvalidInput, "reason")

    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="investigating", record={}
    )
    plan = {"findings": "分拣积压", "evidence": EVIDENCE, "plan": "退还运费"}
    _refused(complaint, "plan_proposed", {**plan, "findings": ""}, InvalidInput, "findings")
    _refused(complaint, "plan_proposed", {**plan, "evidence": []}, InvalidInput, "evidence")
    _refused(
        complaint,
        "plan_proposed",
        {**plan, "evidence": [{"kind": "rumour", "ref": "听说"}]},
        InvalidInput,
        "evidence.0.kind",
    )
    _refused(
        complaint,
        "plan_proposed",
        {**plan, "evidence": [{"kind": "log", "ref": ""}]},
        InvalidInput,
        "evidence.0.ref",
    )
    _refused(complaint, "plan_proposed", {**plan, "plan": None}, InvalidInput, "plan")
    _refused(complaint, "closed", {"note": "不需要"}, TransitionNotAllowed, "to")
    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="plan_proposed", record=plan
    )

    # Solving waits for the department that has not answered (ORG-2), then needs the solution.
    error = _refused(complaint, "solved", {"final_solution": "退款"}, Conflict, "to")
    assert "物流部" in error.message
    complaint_department_reply(
        actor=department_member, request=complaint.departments.get(), reply="属实"
    )
    _refused(complaint, "solved", {"final_solution": " "}, InvalidInput, "final_solution")
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "退还运费"},
    )

    rectify = {"action": "培训", "type": "training", "owner": team_lead.pk, "due": "2026-10-12"}
    _refused(complaint, "rectifying", {**rectify, "action": ""}, InvalidInput, "action")
    _refused(complaint, "rectifying", {**rectify, "type": "reprimand"}, InvalidInput, "type")
    _refused(complaint, "rectifying", {**rectify, "owner": 999_999}, InvalidInput, "owner")
    _refused(complaint, "rectifying", {**rectify, "owner": "boss"}, InvalidInput, "owner")
    _refused(complaint, "rectifying", {**rectify, "due": "2026-09-01"}, InvalidInput, "due")
    _refused(complaint, "rectifying", {**rectify, "due": "next week"}, InvalidInput, "due")
    _refused(complaint, "closed", {}, InvalidInput, "note")
    _refused(complaint, "investigating", {}, InvalidInput, "reason")
    _refused(complaint, "withdrawn", {"reason": "客户撤诉"}, TransitionNotAllowed, "to")
    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="rectifying", record=rectify
    )
    _refused(complaint, "closed", {"note": "不需要"}, InvalidInput, "result")
    _refused(complaint, "investigating", {"reason": "客户不满意"}, TransitionNotAllowed, "to")
    assert Improvement.objects.get(complaint=complaint).status == "open"

    # The ticket of a complaint is solved, closed and cancelled only through the complaint.
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    with pytest.raises(Conflict, match="complaint"):
        ticket_transition(actor=manager, ticket=ticket, to="closed")
    with pytest.raises(Conflict, match="complaint"):
        ticket_transition(actor=manager, ticket=ticket, to="open")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


@pytest.mark.django_db
def test_a_complaint_ticket_is_not_resolved_or_cancelled_directly(
    loop, agent, complaint_specialist, manager, team_lead, customer
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="general")
    ticket = ticket_update(
        actor=manager, ticket=complaint.ticket, version=None, changes={"solution": "已退款"}
    )
    version = ticket.version
    for actor, to in (
        (manager, "resolved"),
        (complaint_specialist, "resolved"),
        (team_lead, "cancelled"),
    ):
        with pytest.raises(Conflict) as raised:
            ticket_transition(actor=actor, ticket=ticket, to=to)
        assert raised.value.field == "to" and "complaint" in raised.value.message
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.version == version and ticket.resolved_at is None
    assert Complaint.objects.get(pk=complaint.pk).stage == "registered"
    assert clock_of(ticket, "complaint_final_solution").state == "running"
    # Moves that are not the complaint's own stay open to the ticket.
    ticket = ticket_transition(actor=manager, ticket=ticket, to="pending_customer")
    assert ticket.status == "pending_customer"


# -- 5. departments ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_department_reply_stops_its_own_clock_only(
    loop,
    agent,
    complaint_specialist,
    manager,
    customer,
    department,
    department_member,
    tech_department,
    tech_member,
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="major", departments=[department])
    ticket = complaint.ticket
    loop.at(shanghai("2026-09-29 11:00"))
    complaint_department_add(
        actor=complaint_specialist,
        complaint=complaint,
        department=tech_department.code,
        request="请核查系统是否重复计费",
    )
    assert Notification.objects.filter(recipient=tech_member, kind="complaint_department").exists()
    assert_clock(
        ticket, "complaint_department_reply", "running", "2026-09-30 10:20", department=department
    )
    assert_clock(
        ticket,
        "complaint_department_reply",
        "running",
        "2026-09-30 11:00",
        department=tech_department,
    )
    logistics = ComplaintDepartment.objects.get(complaint=complaint, department=department)
    tech = ComplaintDepartment.objects.get(complaint=complaint, department=tech_department)

    # A member answers for their own department only.
    with pytest.raises(PermissionDenied, match="技术支持部"):
        complaint_department_reply(actor=department_member, request=tech, reply="不是我们")
    loop.at(shanghai("2026-09-29 15:00"))
    complaint_department_reply(actor=department_member, request=logistics, reply="运费多收属实")
    assert_clock(
        ticket, "complaint_department_reply", "met", "2026-09-30 10:20", department=department
    )
    assert_clock(
        ticket,
        "complaint_department_reply",
        "running",
        "2026-09-30 11:00",
        department=tech_department,
    )
    with pytest.raises(Conflict):
        complaint_department_reply(actor=department_member, request=logistics, reply="补充")
    assert (
        Notification.objects.filter(
            recipient=complaint_specialist, kind="complaint_department_reply"
        ).count()
        == 1
    )

    # The silent department breaches alone and its members are told.
    loop.at(shanghai("2026-09-30 11:01"))
    sla_sweep(moment=loop.now())
    breached = Clock.objects.filter(
        ticket=ticket, milestone="complaint_department_reply", state="breached"
    )
    assert list(breached.values_list("department", flat=True)) == [tech_department.pk]
    told = Notification.objects.filter(ticket=ticket, kind="sla_notify_department")
    assert set(told.values_list("recipient", flat=True)) == {tech_member.pk}

    complaint_department_reply(actor=tech_member, request=tech, reply="确认重复计费一次")
    late = clock_of(ticket, "complaint_department_reply", department=tech_department)
    assert late.state == "breached" and late.stopped_at == shanghai("2026-09-30 11:01")
    assert clock_of(ticket, "complaint_department_reply", department=department).state == "met"


# -- 6. raising an existing ticket ------------------------------------------------------------


@pytest.mark.django_db
def test_an_open_ticket_is_raised_as_a_complaint_in_one_step(
    loop, agent, complaint_specialist, customer, manager
):
    loop.at(shanghai("2026-09-29 10:00"))
    ticket = make_ticket(actor=agent, customer=customer, assignee=agent, handling_class="instant")
    assert clock_of(ticket, "instant_solution").state == "running"
    assert not Clock.objects.filter(ticket=ticket, milestone__startswith="complaint_").exists()

    loop.at(shanghai("2026-09-29 10:40"))
    complaint = complaint_register(
        actor=agent,
        ticket=ticket,
        type="complaint.quality",
        severity="general",
        demands="冰箱三次维修仍不制冷，要求换新",
    )
    ticket.refresh_from_db()
    assert complaint.ticket_id == ticket.pk and complaint.received_at == ticket.created_at
    assert complaint.channel == "phone" and complaint.registered_at == shanghai("2026-09-29 10:40")
    assert ticket.category.code == "complaint.quality" and ticket.handling_class == "transfer"
    assert ticket.assignee == complaint_specialist and ticket.status == "open"
    assert ticket.need_points == "冰箱三次维修仍不制冷，要求换新"
    # The instant-solution clock no longer applies; the complaint's count from the creation.
    instant = clock_of(ticket, "instant_solution")
    assert instant.state == "cancelled" and instant.stopped_at == shanghai("2026-09-29 10:40")
    register_clock = assert_clock(ticket, "complaint_register", "met", "2026-09-29 11:00")
    assert register_clock.started_at == shanghai("2026-09-29 10:00")
    assert register_clock.met_at == shanghai("2026-09-29 10:40")
    for milestone, due in [
        ("complaint_investigation", "2026-09-30 10:00"),
        ("complaint_final_solution", "2026-10-09 10:00"),
        ("complaint_general_solution", "2026-09-29 11:00"),
        ("need_confirmation", "2026-09-29 12:00"),
    ]:
        found = assert_clock(ticket, milestone, "running", due)
        assert found.started_at == shanghai("2026-09-29 10:00"), milestone
    assert notice(ticket, "need_confirmation").message.status == "pending"
    assert complaint_actions(ticket) == ["registered"]

    # Raising it again is a conflict; so is raising a resolved ticket.
    with pytest.raises(Conflict, match="already a complaint"):
        complaint_register(
            actor=agent, ticket=ticket, type="quality", severity="major", demands="再次投诉"
        )
    solved = make_ticket(actor=agent, customer=customer, assignee=agent, solution="已指导重启")
    solved = ticket_transition(actor=agent, ticket=solved, to="resolved")
    with pytest.raises(Conflict) as raised:
        complaint_register(
            actor=agent, ticket=solved, type="quality", severity="general", demands="不满意"
        )
    assert raised.value.field == "ticket" and raised.value.status_code == 409
    solved.refresh_from_db()
    assert solved.category.code == "after_sales.repair" and solved.status == "resolved"
    assert not Complaint.objects.filter(ticket=solved).exists()
    assert not Clock.objects.filter(ticket=solved, milestone__startswith="complaint_").exists()


# -- 7. reopening -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reopening_a_solved_complaint_restarts_the_final_solution_clock(
    loop, sms, agent, complaint_specialist, customer
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="general")
    loop.at(shanghai("2026-09-29 10:50"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "已退还运费"},
    )
    ticket = complaint.ticket
    first = assert_clock(ticket, "complaint_final_solution", "met", "2026-10-09 10:00")
    assert first.cycle == 1

    # The customer calls back on Wednesday morning: not solved after all.
    loop.at(shanghai("2026-09-30 11:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="investigating",
        record={"reason": "客户称退款未到账"},
    )
    ticket.refresh_from_db()
    assert complaint.stage == "investigating" and complaint.reopen_count == 1
    assert complaint.solved_at is None
    assert ticket.status == "open" and ticket.resolved_at is None
    # Cycle 2 counts 3 working days from the reopening: 6 h on 09-30 (11:00–18:00 less lunch),
    # 8 h on Thu 10-08 and Fri 10-09, the last 2 h on the make-up Saturday 10-10.
    second = assert_clock(
        ticket, "complaint_final_solution", "running", "2026-10-10 11:00", cycle=2
    )
    assert second.started_at == shanghai("2026-09-30 11:00")
    assert clock_of(ticket, "complaint_final_solution", cycle=1).state == "met"
    assert_clock(ticket, "complaint_general_solution", "running", "2026-09-30 12:00", cycle=2)
    assert clock_of(ticket, "complaint_rectification").state == "cancelled"
    assert complaint_actions(ticket)[-1] == "stage:investigating"

    # Solving again stops cycle 2, resolves the ticket and tells the customer once more.
    loop.at(shanghai("2026-10-08 09:30"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "财务已重新退款，银行流水号 2026100800012"},
    )
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert_clock(ticket, "complaint_final_solution", "met", "2026-10-10 11:00", cycle=2)
    assert CustomerNotice.objects.filter(ticket=ticket, kind="result").count() == 2
    assert_clock(ticket, "complaint_rectification", "running", "2026-10-14 09:30", cycle=2)


@pytest.mark.django_db
def test_a_reopened_complaint_has_no_clock_that_nothing_can_stop(
    loop, sms, agent, complaint_specialist, customer
):
    loop.at(shanghai("2026-09-29 10:20"))
    complaint = register(agent, customer, severity="general")
    deliver()
    loop.at(shanghai("2026-09-29 10:50"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="solved",
        record={"final_solution": "已退还运费"},
    )
    deliver()
    loop.at(shanghai("2026-10-08 11:00"))
    complaint = complaint_transition(
        actor=complaint_specialist, complaint=complaint, to="closed", record={"note": "无需整改"}
    )
    loop.at(shanghai("2026-10-12 11:00"))
    complaint = complaint_transition(
        actor=complaint_specialist,
        complaint=complaint,
        to="investigating",
        record={"reason": "客户称退款未到账"},
    )
    loop.at(shanghai("2026-10-12 11:10"))
    ticket_comment(
        actor=complaint_specialist,
        ticket=complaint.ticket,
        body="您好，我们已重新受理，今天内给您答复。",
        public=True,
    )
    loop.at(shanghai("2026-10-13 12:00"))  # one working day later, final solution not yet due
    sla_sweep(moment=loop.now())
    breached = set(
        Clock.objects.filter(ticket=complaint.ticket, cycle=2, state="breached").values_list(
            "milestone", flat=True
        )
    )
    assert not breached & {
        "first_response_normal",
        "transfer_routing",
        "record_complete",
    }, breached
