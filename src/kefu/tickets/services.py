"""Every write on tickets: create, edit, transition, comment, attach. Atomic, audited, guarded."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext

from kefu.accounts.models import Department, Team, User
from kefu.assist.classification_tasks import suggest_after_commit
from kefu.audit.services import audit_record, changed_fields, model_snapshot
from kefu.core.caching import ttl_cache
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleVersion
from kefu.core.files import encrypted_file_write
from kefu.core.state_machine import check_transition
from kefu.core.timeutils import now
from kefu.customers.models import ContactChannel, Customer
from kefu.quality.tasks import ticket_check_after_commit
from kefu.sla.services import TicketChange, sla_ticket_event
from kefu.tickets.models import (
    Category,
    CategoryRoot,
    HandlingClass,
    Priority,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketEventKind,
    Urgency,
)
from kefu.tickets.numbering import ticket_number_next
from kefu.tickets.selectors import ticket_is_visible
from kefu.tickets.states import ALLOWED_TRANSITIONS, STATUS_LABELS, TicketStatus

TEXT_LIMITS = {
    "subject": 200,
    "description": 20_000,
    "need_points": 4_000,
    "preferences": 4_000,
    "special_requirements": 4_000,
    "solution": 4_000,
    "customer_feedback": 4_000,
}
CHOICE_FIELDS = {
    "channel": ContactChannel,
    "handling_class": HandlingClass,
    "urgency": Urgency,
    "priority": Priority,
}
REFERENCE_FIELDS = ("customer", "category", "assignee", "team", "department", "solution_owner")
EDITABLE_FIELDS = frozenset([*TEXT_LIMITS, *CHOICE_FIELDS, *REFERENCE_FIELDS, "promised_at"])
ROUTING_FIELDS = ("assignee", "team", "department")
AUDIT_FIELDS = sorted(EDITABLE_FIELDS | {"status", "number", "version"})
COMMENT_LIMIT = 20_000
# Customer notices of the standard that a public reply can carry (HND-5…7, CMP-2, CMP-4).
NOTICE_KINDS = ("need_confirmation", "progress", "plan", "result", "rectification")

# A plain type/subtype: anything else (parameters, CR/LF, NUL) is replaced by a guess.
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}$")
_UNSAFE_FILENAME = re.compile(r"[^\w.\- ()\u4e00-\u9fff]+")


def _require_permission(actor: Any, perm: str, message: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(message)


def _require_visible(actor: Any, ticket: Ticket) -> None:
    if actor is not None and not ticket_is_visible(actor, ticket):
        raise NotFound(f"ticket {ticket.number} does not exist or is not visible to you")


@ttl_cache(1.0)
def _category_by_code(code: str) -> Category | None:
    """Categories are configuration read for every new ticket: re-read at most once a second."""
    return Category.objects.filter(code=code).first()


def _resolve_reference(field: str, value: Any) -> Any:
    """Accept a model instance, a primary key, or (for categories) a code; None clears."""
    if value is None or value == "":
        if field == "category":
            raise InvalidInput("a ticket needs a category", field="category")
        return None
    model: type[Any] = {
        "customer": Customer,
        "category": Category,
        "assignee": User,
        "solution_owner": User,
        "team": Team,
        "department": Department,
    }[field]
    if isinstance(value, model):
        instance = value
    else:
        lookup: dict[str, Any]
        if field == "category" and isinstance(value, str) and not value.isdigit():
            category = _category_by_code(value)
            if category is None:
                raise InvalidInput(f"category {value!r} does not exist", field="category")
            if not category.is_active:
                raise InvalidInput(f"category {category} is inactive", field="category")
            return category
        else:
            try:
                lookup = {"pk": int(value)}
            except (TypeError, ValueError):
                raise InvalidInput(f"{field} must be an id, not {value!r}", field=field) from None
        try:
            instance = model._default_manager.get(**lookup)
        except model.DoesNotExist:
            raise InvalidInput(f"{field} {value!r} does not exist", field=field) from None
    if getattr(instance, "is_active", True) is False:
        raise InvalidInput(f"{field} {instance} is inactive", field=field)
    return instance


def _clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise InvalidInput(f"{field!r} cannot be set on a ticket", field=field)
        if field in TEXT_LIMITS:
            text = "" if value is None else str(value)
            if field == "subject":
                text = text.strip()
                if not text:
                    raise InvalidInput("a ticket needs a subject", field=field)
            if len(text) > TEXT_LIMITS[field]:
                raise InvalidInput(
                    f"{field} is longer than {TEXT_LIMITS[field]} characters", field=field
                )
            cleaned[field] = text
        elif field in CHOICE_FIELDS:
            choices = CHOICE_FIELDS[field]
            if value not in choices.values:
                raise InvalidInput(
                    f"unknown {field} {value!r}; one of {', '.join(choices.values)}", field=field
                )
            cleaned[field] = value
        elif field == "promised_at":
            if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
                raise InvalidInput("promised_at must be a date-time with a time zone", field=field)
            cleaned[field] = value
        else:
            cleaned[field] = _resolve_reference(field, value)
    return cleaned


def _event(
    ticket: Ticket,
    *,
    kind: str,
    actor: Any,
    moment: dt.datetime,
    body: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        body=body,
        is_public=is_public,
        data=data or {},
        created_at=moment,
    )


def _record_complete_values(values: Mapping[str, Any]) -> bool:
    """CLS-3: the ticket record holds the problem (need points) and the solution."""
    return bool(
        str(values.get("need_points") or "").strip() and str(values.get("solution") or "").strip()
    )


def _record_complete(ticket: Ticket) -> bool:
    return _record_complete_values({"need_points": ticket.need_points, "solution": ticket.solution})


def _check_status_invariants(ticket: Ticket) -> None:
    """What a ticket in its status must keep holding, whichever service changed it."""
    if (
        ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        and not ticket.solution.strip()
    ):
        raise Conflict(
            f"a {STATUS_LABELS[ticket.status]} ticket keeps its solution (CLS-3); it cannot be emptied",
            field="solution",
        )
    if ticket.status == TicketStatus.PENDING_DEPARTMENT and ticket.department_id is None:
        raise Conflict(
            "a ticket waiting on a department stays routed to one (ORG-2); move it to another "
            "status before removing the department",
            field="department",
        )


def _locked(ticket: Ticket) -> Ticket:
    """The stored row, locked for the rest of the transaction (PostgreSQL; SQLite serialises)."""
    fresh = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "customer", "assignee", "team", "department", "solution_owner")
        .filter(pk=ticket.pk)
        .first()
    )
    if fresh is None:
        raise NotFound(f"ticket {ticket.number} does not exist")
    return fresh


def _check_version(ticket: Ticket, expected: int | None) -> None:
    if expected is not None and expected != ticket.version:
        raise StaleVersion(
            f"ticket {ticket.number} was changed by someone else since you loaded it "
            f"(your version {expected}, current {ticket.version}); reload and try again",
            field="version",
        )


def ticket_create(
    *,
    actor: Any,
    subject: str,
    category: Any,
    channel: str,
    customer: Any = None,
    description: str = "",
    handling_class: str = HandlingClass.INSTANT,
    urgency: str = Urgency.NORMAL,
    priority: str = Priority.B,
    assignee: Any = None,
    team: Any = None,
    department: Any = None,
    need_points: str = "",
    preferences: str = "",
    special_requirements: str = "",
    solution: str = "",
    customer_feedback: str = "",
    promised_at: dt.datetime | None = None,
    solution_owner: Any = None,
) -> Ticket:
    """Open a ticket (status new) with its first timeline event; the number is taken here."""
    _require_permission(actor, "tickets.add_ticket", "your role may not create tickets")
    values = _clean_changes(
        {
            "subject": subject,
            "category": category,
            "channel": channel,
            "customer": customer,
            "description": description,
            "handling_class": handling_class,
            "urgency": urgency,
            "priority": priority,
            "assignee": assignee,
            "team": team,
            "department": department,
            "need_points": need_points,
            "preferences": preferences,
            "special_requirements": special_requirements,
            "solution": solution,
            "customer_feedback": customer_feedback,
            "promised_at": promised_at,
            "solution_owner": solution_owner,
        }
    )
    if values["team"] is None and values["assignee"] is not None:
        values["team"] = values["assignee"].team
    if values["team"] is None and getattr(actor, "team_id", None):
        values["team"] = actor.team
    moment = now()
    number = None
    if not connection.in_atomic_block:
        # Everything is validated; the number is taken in its own short transaction so that
        # concurrent creators hold the day's counter row for one statement, not for the whole
        # creation. A creation that then fails leaves a gap in the day's numbers (never a
        # duplicate); see ``kefu.tickets.numbering``.
        with transaction.atomic():
            number = ticket_number_next(moment)
    with transaction.atomic():
        return _ticket_write(actor, values, moment, number)


def _ticket_write(
    actor: Any, values: dict[str, Any], moment: dt.datetime, number: str | None
) -> Ticket:
    """The rows of a new ticket; ``number`` is None when called inside a caller's transaction."""
    ticket = Ticket.objects.create(
        # Inside a caller's transaction the number is taken last, so the counter row stays
        # locked only from then to the commit; a unique placeholder stands in until then.
        number=number or f"~{uuid.uuid4().hex[:19]}",
        status=TicketStatus.NEW,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=moment,
        updated_at=moment,
        **values,
    )
    _event(
        ticket,
        kind=TicketEventKind.CREATED,
        actor=actor,
        moment=moment,
        data={"channel": ticket.channel},
    )
    sla_ticket_event(ticket=ticket, change=TicketChange("created", moment))
    if _record_complete(ticket):
        sla_ticket_event(ticket=ticket, change=TicketChange("record", moment))
    if number is None:
        ticket.number = ticket_number_next(moment)
        Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    audit_record(
        actor=actor, verb="ticket.create", target=ticket, after=model_snapshot(ticket, AUDIT_FIELDS)
    )
    suggest_after_commit(ticket_id=ticket.pk)  # TEC-4: category and urgency suggested
    return ticket


