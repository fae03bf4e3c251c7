"""Complaint and improvement-register endpoints (CMP-1…5, ORG-2, IMP-3): validate, call one
service or selector, serialise."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field, PlainValidator, ValidationError, WithJsonSchema

from kefu.complaints import selectors, services
from kefu.complaints.models import (
    Complaint,
    ComplaintDepartment,
    Improvement,
    ImprovementStatus,
    RectificationType,
    Severity,
)
from kefu.complaints.stages import ALLOWED_STAGES, ComplaintStage
from kefu.core.errors import Conflict, InvalidInput, NotFound
from kefu.core.pagination import bounded_count
from kefu.core.schemas import MAX_ID, InputSchema, ObjectId, OffsetDateTime
from kefu.core.timeutils import now
from kefu.customers.models import ContactChannel
from kefu.notify.models import CustomerNotice, NoticeKind, OutboundChannel
from kefu.tickets import selectors as ticket_selectors

router = Router(tags=["complaints"])
improvements_router = Router(tags=["improvements"])

CODE_LIMIT = 64
TEXT_LIMIT = services.TEXT_LIMIT


# -- references: an id or a code ---------------------------------------------------------------


def _reference(value: Any) -> int | str:
    """An id (number, or digits as text) or a code; ids beyond 64 bits are refused here."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("give an id or a code")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("give an id or a code")
        if len(value) > CODE_LIMIT:
            raise ValueError(f"a code is at most {CODE_LIMIT} characters")
        if not value.isdigit():
            return value
        value = int(value)
    if not 1 <= value <= MAX_ID:
        raise ValueError("not an id")
    return value


Reference = Annotated[
    int | str,
    PlainValidator(_reference),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "minLength": 1, "maxLength": CODE_LIMIT},
            ],
            "description": "an id or a code",
        }
    ),
]


class CustomerContactIn(InputSchema):
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    name: str = Field(default="", max_length=100)


def _customer_reference(value: Any) -> int | dict[str, str] | None:
    """A customer id, or ``{phone, email, name}`` to find or create the customer by."""
    if value is None:
        return None
    if isinstance(value, dict):
        try:
            contact = CustomerContactIn.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            raise ValueError(f"{where}: {first.get('msg', 'invalid value')}") from None
        return contact.model_dump()
    reference = _reference(value)
    if isinstance(reference, str):
        raise ValueError("customer must be an id or {phone, email, name}")
    return reference


CustomerReference = Annotated[
    int | dict[str, str] | None,
    PlainValidator(_customer_reference),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {
                    "type": "object",
                    "properties": {
                        "phone": {"type": "string", "maxLength": 32},
                        "email": {"type": "string", "maxLength": 254},
                        "name": {"type": "string", "maxLength": 100},
                    },
                },
                {"type": "null"},
            ],
            "description": "a customer id, or the phone / e-mail (and name) to find or create",
        }
    ),
]


# -- input ------------------------------------------------------------------------------------


class ComplaintCreateIn(InputSchema):
    customer: CustomerReference = None
    ticket: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="number of an open ticket to raise as this complaint",
    )
    type: Reference = Field(description="complaint type: code (attitude, complaint.attitude) or id")
    severity: Severity
    demands: str = Field(min_length=1, max_length=TEXT_LIMIT)
    description: str = Field(default="", max_length=20_000)
    subject: str = Field(default="", max_length=200)
    channel: ContactChannel | None = Field(
        default=None, description="required for a new complaint ticket"
    )
    received_at: OffsetDateTime | None = None
    departments: list[Reference] = Field(default_factory=list, max_length=50)
    notify_customer: bool = True


class EvidenceIn(InputSchema):
    kind: str = Field(max_length=32, description=", ".join(services.EVIDENCE_KINDS))
    ref: str = Field(max_length=500)
    note: str = Field(default="", max_length=500)


class StageRecordIn(InputSchema):
    """What a move records; which fields a move needs depends on the stage it goes to."""

    note: str | None = Field(default=None, max_length=TEXT_LIMIT)
    reason: str | None = Field(default=None, max_length=TEXT_LIMIT)
    findings: str | None = Field(default=None, max_length=TEXT_LIMIT)
    evidence: list[EvidenceIn] | None = Field(default=None, max_length=services.EVIDENCE_LIMIT)
    plan: str | None = Field(default=None, max_length=TEXT_LIMIT)
    final_solution: str | None = Field(default=None, max_length=TEXT_LIMIT)
    action: str | None = Field(default=None, max_length=TEXT_LIMIT)
    type: RectificationType | None = None
    owner: ObjectId | None = None
    due: dt.date | None = None
    result: str | None = Field(default=None, max_length=TEXT_LIMIT)


