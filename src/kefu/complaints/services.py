"""Every write on complaints: register, move a stage with its record, departments, notices.

The closed loop of STANDARD.md CMP-1…5: registration (type, severity, demands) assigns the
least-loaded complaint specialist and starts the clocks; each stage needs its record; the
responsible departments answer inside kefu (ORG-2) and are copied on the final solution
(CMP-3); the customer is told through the outbox (HND-5…7, CMP-2, CMP-4); a rectification
becomes a line of the improvement register (IMP-3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kefu.accounts.models import Department, User
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_department_ids
from kefu.audit.services import audit_record
from kefu.complaints.models import (
    Complaint,
    ComplaintDepartment,
    Improvement,
    ImprovementStatus,
    RectificationType,
    Severity,
)
from kefu.complaints.stages import (
    ALLOWED_STAGES,
    OPEN_STAGES,
    STAGE_LABELS,
    ComplaintStage,
)
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleVersion
from kefu.core.forms import LATEST
from kefu.core.state_machine import check_transition
from kefu.core.text_input import text_input_clean
from kefu.core.timeutils import local_date, now
from kefu.customers.models import ContactChannel, Customer
from kefu.customers.services import customer_find_or_create
from kefu.notify.models import NoticeKind
from kefu.notify.notices import notice_address, notice_send
from kefu.notify.services import notify_users
from kefu.sla.services import TicketChange, sla_ticket_event
from kefu.tickets.models import Category, CategoryRoot, HandlingClass, Ticket, TicketEventKind
from kefu.tickets.selectors import ticket_is_visible
from kefu.tickets.services import ticket_create, ticket_transition, ticket_update
from kefu.tickets.states import OPEN_STATUSES, TicketStatus

TEXT_LIMIT = 4_000
EVIDENCE_KINDS = ("recording", "ticket", "log", "document", "other")
EVIDENCE_LIMIT = 20
# How far in the future a received time may lie (clock skew between machines).
RECEIVED_SKEW = dt.timedelta(minutes=5)


# -- checks -----------------------------------------------------------------------------------


def _require(actor: Any, perm: str, message: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(message)


def _text(value: Any, field: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    return text_input_clean(value, field, required=required, limit=limit)


def complaint_type_resolve(value: Any) -> Category:
    """A complaint type: a node under the complaint root of the category tree, by code or id."""
    if isinstance(value, Category):
        category: Category | None = value
    elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        category = Category.objects.filter(pk=int(value)).first()
    elif isinstance(value, str) and value.strip():
        code = value.strip()
        category = (
            Category.objects.filter(code=code).first()
            or Category.objects.filter(code=f"complaint.{code}").first()
        )
    else:
        raise InvalidInput("type is required", field="type")
    if category is None or category.root != CategoryRoot.COMPLAINT or category.parent_id is None:
        known = ", ".join(
            Category.objects.filter(
                root=CategoryRoot.COMPLAINT, parent__isnull=False, is_active=True
            )
            .order_by("sort_order", "code")
            .values_list("code", flat=True)
        )
        raise InvalidInput(f"unknown complaint type {value!r}; one of {known}", field="type")
    if not category.is_active:
        raise InvalidInput(f"complaint type {category.code} is no longer in use", field="type")
    return category


def _severity(value: Any) -> str:
    if value not in Severity.values:
        raise InvalidInput(
            f"unknown severity {value!r}; one of {', '.join(Severity.values)}", field="severity"
        )
    return str(value)


def _channel(value: Any) -> str:
    if value not in ContactChannel.values:
        raise InvalidInput(
            f"unknown channel {value!r}; one of {', '.join(ContactChannel.values)}",
            field="channel",
        )
    return str(value)


def _received_at(value: Any, moment: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise InvalidInput("received_at must be a date-time with a time zone", field="received_at")
    if value > moment + RECEIVED_SKEW:
        raise InvalidInput("received_at lies in the future", field="received_at")
    if value < moment - dt.timedelta(days=365):
        raise InvalidInput("received_at is more than a year ago", field="received_at")
    return value


def _departments(values: Iterable[Any]) -> list[Department]:
    found: dict[int, Department] = {}
    for value in values:
        if isinstance(value, Department):
            department: Department | None = value
        elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            department = Department.objects.filter(pk=int(value)).first()
        else:
            department = Department.objects.filter(code=str(value)).first()
        if department is None:
            raise InvalidInput(f"department {value!r} does not exist", field="departments")
        if not department.is_active:
            raise InvalidInput(f"department {department} is inactive", field="departments")
        found[department.pk] = department
    return list(found.values())


def _user(value: Any, field: str) -> User:
    if isinstance(value, User):
        user: User | None = value
    else:
        try:
            user = User.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            raise InvalidInput(f"{field} must be a user id, not {value!r}", field=field) from None
    if user is None or not user.is_active:
        raise InvalidInput(f"{field}: no active user {value!r}", field=field)
    return user


def _locked(complaint: Complaint, version: int | None = None) -> Complaint:
    current = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("ticket", "ticket__customer", "ticket__category", "type")
        .filter(pk=complaint.pk)
        .first()
    )
    if current is None:
        raise NotFound(f"complaint {complaint.pk} does not exist")
    if version is not None and version != current.version:
        raise StaleVersion(
            f"complaint {current.pk} was changed by someone else since you loaded it "
            f"(your version {version}, current {current.version}); reload and try again",
            field="version",
        )
    return current


def _require_visible(actor: Any, complaint: Complaint) -> None:
    if actor is not None and not complaint_is_visible(actor, complaint):
        raise NotFound(f"complaint {complaint.pk} does not exist or is not visible to you")


def complaint_is_visible(user: Any, complaint: Complaint) -> bool:
    if ticket_is_visible(user, complaint.ticket):
        return True
    departments = user_department_ids(user)
    return (
        bool(departments)
        and complaint.departments.filter(department_id__in=sorted(departments)).exists()
    )


def _timeline(
    ticket: Ticket, *, actor: Any, moment: dt.datetime, body: str, data: dict[str, Any]
) -> None:
    from kefu.tickets.models import TicketEvent

    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.COMPLAINT,
        actor=actor if getattr(actor, "pk", None) else None,
        body=body,
        is_public=False,
        data=data,
        created_at=moment,
    )
    # Complaint work is activity on the ticket: queues sort it to the top.
    Ticket.objects.filter(pk=ticket.pk, updated_at__lt=moment).update(updated_at=moment)


# -- assignment -------------------------------------------------------------------------------


def complaint_specialist_least_loaded() -> User | None:
    """The active complaint specialist with the fewest open complaints (ties: longest idle id)."""
    return (
        User.objects.filter(groups__name=Role.COMPLAINT_SPECIALIST, is_active=True)
        .annotate(
            load=Count(
                "assigned_tickets",
                filter=Q(
                    assigned_tickets__complaint__stage__in=[
                        ComplaintStage.REGISTERED,
                        ComplaintStage.INVESTIGATING,
                        ComplaintStage.PLAN_PROPOSED,
                        ComplaintStage.SOLVED,
                        ComplaintStage.RECTIFYING,
                    ]
                ),
            )
        )
        .order_by("load", "id")
        .first()
    )


# -- register (CMP-1) -------------------------------------------------------------------------


def _customer(actor: Any, value: Any) -> Customer | None:
    if value is None or value == "":
        return None
    if isinstance(value, Customer):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        customer = Customer.objects.filter(pk=int(value)).first()
        if customer is None:
            raise InvalidInput(f"customer {value!r} does not exist", field="customer")
        return customer
    if isinstance(value, Mapping):
        return customer_find_or_create(
            actor=actor,
            phone=str(value.get("phone") or ""),
            email=str(value.get("email") or ""),
            name=str(value.get("name") or ""),
        )
    raise InvalidInput("customer must be an id or {phone, email, name}", field="customer")


@transaction.atomic
def complaint_register(
    *,
    actor: Any,
    type: Any,
    severity: str,
    demands: str,
    channel: str | None = None,
    customer: Any = None,
    ticket: Ticket | None = None,
    description: str = "",
    subject: str = "",
    received_at: dt.datetime | None = None,
    departments: Iterable[Any] = (),
    notify_customer: bool = True,
) -> Complaint:
    """Register a complaint (CMP-1): on a new complaint ticket, or raising an existing ticket.

    The complaint goes to the least-loaded complaint specialist, its clocks start from the
    time it was received, the departments named are asked (ORG-2), and the customer gets the
    need-confirmation letter (HND-5) when they have a phone or e-mail.
    """
    _require(actor, "complaints.add_complaint", "your role may not register complaints")
    moment = now()
    category = complaint_type_resolve(type)
    severity = _severity(severity)
    demands = _text(demands, "demands")
    description = _text(description, "description", required=False, limit=20_000)
    subject = _text(subject, "subject", required=False, limit=200)
    wanted = _departments(departments)
    specialist = complaint_specialist_least_loaded()
    routing: dict[str, Any] = {}
    if specialist is not None:
        routing = {"assignee": specialist, "team": specialist.team}
    urgency = "urgent" if severity == Severity.MAJOR else "normal"
    priority = "A" if severity == Severity.MAJOR else "B"
    if ticket is None:
        channel = _channel(channel)
        received = _received_at(received_at, moment) if received_at is not None else moment
        owner = _customer(actor, customer)
        if owner is None:
            raise InvalidInput(
                "a complaint needs the customer (id, phone or e-mail)", field="customer"
            )
        ticket = ticket_create(
            actor=actor,
            subject=subject or f"投诉：{category.name} — {demands[:60]}",
            category=category,
            channel=channel,
            customer=owner,
            description=description,
            handling_class=HandlingClass.TRANSFER,
            urgency=urgency,
            priority=priority,
            need_points=demands,
            **routing,
        )
    else:
        ticket = _raise_ticket(actor, ticket, category, urgency, priority, demands, routing)
        channel = _channel(channel) if channel else ticket.channel
        received = (
            _received_at(received_at, moment) if received_at is not None else ticket.created_at
        )
    moment = max(now(), ticket.created_at)  # registered once the ticket exists
    complaint = Complaint.objects.create(
        ticket=ticket,
        type=category,
        severity=severity,
        demands=demands,
        channel=channel,
        received_at=received,
        registered_at=moment,
        registered_by=actor if getattr(actor, "pk", None) else None,
    )
    if ticket.status == TicketStatus.NEW:
        ticket = ticket_transition(actor=actor, ticket=ticket, to=TicketStatus.OPEN)
    sla_ticket_event(
        ticket=ticket,
        change=TicketChange("complaint_registered", moment, extras={"received_at": received}),
    )
    # Escalated to a complaint specialist (CMP-1) is the internal routing of HND-2.
    sla_ticket_event(ticket=ticket, change=TicketChange("routed", moment))
    _timeline(
        ticket,
        actor=actor,
        moment=moment,
        body=demands,
        data={
            "action": "registered",
            "stage": ComplaintStage.REGISTERED,
            "severity": severity,
            "type": category.code,
            "received_at": received.isoformat(),
        },
    )
    audit_record(
        actor=actor,
        verb="complaint.register",
        target=complaint,
        after={
            "ticket": ticket.number,
            "type": category.code,
            "severity": severity,
            "channel": channel,
            "received_at": received,
            "assignee": specialist.pk if specialist else None,
        },
    )
    for department in wanted:
        _department_ask(actor, complaint, department, "", moment)
    notify_users(
        recipients=[specialist] if specialist else _managers(),
        kind="complaint_registered",
        title=f"新投诉 {ticket.number}（{Severity(severity).label}）",
        body=demands,
        ticket=ticket,
        dedupe_prefix=f"complaint:{complaint.pk}:registered",
    )
    if notify_customer:
        _auto_notice(actor, complaint, NoticeKind.NEED_CONFIRMATION)
    return complaint


def _managers() -> list[User]:
    return list(User.objects.filter(groups__name=Role.MANAGER, is_active=True))


def _raise_ticket(
    actor: Any,
    ticket: Ticket,
    category: Category,
    urgency: str,
    priority: str,
    demands: str,
    routing: dict[str, Any],
) -> Ticket:
    """Turn an existing, still open ticket into a complaint ticket in one step."""
    current = Ticket.objects.select_related("category").get(pk=ticket.pk)
    if actor is not None and not ticket_is_visible(actor, current):
        raise NotFound(f"ticket {current.number} does not exist or is not visible to you")
    if Complaint.objects.filter(ticket=current).exists():
        raise Conflict(f"ticket {current.number} is already a complaint", field="ticket")
    if current.status not in OPEN_STATUSES:
        raise Conflict(
            f"ticket {current.number} is {current.get_status_display()}; register the complaint "
            "as a new complaint for the customer instead",
            field="ticket",
        )
    if current.status == TicketStatus.NEW:
        # Taken up while the raiser can still see it; the specialist takes it over next.
        current = ticket_transition(actor=actor, ticket=current, to=TicketStatus.OPEN)
    changes: dict[str, Any] = {
        "category": category,
        "handling_class": HandlingClass.TRANSFER,
        "urgency": urgency if urgency == "urgent" else current.urgency,
        "priority": priority if priority == "A" else current.priority,
        **routing,
    }
    if not current.need_points.strip():
        changes["need_points"] = demands
    return ticket_update(actor=actor, ticket=current, version=None, changes=changes)


# -- departments (ORG-2, CMP-3) ---------------------------------------------------------------


def _department_ask(
    actor: Any, complaint: Complaint, department: Department, request: str, moment: dt.datetime
) -> ComplaintDepartment:
    if not department.is_active:
        raise InvalidInput(f"department {department} is inactive", field="department")
    asker = actor if getattr(actor, "pk", None) else None
    row = ComplaintDepartment.objects.filter(complaint=complaint, department=department).first()
    if row is not None and row.replied_at is None:
        raise Conflict(
            f"{department.name} is already asked about this complaint", field="department"
        )
    if row is None:
        row = ComplaintDepartment.objects.create(
            complaint=complaint,
            department=department,
            request=request,
            asked_at=moment,
            asked_by=asker,
        )
    else:  # asked again after a reopen: the earlier answer stays on the timeline
        row.request, row.asked_at, row.asked_by = request, moment, asker
        row.reply, row.replied_at, row.replied_by, row.copied_at = "", None, None, None
        row.save()
    ticket = complaint.ticket
    sla_ticket_event(
        ticket=ticket,
        change=TicketChange("department_asked", moment, extras={"department": department.pk}),
    )
    _timeline(
        ticket,
        actor=actor,
        moment=moment,
        body=request,
        data={"action": "department_asked", "department": department.name},
    )
    audit_record(
        actor=actor,
        verb="complaint.department_ask",
        target=complaint,
        after={"department": department.code, "request": request},
    )
    notify_users(
        recipients=department.members.all(),
        kind="complaint_department",
        title=f"投诉 {ticket.number} 需要{department.name}协办",
        body=request or complaint.demands,
        ticket=ticket,
        dedupe_prefix=f"complaint:{complaint.pk}:ask:{department.pk}",
    )
    return row


@transaction.atomic
def complaint_department_add(
    *, actor: Any, complaint: Complaint, department: Any, request: str = ""
) -> ComplaintDepartment:
    """Ask one more responsible department (ORG-2); its reply clock starts now."""
    _require(actor, "complaints.handle_complaint", "your role may not work complaints")
    current = _locked(complaint)
    _require_visible(actor, current)
    if current.stage not in OPEN_STAGES:
        raise Conflict(
            f"complaint {current.pk} is {current.get_stage_display()}: departments are asked "
            "before the final solution (CMP-3); reopen the complaint to ask again",
            field="department",
        )
    (found,) = _departments([department]) if department not in (None, "") else (None,)
    if found is None:
        raise InvalidInput("choose a department", field="department")
    text = _text(request, "request", required=False)
    current.version += 1
    current.save(update_fields=["version"])
    return _department_ask(actor, current, found, text, now())


@transaction.atomic
def complaint_department_reply(
    *, actor: Any, request: ComplaintDepartment, reply: str
) -> ComplaintDepartment:
    """A department answers inside kefu (ORG-2); its clock stops."""
    row = (
        ComplaintDepartment.objects.select_for_update(of=("self",))
        .select_related("complaint__ticket", "department")
        .filter(pk=request.pk)
        .first()
    )
    if row is None:
        raise NotFound("this department request does not exist")
    member = row.department_id in user_department_ids(actor)
    if not member and not actor.has_perm("complaints.handle_complaint"):
        raise PermissionDenied(f"only members of {row.department.name} answer for it")
    if not member and not complaint_is_visible(actor, row.complaint):
        raise NotFound("this department request does not exist")
    if row.complaint.stage in (ComplaintStage.CLOSED, ComplaintStage.WITHDRAWN):
        raise Conflict(
            f"the complaint is {row.complaint.get_stage_display()}; no reply is needed any more",
            field="reply",
        )
    if row.replied_at is not None:
        raise Conflict(
            f"{row.department.name} answered already; add further information as a note on "
            "the ticket",
            field="reply",
        )
    text = _text(reply, "reply")
    moment = now()
    row.reply, row.replied_at, row.replied_by = text, moment, actor
    row.save(update_fields=["reply", "replied_at", "replied_by"])
    ticket = row.complaint.ticket
    sla_ticket_event(
        ticket=ticket,
        change=TicketChange("department_replied", moment, extras={"department": row.department_id}),
    )
    _timeline(
        ticket,
        actor=actor,
        moment=moment,
        body=text,
        data={"action": "department_replied", "department": row.department.name},
    )
    audit_record(
        actor=actor,
        verb="complaint.department_reply",
        target=row.complaint,
        after={"department": row.department.code, "length": len(text)},
    )
    notify_users(
        recipients=[ticket.assignee] if ticket.assignee_id else _managers(),
        kind="complaint_department_reply",
        title=f"{row.department.name} 已回复投诉 {ticket.number}",
        body=text,
        ticket=ticket,
        dedupe_prefix=f"complaint:{row.complaint_id}:reply:{row.department_id}",
    )
    return row


# -- stages (CMP-2…4) -------------------------------------------------------------------------


def _evidence(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(
            "evidence: link at least one recording, ticket or log the findings rest on (CMP-2)",
            field="evidence",
        )
    if len(value) > EVIDENCE_LIMIT:
        raise InvalidInput(f"evidence: at most {EVIDENCE_LIMIT} links", field="evidence")
    cleaned = []
    for index, item in enumerate(value):
        where = f"evidence.{index}"
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{where}: give kind and ref", field=where)
        kind = item.get("kind")
        if kind not in EVIDENCE_KINDS:
            raise InvalidInput(
                f"{where}.kind: one of {', '.join(EVIDENCE_KINDS)}", field=f"{where}.kind"
            )
        cleaned.append(
            {
                "kind": str(kind),
                "ref": _text(item.get("ref"), f"{where}.ref", limit=500),
                "note": _text(item.get("note"), f"{where}.note", required=False, limit=500),
            }
        )
    return cleaned


def _due(value: Any, moment: dt.datetime) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput("due must be a date (YYYY-MM-DD)", field="due") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput("due must be a date (YYYY-MM-DD)", field="due")
    if value < local_date(moment):
        raise InvalidInput("due lies in the past", field="due")
    if value > LATEST:
        raise InvalidInput(f"due must be before {LATEST.isoformat()}", field="due")
    return value


def _record(
    current: Complaint, to: str, record: Mapping[str, Any], moment: dt.datetime
) -> dict[str, Any]:
    """Check the record the move to ``to`` needs and write it on the complaint."""
    source = current.stage
    written: dict[str, Any] = {}
    if to == ComplaintStage.INVESTIGATING:
        if source == ComplaintStage.REGISTERED:
            written["note"] = _text(record.get("note"), "note", required=False)
            current.investigation_started_at = moment
        else:
            written["reason"] = _text(record.get("reason"), "reason")
    elif to == ComplaintStage.PLAN_PROPOSED:
        current.findings = written["findings"] = _text(record.get("findings"), "findings")
        current.evidence = written["evidence"] = _evidence(record.get("evidence"))
        current.plan = written["plan"] = _text(record.get("plan"), "plan")
        current.investigated_at = current.plan_at = moment
    elif to == ComplaintStage.SOLVED:
        if current.severity == Severity.MAJOR and source != ComplaintStage.PLAN_PROPOSED:
            raise Conflict(
                "a major complaint is solved after its investigation and preliminary plan "
                "(CMP-2, CMP-5); record the findings and the plan first",
                field="to",
            )
        waiting = list(
            current.departments.filter(replied_at__isnull=True).values_list(
                "department__name", flat=True
            )
        )
        if waiting:
            raise Conflict(
                f"waiting for the reply of {', '.join(waiting)} (ORG-2); the final solution "
                "is given once every responsible department has answered",
                field="to",
            )
        current.final_solution = written["final_solution"] = _text(
            record.get("final_solution"), "final_solution"
        )
        if source == ComplaintStage.REGISTERED or not current.investigated_at:
            current.investigated_at = current.investigated_at or moment
        current.solved_at = moment
    elif to == ComplaintStage.RECTIFYING:
        current.rectification_action = written["action"] = _text(record.get("action"), "action")
        kind = record.get("type")
        if kind not in RectificationType.values:
            raise InvalidInput(
                f"type: one of {', '.join(RectificationType.values)} (CMP-4)", field="type"
            )
        current.rectification_type = written["type"] = str(kind)
        owner = _user(record.get("owner"), "owner")
        current.rectification_owner = owner
        written["owner"] = owner.pk
        current.rectification_due = _due(record.get("due"), moment)
        written["due"] = current.rectification_due.isoformat()
        current.rectification_started_at = moment
    elif to == ComplaintStage.CLOSED:
        if source == ComplaintStage.RECTIFYING:
            current.rectification_result = written["result"] = _text(record.get("result"), "result")
            current.rectified_at = moment
        else:
            current.close_note = written["note"] = _text(
                record.get("note"), "note", limit=TEXT_LIMIT
            )
        current.closed_at = moment
    elif to == ComplaintStage.WITHDRAWN:
        current.close_note = written["reason"] = _text(record.get("reason"), "reason")
        current.withdrawn_at = moment
    return written


def complaint_transition(
    *,
    actor: Any,
    complaint: Complaint,
    to: str,
    record: Mapping[str, Any] | None = None,
    version: int | None = None,
    notify_customer: bool = True,
) -> Complaint:
    """Move a complaint to its next stage with the stage's record; 409 off the map.

    registered → investigating (note) → plan_proposed (findings, evidence, plan; the customer
    is told the plan, CMP-2) → solved (final solution; departments copied, CMP-3; result
    notice, HND-7) → rectifying (action, type, owner, due; improvement register, CMP-4,
    IMP-3) → closed (rectification result, told to the customer, CMP-4). Solved or closed
    complaints reopen to investigating with a reason; open ones can be withdrawn.
    """
    _require(actor, "complaints.handle_complaint", "your role may not work complaints")
    if record is not None and not isinstance(record, Mapping):
        raise InvalidInput("record must be an object", field="record")
    with transaction.atomic():
        current = _locked(complaint, version)
        _require_visible(actor, current)
        source = current.stage
        check_transition(
            allowed=ALLOWED_STAGES,
            current=source,
            target=to,
            labels=STAGE_LABELS,
            noun="complaint",
        )
        moment = now()
        written = _record(current, to, record or {}, moment)
        current.stage = to
        current.version += 1
        reopening = to == ComplaintStage.INVESTIGATING and source in (
            ComplaintStage.SOLVED,
            ComplaintStage.CLOSED,
        )
        if reopening:
            current.reopen_count += 1
            current.solved_at = current.closed_at = current.rectified_at = None
        current.save()
        ticket = current.ticket
        sla_ticket_event(
            ticket=ticket,
            change=TicketChange("complaint_stage", moment, status_from=source, status_to=to),
        )
        ticket = _follow_on_ticket(actor, current, ticket, source, to)
        _timeline(
            ticket,
            actor=actor,
            moment=moment,
            body=str(
                written.get("plan")
                or written.get("final_solution")
                or written.get("result")
                or written.get("action")
                or written.get("reason")
                or written.get("note")
                or ""
            ),
            data={"action": "stage", "from": source, "to": to, "record": written},
        )
        audit_record(
            actor=actor,
            verb="complaint.transition",
            target=current,
            before={"stage": source, "version": current.version - 1},
            after={"stage": to, "version": current.version, **written},
        )
        if to == ComplaintStage.SOLVED:
            _copy_departments(current, moment)
        if to == ComplaintStage.RECTIFYING:
            _improvement_from(actor, current, moment)
        if to == ComplaintStage.CLOSED and source == ComplaintStage.RECTIFYING:
            Improvement.objects.filter(complaint=current).update(
                result=current.rectification_result,
                status=ImprovementStatus.DONE,
                completed_at=moment,
            )
        if notify_customer:
            kind = {
                ComplaintStage.PLAN_PROPOSED: NoticeKind.PLAN,
                ComplaintStage.SOLVED: NoticeKind.RESULT,
            }.get(ComplaintStage(to))
            if to == ComplaintStage.CLOSED and source == ComplaintStage.RECTIFYING:
                kind = NoticeKind.RECTIFICATION
            if kind is not None:
                _auto_notice(actor, current, kind)
    return current


def _follow_on_ticket(
    actor: Any, complaint: Complaint, ticket: Ticket, source: str, to: str
) -> Ticket:
    """The ticket follows the complaint: solved → resolved, closed → closed, reopened → open."""
    if to == ComplaintStage.SOLVED:
        if ticket.solution != complaint.final_solution:
            ticket = ticket_update(
                actor=actor,
                ticket=ticket,
                version=None,
                changes={"solution": complaint.final_solution},
            )
        if ticket.status != TicketStatus.RESOLVED:
            ticket = ticket_transition(
                actor=actor, ticket=ticket, to=TicketStatus.RESOLVED, via_complaint=True
            )
    elif to == ComplaintStage.CLOSED and ticket.status == TicketStatus.RESOLVED:
        ticket = ticket_transition(
            actor=actor, ticket=ticket, to=TicketStatus.CLOSED, via_complaint=True
        )
    elif to == ComplaintStage.WITHDRAWN and ticket.status != TicketStatus.CANCELLED:
        ticket = ticket_transition(
            actor=actor,
            ticket=ticket,
            to=TicketStatus.CANCELLED,
            reason=complaint.close_note,
            via_complaint=True,
        )
    elif to == ComplaintStage.INVESTIGATING and ticket.status in (
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    ):
        ticket = ticket_transition(
            actor=actor, ticket=ticket, to=TicketStatus.OPEN, via_complaint=True
        )
    return ticket


def _copy_departments(complaint: Complaint, moment: dt.datetime) -> None:
    """CMP-3: the final solution is copied to the responsible departments."""
    rows = list(complaint.departments.select_related("department"))
    if not rows:
        return
    ComplaintDepartment.objects.filter(pk__in=[row.pk for row in rows]).update(copied_at=moment)
    ticket = complaint.ticket
    for row in rows:
        notify_users(
            recipients=row.department.members.all(),
            kind="complaint_solution_copy",
            title=f"投诉 {ticket.number} 最终解决方案（抄送{row.department.name}）",
            body=complaint.final_solution,
            ticket=ticket,
            dedupe_prefix=f"complaint:{complaint.pk}:copy:{complaint.reopen_count}:{row.department_id}",
        )


def _improvement_from(actor: Any, complaint: Complaint, moment: dt.datetime) -> Improvement:
    """CMP-4 → IMP-3: the rectification is a line of the improvement register."""
    evidence_lines = [complaint.findings] + [
        f"{item['kind']}: {item['ref']}" + (f"（{item['note']}）" if item.get("note") else "")
        for item in complaint.evidence
    ]
    values = {
        "problem": f"投诉 {complaint.ticket.number}（{complaint.type.name}）：{complaint.demands}",
        "evidence": "\n".join(line for line in evidence_lines if line),
        "action": complaint.rectification_action,
        "action_type": complaint.rectification_type,
        "owner": complaint.rectification_owner,
        "due": complaint.rectification_due,
    }
    improvement = Improvement.objects.filter(complaint=complaint).first()
    if improvement is None:
        improvement = Improvement.objects.create(
            complaint=complaint,
            created_at=moment,
            created_by=actor if getattr(actor, "pk", None) else None,
            **values,
        )
    else:  # a reopened complaint rectified again: the same line, the new action
        for key, value in values.items():
            setattr(improvement, key, value)
        improvement.status, improvement.result, improvement.completed_at = (
            ImprovementStatus.OPEN,
            "",
            None,
        )
        improvement.version += 1
        improvement.save()
    audit_record(
        actor=actor,
        verb="improvement.create",
        target=improvement,
        after={"complaint": complaint.pk, "owner": improvement.owner_id, "due": improvement.due},
    )
    notify_users(
        recipients=[improvement.owner],
        kind="improvement_assigned",
        title=f"整改任务：投诉 {complaint.ticket.number}，{timezone.localtime(moment):%m-%d} 起",
        body=improvement.action,
        ticket=complaint.ticket,
        dedupe_prefix=f"improvement:{improvement.pk}:{improvement.version}",
    )
    return improvement


# -- customer notices -------------------------------------------------------------------------


def _auto_notice(actor: Any, complaint: Complaint, kind: str) -> None:
    """Queue the notice a stage owes the customer, once per stage passage (dedupe key)."""
    ticket = Ticket.objects.select_related("customer").get(pk=complaint.ticket_id)
    if notice_address(ticket) is None:
        _timeline(
            ticket,
            actor=None,
            moment=now(),
            body="",
            data={"action": "notice_unreachable", "notice": kind},
        )
        return
    try:
        # One per passage of the stage (the version moves with every stage move), so a retried
        # step never queues twice and a revised plan is told again.
        notice_send(
            actor=actor,
            ticket=ticket,
            kind=kind,
            dedupe_key=f"complaint:{complaint.pk}:{kind}:{complaint.version}",
        )
    except InvalidInput as error:
        # The stage stands; the notice clock shows the gap and the specialist sends it by hand.
        _timeline(
            ticket,
            actor=None,
            moment=now(),
            body=error.message,
            data={"action": "notice_not_queued", "notice": kind},
        )


@transaction.atomic
def complaint_notice_send(
    *,
    actor: Any,
    complaint: Complaint,
    kind: str,
    channel: str | None = None,
    body: str | None = None,
    subject: str | None = None,
    progress: str = "",
) -> Any:
    """Send a notice by hand: a progress update (HND-6) or any notice again, text as edited."""
    _require(actor, "complaints.handle_complaint", "your role may not work complaints")
    current = _locked(complaint)
    _require_visible(actor, current)
    if current.stage == ComplaintStage.WITHDRAWN:
        raise Conflict(f"complaint {current.pk} was withdrawn; no notice is sent", field="kind")
    extra = {"progress": _text(progress, "progress", required=False)} if progress else {}
    ticket = Ticket.objects.select_related("customer").get(pk=current.ticket_id)
    return notice_send(
        actor=actor,
        ticket=ticket,
        kind=kind,
        channel=channel or None,
        body=body,
        subject=subject,
        extra=extra,
    )


# -- improvement register (IMP-3) -------------------------------------------------------------

IMPROVEMENT_TEXT = ("problem", "evidence", "action", "result")


@transaction.atomic
def improvement_create(
    *,
    actor: Any,
    problem: str,
    action: str,
    action_type: str,
    owner: Any,
    due: Any,
    evidence: str = "",
) -> Improvement:
    """A line of the register not born from a complaint (QA findings, frequent issues …)."""
    _require(actor, "complaints.add_improvement", "your role may not add improvements")
    if action_type not in RectificationType.values:
        raise InvalidInput(
            f"action_type: one of {', '.join(RectificationType.values)}", field="action_type"
        )
    moment = now()
    improvement = Improvement.objects.create(
        problem=_text(problem, "problem"),
        evidence=_text(evidence, "evidence", required=False),
        action=_text(action, "action"),
        action_type=action_type,
        owner=_user(owner, "owner"),
        due=_due(due, moment),
        created_at=moment,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        verb="improvement.create",
        target=improvement,
        after={
            "problem": improvement.problem,
            "owner": improvement.owner_id,
            "due": improvement.due,
        },
    )
    return improvement


@transaction.atomic
def improvement_update(
    *, actor: Any, improvement: Improvement, version: int | None, changes: Mapping[str, Any]
) -> Improvement:
    """Edit a register line; marking it done needs its result."""
    _require(actor, "complaints.change_improvement", "your role may not edit improvements")
    current = Improvement.objects.select_for_update().filter(pk=improvement.pk).first()
    if current is None:
        raise NotFound(f"improvement {improvement.pk} does not exist")
    if version is not None and version != current.version:
        raise StaleVersion(
            f"improvement {current.pk} was changed by someone else (your version {version}, "
            f"current {current.version}); reload and try again",
            field="version",
        )
    before = {
        key: getattr(current, key) for key in (*IMPROVEMENT_TEXT, "status", "due", "owner_id")
    }
    moment = now()
    for field, value in changes.items():
        if field in IMPROVEMENT_TEXT:
            setattr(current, field, _text(value, field, required=field in ("problem", "action")))
        elif field == "action_type":
            if value not in RectificationType.values:
                raise InvalidInput(
                    f"action_type: one of {', '.join(RectificationType.values)}",
                    field="action_type",
                )
            current.action_type = value
        elif field == "owner":
            current.owner = _user(value, "owner")
        elif field == "due":
            current.due = value if value == current.due else _due(value, moment)
        elif field == "status":
            if value not in ImprovementStatus.values:
                raise InvalidInput(
                    f"status: one of {', '.join(ImprovementStatus.values)}", field="status"
                )
            current.status = value
        else:
            raise InvalidInput(f"{field!r} cannot be set on an improvement", field=field)
    if current.status == ImprovementStatus.DONE and not current.result.strip():
        raise InvalidInput("record the result before marking the improvement done", field="result")
    if current.status == ImprovementStatus.DONE and current.completed_at is None:
        current.completed_at = moment
    if current.status == ImprovementStatus.OPEN:
        current.completed_at = None
    after = {key: getattr(current, key) for key in before}
    if after == before:
        return current
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        verb="improvement.update",
        target=current,
        before={key: value for key, value in before.items() if after[key] != value},
        after={key: value for key, value in after.items() if before[key] != value},
    )
    return current