def _check_complaint_category(ticket: Ticket) -> None:
    """A registered complaint's ticket stays in the complaint tree; its node is the type."""
    from kefu.complaints.models import Complaint

    complaint = Complaint.objects.filter(ticket_id=ticket.pk).first()
    if complaint is None:
        return
    if ticket.category.root != CategoryRoot.COMPLAINT or ticket.category.parent_id is None:
        raise Conflict(
            f"ticket {ticket.number} is a registered complaint: its category is a complaint "
            "type; withdraw the complaint if it is none",
            field="category",
        )
    Complaint.objects.filter(pk=complaint.pk).update(type=ticket.category)


@transaction.atomic
def ticket_update(
    *, actor: Any, ticket: Ticket, version: int | None, changes: Mapping[str, Any]
) -> Ticket:
    """Edit fields (service record, routing, classification); stale versions are refused."""
    _require_permission(actor, "tickets.change_ticket", "your role may not edit tickets")
    cleaned = _clean_changes(changes)
    current = _locked(ticket)
    _require_visible(actor, current)
    _check_version(current, version)
    if current.status == TicketStatus.CANCELLED:
        raise Conflict(f"ticket {current.number} is cancelled and cannot be edited")
    before = model_snapshot(current, AUDIT_FIELDS)
    for field, value in cleaned.items():
        setattr(current, field, value)
    old, new = changed_fields(before, model_snapshot(current, AUDIT_FIELDS))
    if not new:
        return current
    _check_status_invariants(current)
    moment = now()
    if "category" in new:
        _check_complaint_category(current)
    current.version += 1
    current.updated_at = moment
    current.save()
    if "category" in new:
        # Clocks that no longer apply end; a ticket moved into the complaint tree is a
        # complaint received now (CMP-1).
        sla_ticket_event(ticket=current, change=TicketChange("reclassified", moment))
    if "department" in new and new["department"] is not None:
        sla_ticket_event(ticket=current, change=TicketChange("routed", moment))  # ORG-2, HND-2
    if _record_complete(current) and not _record_complete_values(before):
        sla_ticket_event(ticket=current, change=TicketChange("record", moment))  # CLS-3
    routing = {key: [old[key], new[key]] for key in ROUTING_FIELDS if key in new}

    others = {key: [old[key], new[key]] for key in new if key not in ROUTING_FIELDS}
    if routing:
        _event(
            current,
            kind=TicketEventKind.ASSIGNMENT,
            actor=actor,
            moment=moment,
            data={"changes": routing},
        )
    if others:
        _event(
            current,
            kind=TicketEventKind.FIELD_CHANGE,
            actor=actor,
            moment=moment,
            data={"changes": others},
        )
    new["version"] = current.version
    old["version"] = current.version - 1
    audit_record(actor=actor, verb="ticket.update", target=current, before=old, after=new)
    return current