class ComplaintTransitionIn(InputSchema):
    to: ComplaintStage
    record: StageRecordIn = Field(default_factory=StageRecordIn)
    version: int | None = Field(
        default=None, ge=1, description="the version you loaded; a stale one is refused with 409"
    )
    notify_customer: bool = True


class DepartmentAskIn(InputSchema):
    department: Reference
    request: str = Field(default="", max_length=TEXT_LIMIT)


class DepartmentReplyIn(InputSchema):
    reply: str = Field(min_length=1, max_length=TEXT_LIMIT)


class NoticeIn(InputSchema):
    kind: NoticeKind
    channel: OutboundChannel | None = None
    body: str | None = Field(default=None, max_length=10_000)
    subject: str | None = Field(default=None, max_length=200)
    progress: str = Field(default="", max_length=TEXT_LIMIT)


class ComplaintQuery(InputSchema):
    stage: str = Field(default="", max_length=16, description="a stage, 'active', or all")
    severity: str = Field(default="", max_length=16)
    type: str = Field(default="", max_length=CODE_LIMIT)
    mine: bool = False
    q: str = Field(default="", max_length=100)
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=200)


class ImprovementCreateIn(InputSchema):
    problem: str = Field(min_length=1, max_length=TEXT_LIMIT)
    evidence: str = Field(default="", max_length=TEXT_LIMIT)
    action: str = Field(min_length=1, max_length=TEXT_LIMIT)
    action_type: RectificationType
    owner: ObjectId
    due: dt.date


class ImprovementUpdateIn(InputSchema):
    version: int = Field(
        ge=1, description="the version you loaded; a stale one is refused with 409"
    )
    problem: str | None = Field(default=None, max_length=TEXT_LIMIT)
    evidence: str | None = Field(default=None, max_length=TEXT_LIMIT)
    action: str | None = Field(default=None, max_length=TEXT_LIMIT)
    action_type: RectificationType | None = None
    owner: ObjectId | None = None
    due: dt.date | None = None
    result: str | None = Field(default=None, max_length=TEXT_LIMIT)
    status: ImprovementStatus | None = None


class ImprovementQuery(InputSchema):
    status: ImprovementStatus | None = None
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=200)


# -- output -----------------------------------------------------------------------------------


def _user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": str(user)}


def department_out(row: ComplaintDepartment) -> dict[str, Any]:
    department = row.department
    return {
        "department": {"id": department.pk, "code": department.code, "name": department.name},
        "request": row.request,
        "asked_at": row.asked_at,
        "reply": row.reply,
        "replied_at": row.replied_at,
        "copied_at": row.copied_at,
    }


def notice_out(notice: CustomerNotice) -> dict[str, Any]:
    """A notice without its address: kind, channel and where its outbound message stands."""
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "channel": notice.channel,
        "status": notice.message.status,
        "created_at": notice.created_at,
        "sent_at": notice.sent_at,
    }


def clock_out(clock: selectors.ClockView) -> dict[str, Any]:
    return {
        "milestone": clock.milestone,
        "title": clock.title,
        "standard": clock.rule,
        "state": clock.state,
        "state_label": clock.state_label,
        "due_at": clock.due_at,
        "seconds_left": None if clock.seconds_left is None else round(clock.seconds_left),
        "department": clock.department,
    }


