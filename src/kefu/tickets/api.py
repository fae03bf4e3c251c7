"""Ticket endpoints: validate, call one service or selector, serialise."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from kefu.core.errors import InvalidInput
from kefu.core.pagination import bounded_count
from kefu.core.schemas import InputSchema, LocalDateTime, ObjectId
from kefu.core.timeutils import now
from kefu.customers.models import ContactChannel
from kefu.sla import selectors as sla_selectors
from kefu.sla.models import Clock, ClockState
from kefu.tickets import selectors, services
from kefu.tickets.models import HandlingClass, Priority, Ticket, TicketEvent, Urgency
from kefu.tickets.states import ALLOWED_TRANSITIONS, TicketStatus

router = Router(tags=["tickets"])

Text200 = Field(min_length=1, max_length=200)
Record = Field(default="", max_length=4000)


class TicketCreateIn(InputSchema):
    subject: str = Text200
    description: str = Field(default="", max_length=20_000)
    category: str = Field(
        min_length=1, max_length=64, description="category code, e.g. consult.product"
    )
    channel: ContactChannel
    customer_id: ObjectId | None = None
    handling_class: HandlingClass = HandlingClass.INSTANT
    urgency: Urgency = Urgency.NORMAL
    priority: Priority = Priority.B
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    department_id: ObjectId | None = None
    need_points: str = Record
    preferences: str = Record
    special_requirements: str = Record
    solution: str = Record
    customer_feedback: str = Record
    promised_at: LocalDateTime | None = None
    solution_owner_id: ObjectId | None = None


class TicketUpdateIn(InputSchema):
    version: int = Field(
        ge=1, description="the version you loaded; a stale one is refused with 409"
    )
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    category: str | None = Field(default=None, min_length=1, max_length=64)
    channel: ContactChannel | None = None
    customer_id: ObjectId | None = None
    handling_class: HandlingClass | None = None
    urgency: Urgency | None = None
    priority: Priority | None = None
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    department_id: ObjectId | None = None
    need_points: str | None = Field(default=None, max_length=4000)
    preferences: str | None = Field(default=None, max_length=4000)
    special_requirements: str | None = Field(default=None, max_length=4000)
    solution: str | None = Field(default=None, max_length=4000)
    customer_feedback: str | None = Field(default=None, max_length=4000)
    promised_at: LocalDateTime | None = None
    solution_owner_id: ObjectId | None = None


class TransitionIn(InputSchema):
    to: TicketStatus
    version: int = Field(
        ge=1, description="the version you loaded; a stale one is refused with 409"
    )
    reason: str = Field(default="", max_length=20_000)


class CommentIn(InputSchema):
    body: str = Field(min_length=1, max_length=20_000)
    public: bool = False
    notice: Literal["need_confirmation", "progress", "result", "rectification"] | None = Field(
        default=None, description="marks a public reply as a notice of the standard (HND-5/6/7)"
    )


class ListFilters(InputSchema):
    status: str | None = Field(default=None, description="one status or several, comma-separated")
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    department_id: ObjectId | None = None
    category: str | None = Field(default=None, max_length=64)
    customer_id: ObjectId | None = None
    q: str | None = Field(default=None, max_length=200)
    created_from: LocalDateTime | None = None
    created_to: LocalDateTime | None = None
    sort: str = "-updated_at"
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=200)


def _ref(obj: Any, *fields: str) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {field: getattr(obj, field) for field in fields}


def _user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": str(user)}


def ticket_out(ticket: Ticket, *, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": ticket.number,
        "status": ticket.status,
        "subject": ticket.subject,
        "channel": ticket.channel,
        "category": _ref(ticket.category, "code", "name", "root"),
        "handling_class": ticket.handling_class,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "customer": _ref(ticket.customer, "id", "name", "member_level", "tier"),
        "assignee": _user_ref(ticket.assignee),
        "team": _ref(ticket.team, "id", "name"),
        "department": _ref(ticket.department, "id", "code", "name"),
        "promised_at": ticket.promised_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": ticket.version,
    }
    if full:
        data |= {
            "description": ticket.description,
            "need_points": ticket.need_points,
            "preferences": ticket.preferences,
            "special_requirements": ticket.special_requirements,
            "solution": ticket.solution,
            "customer_feedback": ticket.customer_feedback,
            "solution_owner": _user_ref(ticket.solution_owner),
            "first_response_at": ticket.first_response_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            "cancelled_at": ticket.cancelled_at,
            "reopen_count": ticket.reopen_count,
            "allowed_transitions": sorted(ALLOWED_TRANSITIONS[ticket.status]),
        }
    return data


def event_out(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": _user_ref(event.actor),
        "body": event.body,
        "public": event.is_public,
        "data": event.data,
        "created_at": event.created_at,
    }


def _references(payload: dict[str, Any]) -> dict[str, Any]:
    """API names (``assignee_id``) to service names (``assignee``)."""
    return {key.removesuffix("_id"): value for key, value in payload.items()}


@router.post("", response={201: dict[str, Any]})
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> Status[dict[str, Any]]:
    data = _references(payload.model_dump())
    ticket = services.ticket_create(actor=request.user, **data)
    return Status(201, ticket_out(selectors.ticket_get(user=request.user, number=ticket.number)))


@router.get("", response=dict[str, Any])
def list_tickets(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    statuses = None
    if filters.status:
        statuses = [part.strip() for part in filters.status.split(",") if part.strip()]
        unknown = [status for status in statuses if status not in TicketStatus.values]
        if unknown:
            raise InvalidInput(f"unknown status {', '.join(unknown)}", field="status")
    tickets = selectors.ticket_list(
        user=request.user,
        filters=selectors.TicketFilters(
            status=statuses,
            assignee_id=filters.assignee_id,
            team_id=filters.team_id,
            department_id=filters.department_id,
            category=filters.category,
            customer_id=filters.customer_id,
            q=filters.q,
            created_from=filters.created_from,
            created_to=filters.created_to,
        ),
        sort=filters.sort,
    )
    size = min(filters.page_size, settings.KEFU_API_MAX_PAGE_SIZE)
    start = (filters.page - 1) * size
    items = [ticket_out(ticket, full=False) for ticket in tickets[start : start + size]]
    count, exact = bounded_count(tickets)
    return {
        "items": items,
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": size,
    }


@router.get("/{number}", response=dict[str, Any])
def get_ticket(request: HttpRequest, number: str) -> dict[str, Any]:
    return ticket_out(selectors.ticket_get(user=request.user, number=number))


@router.patch("/{number}", response=dict[str, Any])
def update_ticket(request: HttpRequest, number: str, payload: TicketUpdateIn) -> dict[str, Any]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    changes = _references(payload.model_dump(exclude_unset=True))
    version = changes.pop("version")
    updated = services.ticket_update(
        actor=request.user, ticket=ticket, version=version, changes=changes
    )
    # Built from the saved ticket: an edit may route it out of the editor's own view.
    return ticket_out(updated)


@router.post("/{number}/transitions", response=dict[str, Any])
def transition_ticket(request: HttpRequest, number: str, payload: TransitionIn) -> dict[str, Any]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    moved = services.ticket_transition(
        actor=request.user,
        ticket=ticket,
        to=payload.to,
        version=payload.version,
        reason=payload.reason,
    )
    return ticket_out(moved)


@router.post("/{number}/comments", response={201: dict[str, Any]})
def comment_ticket(request: HttpRequest, number: str, payload: CommentIn) -> Status[dict[str, Any]]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    event = services.ticket_comment(
        actor=request.user,
        ticket=ticket,
        body=payload.body,
        public=payload.public,
        notice=payload.notice,
    )
    return Status(201, event_out(event))


class ReplyIn(InputSchema):
    # Empty text is refused by the service, which names the field (422, field "body").
    body: str = Field(max_length=20_000)


@router.post("/{number}/replies", response={201: dict[str, Any]})
def reply_ticket(request: HttpRequest, number: str, payload: ReplyIn) -> Status[dict[str, Any]]:
    """A public reply: on the timeline, and to the customer on the ticket's channel (TEC-7).

    ``delivery`` says whether it was queued to the customer, on which channel, and if not why
    (a phone ticket, a customer without an address); ``email`` details an e-mail reply.
    """
    from kefu.channels.email.selectors import email_reply_of_event
    from kefu.channels.replies import reply_delivery_of

    ticket = selectors.ticket_get(user=request.user, number=number)
    event = services.ticket_comment(
        actor=request.user, ticket=ticket, body=payload.body, public=True
    )
    sent = email_reply_of_event(event_id=event.pk)
    email = None
    if sent is not None:
        email = {
            "id": sent.pk,
            "message_id": sent.external_id,
            "subject": sent.subject,
            "status": sent.status,
            "outbound_id": sent.outbound_id,
        }
    delivery = reply_delivery_of(event)
    return Status(
        201,
        {
            "event": event_out(event),
            "email": email,
            "delivery": delivery.as_dict() if delivery is not None else None,
        },
    )


def clock_out(clock: Clock, moment: dt.datetime) -> dict[str, Any]:
    state = sla_selectors.live_state(clock, moment)
    return {
        "milestone": clock.milestone,
        "title": clock.title,
        "standard": clock.rule,
        "profile_version": clock.profile_version.number,
        "target": clock.target,
        "calendar": clock.calendar,
        "cycle": clock.cycle,
        "state": state,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warn_at": clock.warn_at,
        "paused_seconds": round(clock.paused_seconds, 1),
        "met_at": clock.met_at,
        "breached_at": clock.breached_at
        or (clock.due_at if state == ClockState.BREACHED else None),
    }


@router.get("/{number}/clocks", response=dict[str, Any])
def ticket_clocks(request: HttpRequest, number: str) -> dict[str, Any]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    moment = now()
    clocks = sla_selectors.ticket_clocks(ticket=ticket)
    return {"items": [clock_out(clock, moment) for clock in clocks]}


@router.get("/{number}/events", response=dict[str, Any])
def ticket_timeline(request: HttpRequest, number: str) -> dict[str, Any]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    return {"items": [event_out(event) for event in selectors.ticket_events(ticket=ticket)]}


@router.post("/{number}/attachments", response={201: dict[str, Any]})
def attach_file(
    request: HttpRequest, number: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    ticket = selectors.ticket_get(user=request.user, number=number)
    if file.size is not None and file.size > settings.KEFU_ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            f"the file is larger than {settings.KEFU_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MiB",
            field="file",
        )
    attachment = services.ticket_attachment_add(
        actor=request.user,
        ticket=ticket,
        filename=file.name or "attachment",
        content=file.read(),
        content_type=file.content_type or "",
    )
    return Status(
        201,
        {
            "id": attachment.pk,
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
            "created_at": attachment.created_at,
        },
    )


@router.get("/{number}/attachments/{attachment_id}")
def download_attachment(request: HttpRequest, number: str, attachment_id: ObjectId) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    attachment = selectors.ticket_attachment_get(ticket=ticket, attachment_id=attachment_id)
    content = selectors.ticket_attachment_content(attachment=attachment)
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(attachment.filename, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