COMPLAINT_OWNED_TARGETS = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED}
)


def _has_complaint(ticket: Ticket) -> bool:
    from kefu.complaints.models import Complaint

    return Complaint.objects.filter(ticket_id=ticket.pk).exists()


def _check_complaint_move(ticket: Ticket, source: str, to: str) -> None:
    """A complaint ticket moves with its complaint's stages; an unregistered one in the
    complaint tree is registered (CMP-1) before it can be solved."""
    reopening = to == TicketStatus.OPEN and source in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    if to not in COMPLAINT_OWNED_TARGETS and not reopening:
        return
    if _has_complaint(ticket):
        raise Conflict(
            f"ticket {ticket.number} is a complaint: it is solved, closed, withdrawn or "
            "reopened on its complaint page, stage by stage (CMP-3, CMP-4)",
            field="to",
        )
    if to in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and (
        ticket.category.root == CategoryRoot.COMPLAINT
    ):
        raise Conflict(
            f"ticket {ticket.number} is in the complaint category: register it as a complaint "
            "first (CMP-1), or move it to another category if it is none",
            field="to",
        )


@transaction.atomic
def ticket_transition(
    *,
    actor: Any,
    ticket: Ticket,
    to: str,
    version: int | None = None,
    reason: str = "",
    via_complaint: bool = False,
) -> Ticket:
    """Move a ticket along the state machine; anything off the map is a 409 with the reason.

    A complaint ticket is solved, closed, withdrawn and reopened by its complaint's stages
    (CMP-3, CMP-4), which call this with ``via_complaint``; directly those moves are refused.
    """
    _require_permission(actor, "tickets.change_ticket", "your role may not change tickets")
    if len(reason) > COMMENT_LIMIT:
        raise InvalidInput(f"reason is longer than {COMMENT_LIMIT} characters", field="reason")
    current = _locked(ticket)
    _require_visible(actor, current)
    _check_version(current, version)
    source = current.status
    check_transition(
        allowed=ALLOWED_TRANSITIONS, current=source, target=to, labels=STATUS_LABELS, noun="ticket"
    )
    moment = now()
    if not via_complaint:
        _check_complaint_move(current, source, to)
    if to == TicketStatus.CANCELLED and not via_complaint:
        _require_permission(
            actor, "tickets.cancel_ticket", "only team leads and managers may cancel a ticket"
        )
    if to == TicketStatus.RESOLVED and not current.solution.strip():
        raise Conflict(
            "a ticket is resolved only with its solution recorded (CLS-3); "
            "fill in the solution first",
            field="solution",
        )
    if to == TicketStatus.PENDING_DEPARTMENT and current.department_id is None:
        raise Conflict(
            "route the ticket to a department before waiting on it (ORG-2)", field="department"
        )
    # A complaint reopens whenever the customer comes back about it (its stage map decides).
    if source == TicketStatus.CLOSED and to == TicketStatus.OPEN and not via_complaint:
        window = dt.timedelta(days=settings.KEFU_TICKET_REOPEN_WINDOW_DAYS)
        if current.closed_at is not None and moment - current.closed_at > window:
            raise Conflict(
                f"ticket {current.number} was closed more than "
                f"{settings.KEFU_TICKET_REOPEN_WINDOW_DAYS} days ago and cannot be reopened; "
                "open a new ticket instead",
                field="to",
            )
    current.status = to
    if to == TicketStatus.RESOLVED:
        current.resolved_at = moment
    elif to == TicketStatus.CLOSED:
        current.closed_at = moment
    elif to == TicketStatus.CANCELLED:
        current.cancelled_at = moment
    elif to == TicketStatus.OPEN and source in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        current.reopen_count += 1
        current.resolved_at = None
        current.closed_at = None
    current.version += 1
    current.updated_at = moment
    current.save()
    _event(
        current,
        kind=TicketEventKind.STATUS_CHANGE,
        actor=actor,
        moment=moment,
        body=reason,
        data={"from": source, "to": to},
    )
    audit_record(
        actor=actor,
        verb="ticket.transition",
        target=current,
        before={"status": source, "version": current.version - 1},
        after={"status": to, "version": current.version, "reason": reason},
    )
    change = TicketChange("status", moment, status_from=source, status_to=to)
    sla_ticket_event(ticket=current, change=change)
    if to == TicketStatus.RESOLVED:
        ticket_check_after_commit(current.pk)  # QA-3: a ticket handled in writing is checked
    return current