def complaint_out(complaint: Complaint, *, full: bool = True) -> dict[str, Any]:
    ticket = complaint.ticket
    customer = ticket.customer if ticket.customer_id else None
    data: dict[str, Any] = {
        "id": complaint.pk,
        "ticket": ticket.number,
        "ticket_status": ticket.status,
        "customer": None if customer is None else {"id": customer.pk, "name": customer.name},
        "assignee": _user_ref(ticket.assignee),
        "type": {"id": complaint.type_id, "code": complaint.type.code, "name": complaint.type.name},
        "severity": complaint.severity,
        "stage": complaint.stage,
        "demands": complaint.demands,
        "channel": complaint.channel,
        "received_at": complaint.received_at,
        "registered_at": complaint.registered_at,
        "version": complaint.version,
    }
    if not full:
        return data
    moment = now()
    data |= {
        "allowed_transitions": sorted(ALLOWED_STAGES[complaint.stage]),
        "registered_by": _user_ref(complaint.registered_by),
        "investigation_started_at": complaint.investigation_started_at,
        "findings": complaint.findings,
        "evidence": complaint.evidence,
        "investigated_at": complaint.investigated_at,
        "plan": complaint.plan,
        "plan_at": complaint.plan_at,
        "final_solution": complaint.final_solution,
        "solved_at": complaint.solved_at,
        "rectification_action": complaint.rectification_action,
        "rectification_type": complaint.rectification_type,
        "rectification_owner": _user_ref(complaint.rectification_owner),
        "rectification_due": complaint.rectification_due,
        "rectification_started_at": complaint.rectification_started_at,
        "rectification_result": complaint.rectification_result,
        "rectified_at": complaint.rectified_at,
        "closed_at": complaint.closed_at,
        "close_note": complaint.close_note,
        "withdrawn_at": complaint.withdrawn_at,
        "reopen_count": complaint.reopen_count,
        "departments": [
            department_out(row) for row in complaint.departments.select_related("department")
        ],
        "notices": [
            notice_out(notice)
            for notice in CustomerNotice.objects.filter(ticket_id=complaint.ticket_id)
            .select_related("message")
            .order_by("created_at", "id")
        ],
        "clocks": [clock_out(clock) for clock in selectors.complaint_clocks(complaint, moment)],
    }
    return data


def improvement_out(improvement: Improvement) -> dict[str, Any]:
    complaint = improvement.complaint
    return {
        "id": improvement.pk,
        "problem": improvement.problem,
        "evidence": improvement.evidence,
        "action": improvement.action,
        "action_type": improvement.action_type,
        "owner": _user_ref(improvement.owner),
        "due": improvement.due,
        "result": improvement.result,
        "status": improvement.status,
        "complaint": None
        if complaint is None
        else {"id": complaint.pk, "ticket": complaint.ticket.number},
        "created_at": improvement.created_at,
        "completed_at": improvement.completed_at,
        "version": improvement.version,
    }