@transaction.atomic
def ticket_comment(
    *, actor: Any, ticket: Ticket, body: str, public: bool, notice: str | None = None
) -> TicketEvent:
    """Add a public reply (to the customer) or an internal note to the timeline.

    ``notice`` marks a public reply as one of the customer notices the standard requires
    (HND-5 need confirmation, HND-6 progress, HND-7 result), which stops that notice's clock.
    """
    _require_permission(actor, "tickets.change_ticket", "your role may not comment on tickets")
    if notice is not None and (not public or notice not in NOTICE_KINDS):
        raise InvalidInput(
            f"notice must be one of {', '.join(NOTICE_KINDS)} on a public reply", field="notice"
        )
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the comment is empty", field="body")
    if len(text) > COMMENT_LIMIT:
        raise InvalidInput(f"the comment is longer than {COMMENT_LIMIT} characters", field="body")
    current = _locked(ticket)
    _require_visible(actor, current)
    if current.status == TicketStatus.CANCELLED:
        raise Conflict(f"ticket {current.number} is cancelled")
    moment = now()
    kind = TicketEventKind.REPLY if public else TicketEventKind.NOTE
    data = {"notice": notice} if notice else {}
    event = _event(
        current, kind=kind, actor=actor, moment=moment, body=text, is_public=public, data=data
    )
    fields = ["updated_at", "version"]
    first = public and current.first_response_at is None
    if first:
        current.first_response_at = moment  # HND-3 measures the first response
        fields.append("first_response_at")
    current.version += 1
    current.updated_at = moment
    current.save(update_fields=fields)
    audit_record(
        actor=actor,
        verb="ticket.reply" if public else "ticket.note",
        target=current,
        after={
            "event": event.pk,
            "length": len(text),
            "version": current.version,
            "notice": notice,
        },
    )
    if public:
        change = TicketChange("public_reply", moment, first_public_reply=first, notice=notice)
        sla_ticket_event(ticket=current, change=change)
        from kefu.channels.replies import ticket_reply_deliver

        ticket_reply_deliver(ticket=current, event=event)
    return event


def ticket_accepts_customer_message(ticket: Ticket) -> bool:
    """Whether a customer's new message belongs on this ticket rather than on a new one.

    Open tickets take it; a resolved ticket and a ticket closed inside the reopen window take
    it and reopen; a cancelled ticket or one closed longer ago does not (the channel opens a
    new ticket instead).
    """
    if ticket.status == TicketStatus.CANCELLED:
        return False
    if ticket.status == TicketStatus.CLOSED:
        window = dt.timedelta(days=settings.KEFU_TICKET_REOPEN_WINDOW_DAYS)
        return ticket.closed_at is not None and now() - ticket.closed_at <= window
    return True


@transaction.atomic
def ticket_customer_message(
    *, ticket: Ticket, body: str, channel: str, data: Mapping[str, Any] | None = None
) -> TicketEvent:
    """Put a message the customer sent (e-mail, SMS, WeChat, portal) on the ticket's timeline.

    The customer is not a user, so the event has no actor. A ticket waiting on the customer
    goes back to in progress; a resolved or recently closed ticket reopens (a complaint ticket
    stays where its complaint's stages put it). The assignee is notified. Raises Conflict when the ticket no longer takes messages (see
    ``ticket_accepts_customer_message``).
    """
    text = (body or "").strip() or "(no text)"
    if len(text) > COMMENT_LIMIT:
        text = text[: COMMENT_LIMIT - 1] + "…"
    current = _locked(ticket)
    if not ticket_accepts_customer_message(current):
        raise Conflict(f"ticket {current.number} no longer takes messages; open a new ticket")
    moment = now()
    event = _event(
        current,
        kind=TicketEventKind.CUSTOMER_MESSAGE,
        actor=None,
        moment=moment,
        body=text,
        is_public=True,
        data={"channel": channel, **(data or {})},
    )
    current.version += 1
    current.updated_at = moment
    current.save(update_fields=["updated_at", "version"])
    audit_record(
        actor=None,
        verb="ticket.customer_message",
        target=current,
        after={"event": event.pk, "channel": channel, "length": len(text)},
    )
    back_to_work = {
        TicketStatus.PENDING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    }
    if current.status in back_to_work and not _has_complaint(current):
        ticket_transition(
            actor=None,
            ticket=current,
            to=TicketStatus.OPEN,
            reason=gettext("The customer wrote again."),
        )
    from kefu.notify.services import notify_users

    notify_users(
        recipients=[current.assignee],
        kind="ticket.customer_message",
        title=gettext("Customer wrote on ticket %(number)s") % {"number": current.number},
        body=text[:500],
        ticket=current,
    )
    return event