def _as_saved(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    """The complaint as stored after a write; the writer may have routed it out of their view
    (a raised ticket goes to the complaint specialist), then the returned record is shown."""
    try:
        complaint = selectors.complaint_get(user=request.user, complaint_id=complaint.pk)
    except NotFound:
        complaint.refresh_from_db()
    return complaint_out(complaint)


def _page(page: int, page_size: int) -> tuple[int, int]:
    size = min(page_size, settings.KEFU_API_MAX_PAGE_SIZE)
    return (page - 1) * size, size


# -- complaints -------------------------------------------------------------------------------


@router.post("", response={201: dict[str, Any]})
def create_complaint(request: HttpRequest, payload: ComplaintCreateIn) -> Status[dict[str, Any]]:
    if payload.ticket is None and payload.channel is None:
        raise InvalidInput("channel is required for a new complaint ticket", field="channel")
    # One transaction: a refused registration leaves no new customer behind.
    with transaction.atomic():
        ticket = None
        if payload.ticket is not None:
            try:
                ticket = ticket_selectors.ticket_get(user=request.user, number=payload.ticket)
            except NotFound as exc:
                raise InvalidInput(exc.message, field="ticket") from None
        complaint = services.complaint_register(
            actor=request.user,
            type=payload.type,
            severity=str(payload.severity),
            demands=payload.demands,
            channel=None if payload.channel is None else str(payload.channel),
            customer=payload.customer,
            ticket=ticket,
            description=payload.description,
            subject=payload.subject,
            received_at=payload.received_at,
            departments=payload.departments,
            notify_customer=payload.notify_customer,
        )
    return Status(201, _as_saved(request, complaint))


@router.get("", response=dict[str, Any])
def list_complaints(request: HttpRequest, filters: Query[ComplaintQuery]) -> dict[str, Any]:
    type_code = filters.type.strip()
    if type_code and not type_code.startswith("complaint."):
        type_code = f"complaint.{type_code}"
    complaints = selectors.complaint_list(
        user=request.user,
        filters=selectors.ComplaintFilters(
            stage=filters.stage.strip(),
            severity=filters.severity.strip(),
            type_code=type_code,
            mine=filters.mine,
            q=filters.q,
        ),
    )
    start, size = _page(filters.page, filters.page_size)
    rows = selectors.complaint_rows(list(complaints[start : start + size]), now())
    items = []
    for row in rows:
        item = complaint_out(row.complaint, full=False)
        following = row.next_clock
        item["next_clock"] = None if following is None else clock_out(following)
        items.append(item)
    count, exact = bounded_count(complaints)
    return {
        "items": items,
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": size,
    }


@router.get("/{complaint_id}", response=dict[str, Any])
def get_complaint(request: HttpRequest, complaint_id: ObjectId) -> dict[str, Any]:
    return complaint_out(selectors.complaint_get(user=request.user, complaint_id=complaint_id))


@router.post("/{complaint_id}/transitions", response=dict[str, Any])
def transition_complaint(
    request: HttpRequest, complaint_id: ObjectId, payload: ComplaintTransitionIn
) -> dict[str, Any]:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    moved = services.complaint_transition(
        actor=request.user,
        complaint=complaint,
        to=str(payload.to),
        record=payload.record.model_dump(exclude_none=True),
        version=payload.version,
        notify_customer=payload.notify_customer,
    )
    return _as_saved(request, moved)


@router.post("/{complaint_id}/departments", response={201: dict[str, Any]})
def ask_department(
    request: HttpRequest, complaint_id: ObjectId, payload: DepartmentAskIn
) -> Status[dict[str, Any]]:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    row = services.complaint_department_add(
        actor=request.user,
        complaint=complaint,
        department=payload.department,
        request=payload.request,
    )
    return Status(201, department_out(row))


@router.post("/{complaint_id}/departments/{department_id}/reply", response=dict[str, Any])
def reply_department(
    request: HttpRequest,
    complaint_id: ObjectId,
    department_id: ObjectId,
    payload: DepartmentReplyIn,
) -> dict[str, Any]:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    asked = complaint.departments.filter(department_id=department_id).first()
    if asked is None:
        raise NotFound(f"department {department_id} was not asked about complaint {complaint.pk}")
    row = services.complaint_department_reply(
        actor=request.user, request=asked, reply=payload.reply
    )
    return department_out(row)


@router.post("/{complaint_id}/notices", response={201: dict[str, Any]})
def send_notice(
    request: HttpRequest, complaint_id: ObjectId, payload: NoticeIn
) -> Status[dict[str, Any]]:
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    notice = services.complaint_notice_send(
        actor=request.user,
        complaint=complaint,
        kind=str(payload.kind),
        channel=None if payload.channel is None else str(payload.channel),
        body=payload.body,
        subject=payload.subject,
        progress=payload.progress,
    )
    if notice is None:  # the outbox refused it as a duplicate of a notice already queued
        raise Conflict("this notice is already queued", field="kind")
    return Status(201, notice_out(notice))


# -- improvement register ---------------------------------------------------------------------


@improvements_router.get("", response=dict[str, Any])
def list_improvements(request: HttpRequest, filters: Query[ImprovementQuery]) -> dict[str, Any]:
    rows = selectors.improvements(
        user=request.user, status="" if filters.status is None else str(filters.status)
    )
    start, size = _page(filters.page, filters.page_size)
    items = [improvement_out(row) for row in rows[start : start + size]]
    count, exact = bounded_count(rows)
    return {
        "items": items,
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": size,
    }


@improvements_router.post("", response={201: dict[str, Any]})
def create_improvement(
    request: HttpRequest, payload: ImprovementCreateIn
) -> Status[dict[str, Any]]:
    improvement = services.improvement_create(
        actor=request.user,
        problem=payload.problem,
        evidence=payload.evidence,
        action=payload.action,
        action_type=str(payload.action_type),
        owner=payload.owner,
        due=payload.due,
    )
    return Status(201, improvement_out(improvement))


@improvements_router.patch("/{improvement_id}", response=dict[str, Any])
def update_improvement(
    request: HttpRequest, improvement_id: ObjectId, payload: ImprovementUpdateIn
) -> dict[str, Any]:
    improvement = selectors.improvements(user=request.user).filter(pk=improvement_id).first()
    if improvement is None:
        raise NotFound(f"improvement {improvement_id} does not exist")
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    changes = {
        key: str(value) if key in ("action_type", "status") else value
        for key, value in changes.items()
    }
    updated = services.improvement_update(
        actor=request.user, improvement=improvement, version=version, changes=changes
    )
    return improvement_out(updated)