def _safe_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip()
    cleaned = _UNSAFE_FILENAME.sub("_", base).strip(" .")
    return cleaned[:200] or "attachment"


@transaction.atomic
def ticket_attachment_add(
    *, actor: Any, ticket: Ticket, filename: str, content: bytes, content_type: str = ""
) -> TicketAttachment:
    """Store a file encrypted under the data dir and add it to the timeline."""
    _require_permission(actor, "tickets.change_ticket", "your role may not attach files")
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    if not content:
        raise InvalidInput("the file is empty", field="file")
    if len(content) > limit:
        raise InvalidInput(f"the file is larger than {limit // (1024 * 1024)} MiB", field="file")
    current = _locked(ticket)
    _require_visible(actor, current)
    if current.status == TicketStatus.CANCELLED:
        raise Conflict(f"ticket {current.number} is cancelled")
    safe_name = _safe_filename(filename)
    declared = (content_type or "").strip().lower()
    kind = (
        declared
        if _CONTENT_TYPE.fullmatch(declared)
        else mimetypes.guess_type(safe_name)[0] or "application/octet-stream"
    )

    moment = now()
    storage_name, path = encrypted_file_write("attachments", content, moment)
    try:
        event = _event(
            current,
            kind=TicketEventKind.ATTACHMENT,
            actor=actor,
            moment=moment,
            body=safe_name,
            data={"size": len(content), "content_type": kind},
        )
        attachment = TicketAttachment.objects.create(
            ticket=current,
            event=event,
            filename=safe_name,
            content_type=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            storage_name=storage_name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            created_at=moment,
        )
        current.version += 1
        current.updated_at = moment
        current.save(update_fields=["updated_at", "version"])
        audit_record(
            actor=actor,
            verb="ticket.attach",
            target=current,
            after={"attachment": attachment.pk, "filename": safe_name, "size": len(content)},
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment


def ticket_notice_record(
    *,
    actor: Any,
    ticket: Ticket,
    notice: str,
    channel: str,
    moment: dt.datetime,
    delivered: bool,
    body: str = "",
    data: Mapping[str, Any] | None = None,
) -> TicketEvent:
    """Put a customer notice on the timeline: when queued, and again when it reached the channel.

    Delivery counts as a public reply (HND-3 first response, HND-6 progress) and stops the
    clock that waits for this notice (HND-5, HND-7, CMP-2, CMP-4). Call inside a transaction.
    """
    current = _locked(ticket)
    event = _event(
        current,
        kind=TicketEventKind.NOTICE,
        actor=actor,
        moment=moment,
        body=body,
        is_public=True,
        data={**(data or {}), "notice": notice, "channel": channel, "delivered": delivered},
    )
    if not delivered:
        Ticket.objects.filter(pk=current.pk, updated_at__lt=moment).update(updated_at=moment)
        return event
    fields = ["updated_at", "version"]
    first = current.first_response_at is None
    if first:
        current.first_response_at = moment
        fields.append("first_response_at")
    current.version += 1
    current.updated_at = max(moment, current.updated_at)
    current.save(update_fields=fields)
    change = TicketChange("public_reply", moment, first_public_reply=first, notice=notice)
    sla_ticket_event(ticket=current, change=change)
    return event
