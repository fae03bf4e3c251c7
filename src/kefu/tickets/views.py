"""Agent workspace pages for tickets: queues, the ticket page and its actions, new tickets.

Views are thin: forms validate, services write, selectors read. A service refusal (bad input,
a state the machine does not allow, somebody else's newer edit) becomes a message on the page,
never a 500 and never a silent overwrite.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Department, Team, User
from kefu.accounts.selectors import user_has_role, user_may_see_unmasked_pii
from kefu.complaints.models import Complaint
from kefu.complaints.stages import ComplaintStage
from kefu.core.errors import KefuError, NotFound, StaleVersion
from kefu.core.timeutils import now
from kefu.core.web import explain
from kefu.customers.models import ContactChannel
from kefu.customers.selectors import customer_identities, customer_queryset
from kefu.customers.services import customer_find_or_create
from kefu.notify.models import NoticeKind, OutboundChannel
from kefu.quality.selectors import ticket_auto_check_shown
from kefu.sla.selectors import next_due_by_ticket, ticket_clocks
from kefu.sla.views import clock_rows
from kefu.tickets import services
from kefu.tickets.forms import (
    RECORD_FIELDS,
    ROUTING_FIELDS,
    CommentForm,
    QueueFilterForm,
    RecordForm,
    RoutingForm,
    TicketCreateForm,
    TransitionForm,
)
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.queues import (
    QUEUE_LABELS,
    Queue,
    queue_counts,
    queue_get,
    queue_rows,
    queue_tickets,
    user_queues,
)
from kefu.tickets.saved_filters import (
    filter_query,
    saved_filter_delete,
    saved_filter_list,
    saved_filter_save,
)
from kefu.tickets.selectors import (
    SORT_FIELDS,
    TICKET_NUMBER,
    TicketFilters,
    ticket_events,
    ticket_get,
    visible_tickets,
)
from kefu.tickets.services import COMPLAINT_OWNED_TARGETS
from kefu.tickets.states import ALLOWED_TRANSITIONS, OPEN_STATUSES, TicketStatus

PAGE_SIZE = 25
# Paging goes 10,000 rows deep; further than that, filters find a ticket faster.
MAX_PAGE = 400
HISTORY_SIZE = 10

# What a transition button says (the state machine decides which buttons exist).
TRANSITION_VERBS: dict[str, Any] = {
    TicketStatus.OPEN: gettext_lazy("Start work"),
    TicketStatus.PENDING_CUSTOMER: gettext_lazy("Wait for customer"),
    TicketStatus.PENDING_DEPARTMENT: gettext_lazy("Wait for department"),
    TicketStatus.RESOLVED: gettext_lazy("Resolve"),
    TicketStatus.CLOSED: gettext_lazy("Close"),
    TicketStatus.CANCELLED: gettext_lazy("Cancel ticket"),
}
REOPEN_VERB = gettext_lazy("Reopen")


def _refusal(request: HttpRequest, error: KefuError) -> None:
    messages.error(request, explain(error))


# -- queues -----------------------------------------------------------------------------------


def _queue_context(request: HttpRequest, queue: Queue) -> dict[str, Any]:
    form = QueueFilterForm(request.GET or None)
    filters = TicketFilters()
    sort = "-updated_at"
    if form.is_bound and form.is_valid():
        filters = form.ticket_filters(timezone.get_current_timezone())
        sort = form.cleaned_data.get("sort") or sort
    sort = sort if sort in SORT_FIELDS else "-updated_at"
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    # One row more than the page tells whether a next page exists without counting the queue.
    rows = queue_rows(request.user, queue, filters, sort=sort, start=start, count=PAGE_SIZE + 1)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    due = next_due_by_ticket(ticket.pk for ticket in rows)
    counts = queue_counts(request.user)
    query = filter_query(request.GET.urlencode())
    # What the live refresh compares: the rows on this page and every queue's count.
    fingerprint = hashlib.sha1(
        (
            "|".join(f"{t.pk}:{t.version}:{t.updated_at.timestamp()}" for t in rows)
            + repr(sorted(counts.items()))
        ).encode()
    ).hexdigest()[:16]
    return {
        "queue": queue,
        "queues": user_queues(request.user),
        "counts": counts,
        "form": form,
        "rows": [{"ticket": ticket, "due": due.get(ticket.pk)} for ticket in rows],
        "page": number,
        "has_next": has_next,
        "has_previous": number > 1,
        "query": query,
        "fingerprint": fingerprint,
        "saved_filters": saved_filter_list(user=request.user),
        "now": now(),
    }


def _page_links(context: dict[str, Any]) -> dict[str, str]:
    query = QueryDict(context["query"], mutable=True)
    links = {}
    if context["has_previous"]:
        query["page"] = str(context["page"] - 1)
        links["previous"] = query.urlencode()
    if context["has_next"]:
        query["page"] = str(context["page"] + 1)
        links["next"] = query.urlencode()
    return links


@login_required
@require_GET
def queue_page(request: HttpRequest, key: str) -> HttpResponse:
    try:
        queue = queue_get(request.user, key)
    except NotFound:
        raise Http404(_("There is no such queue for you.")) from None
    context = _queue_context(request, queue)
    context["links"] = _page_links(context)
    htmx = bool(getattr(request, "htmx", False))
    if htmx and request.GET.get("fp") == context["fingerprint"]:
        return HttpResponse(status=204)  # nothing changed: HTMX keeps the page as it is
    # A live refresh also replaces the queue counts in the side bar (an out-of-band swap).
    context["oob"] = htmx
    template = "tickets/_queue_rows.html" if htmx else "tickets/queue.html"
    return render(request, template, context)


@login_required
@require_GET
def queue_next(request: HttpRequest, key: str) -> HttpResponse:
    """The ticket after ``current`` in the queue's order (keyboard shortcut n)."""
    try:
        queue = queue_get(request.user, key)
    except NotFound:
        raise Http404(_("There is no such queue for you.")) from None
    tickets = queue_tickets(request.user, queue, TicketFilters())
    number = request.GET.get("current", "")
    current = (
        visible_tickets(request.user).filter(number=number).first()
        if TICKET_NUMBER.fullmatch(number)
        else None
    )
    if current is not None:
        tickets = tickets.filter(
            Q(updated_at__lt=current.updated_at)
            | Q(updated_at=current.updated_at, id__lt=current.pk)
        )
    following = tickets.first()
    if following is None:
        messages.info(request, _("No more tickets in this queue."))
        return redirect("queue", key=key)
    return redirect(f"{reverse('ticket-page', args=[following.number])}?queue={key}")


@login_required
@require_POST
def saved_filter_create(request: HttpRequest, key: str) -> HttpResponse:
    try:
        queue_get(request.user, key)
    except NotFound:
        raise Http404(_("There is no such queue for you.")) from None
    try:
        saved_filter_save(
            actor=request.user,
            name=request.POST.get("name", ""),
            queue=key,
            query=request.POST.get("query", ""),
        )
    except KefuError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Filter saved."))
    return redirect(f"{reverse('queue', args=[key])}?{filter_query(request.POST.get('query', ''))}")


@login_required
@require_POST
def saved_filter_remove(request: HttpRequest, filter_id: int) -> HttpResponse:
    try:
        saved_filter_delete(actor=request.user, filter_id=filter_id)
    except KefuError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Filter deleted."))
    queue = request.POST.get("queue", "")
    return redirect("queue", key=queue if queue in QUEUE_LABELS else "mine")


# -- the ticket page --------------------------------------------------------------------------


def _queue_key(request: HttpRequest) -> str:
    key = request.GET.get("queue", "")
    return key if key in QUEUE_LABELS else "mine"


def _ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return ticket_get(user=request.user, number=number)
    except NotFound:
        raise Http404(_("This ticket does not exist or is not visible to you.")) from None


def _transitions(request: HttpRequest, ticket: Ticket) -> list[dict[str, Any]]:
    buttons = []
    # A complaint is solved, closed, withdrawn and reopened on its complaint page (CMP-3).
    owned = _complaint_id(ticket) is not None
    # The main action first, the destructive one last (and set apart in the template).
    order = [
        TicketStatus.RESOLVED,
        TicketStatus.OPEN,
        TicketStatus.PENDING_CUSTOMER,
        TicketStatus.PENDING_DEPARTMENT,
        TicketStatus.CLOSED,
        TicketStatus.CANCELLED,
    ]
    for target in [status for status in order if status in ALLOWED_TRANSITIONS[ticket.status]]:
        if target == TicketStatus.CANCELLED and not request.user.has_perm("tickets.cancel_ticket"):
            continue
        if owned and (
            target in COMPLAINT_OWNED_TARGETS
            or (target == TicketStatus.OPEN and ticket.status not in OPEN_STATUSES)
        ):
            continue
        label = (
            REOPEN_VERB
            if target == TicketStatus.OPEN
            and ticket.status
            in (
                TicketStatus.RESOLVED,
                TicketStatus.CLOSED,
            )
            else TRANSITION_VERBS[target]
        )
        buttons.append({"to": target, "label": label, "primary": target == TicketStatus.RESOLVED})
    return buttons


def _completeness(ticket: Ticket) -> dict[str, Any]:
    filled = [field for field in RECORD_FIELDS if str(getattr(ticket, field) or "").strip()]
    return {
        "filled": len(filled),
        "total": len(RECORD_FIELDS),
        "percent": round(100 * len(filled) / len(RECORD_FIELDS)),
        # CLS-3: the record must hold the problem and the solution before the ticket closes.
        "cls3": bool(ticket.need_points.strip() and ticket.solution.strip()),
        "missing": [field for field in RECORD_FIELDS if field not in filled],
    }


FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "assignee": gettext_lazy("Assignee"),
    "team": gettext_lazy("Team"),
    "department": gettext_lazy("Department"),
    "subject": gettext_lazy("Subject"),
    "description": gettext_lazy("Description"),
    "category": gettext_lazy("Category"),
    "urgency": gettext_lazy("Urgency"),
    "priority": gettext_lazy("Priority"),
    "handling_class": gettext_lazy("Handling"),
    "need_points": gettext_lazy("Need points"),
    "preferences": gettext_lazy("Preferences"),
    "special_requirements": gettext_lazy("Special requirements"),
    "solution": gettext_lazy("Solution"),
    "customer_feedback": gettext_lazy("Customer feedback"),
    "promised_at": gettext_lazy("Promised"),
    "solution_owner": gettext_lazy("Solution owner"),
    "customer": gettext_lazy("Customer"),
    "channel": gettext_lazy("Channel"),
}
_NAMED = {"assignee": User, "solution_owner": User, "team": Team, "department": Department}


def _stage_label(value: Any) -> Any:
    return ComplaintStage(value).label if value in ComplaintStage.values else value


def _notice_label(data: dict[str, Any]) -> str:
    kind = data.get("notice")
    label = NoticeKind(kind).label if kind in NoticeKind.values else str(kind)
    channel = data.get("channel")
    via = OutboundChannel(channel).label if channel in OutboundChannel.values else str(channel)
    if data.get("delivered"):
        return _("%(notice)s delivered by %(channel)s") % {"notice": label, "channel": via}
    return _("%(notice)s queued for %(channel)s to %(to)s") % {
        "notice": label,
        "channel": via,
        "to": data.get("to", ""),
    }


def _describe_events(events: list[TicketEvent]) -> None:
    """Attach readable ``changes`` (labels, names instead of ids) to timeline events."""
    wanted: dict[type[Any], set[int]] = {}
    for event in events:
        for field, (before, after) in (event.data.get("changes") or {}).items():
            if field in _NAMED:
                wanted.setdefault(_NAMED[field], set()).update(
                    v for v in (before, after) if isinstance(v, int)
                )
    names: dict[tuple[type[Any], int], str] = {}
    for model, ids in wanted.items():
        for obj in model.objects.filter(pk__in=ids):
            names[(model, obj.pk)] = getattr(obj, "display_name", "") or str(obj)

    def shown(field: str, value: Any) -> Any:
        if field in _NAMED and isinstance(value, int):
            return names.get((_NAMED[field], value), value)
        if field == "status" and value in TicketStatus.values:
            return TicketStatus(value).label
        return value

    for event in events:
        changes = []
        if event.kind == "complaint" and event.data.get("action") == "stage":
            changes.append(
                {
                    "label": _("Complaint stage"),
                    "before": _stage_label(event.data.get("from")),
                    "after": _stage_label(event.data.get("to")),
                }
            )
        if event.kind == "notice":
            event.notice_label = _notice_label(event.data)  # type: ignore[attr-defined]
        if event.kind == "customer_message":
            channel = event.data.get("channel")
            event.channel_label = (  # type: ignore[attr-defined]
                ContactChannel(channel).label if channel in ContactChannel.values else channel
            )
        if event.kind == "status_change":
            changes.append(
                {
                    "label": FIELD_LABELS["status"],
                    "before": shown("status", event.data.get("from")),
                    "after": shown("status", event.data.get("to")),
                }
            )
        for field, (before, after) in (event.data.get("changes") or {}).items():
            changes.append(
                {
                    "label": FIELD_LABELS.get(field, field),
                    "before": shown(field, before),
                    "after": shown(field, after),
                }
            )
        event.changes = changes  # type: ignore[attr-defined]


def _live_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    events = list(ticket_events(ticket=ticket).select_related("attachment"))
    _describe_events(events)
    last_event = events[-1].pk if events else 0
    moment = now()
    return {
        "ticket": ticket,
        "events": events,
        "last_event": last_event,
        "transitions": _transitions(request, ticket),
        "clocks": clock_rows(list(ticket_clocks(ticket=ticket)), moment),
        "completeness": _completeness(ticket),
    }


def _complaint_id(ticket: Ticket) -> int | None:
    cached = getattr(ticket, "_complaint_id", False)
    if cached is False:
        cached = Complaint.objects.filter(ticket=ticket).values_list("pk", flat=True).first()
        ticket._complaint_id = cached  # type: ignore[attr-defined]
    return cached


def _complaint_panel(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    complaint_id = _complaint_id(ticket)
    return {
        "complaint_id": complaint_id,
        "may_raise_complaint": complaint_id is None
        and ticket.status in OPEN_STATUSES
        and request.user.has_perm("complaints.add_complaint"),
    }


def _customer_panel(request: HttpRequest, ticket: Ticket | None, customer: Any) -> dict[str, Any]:
    """ACC-2 screen pop: masked identity, levels, open tickets and history across channels."""
    if customer is None:
        return {"customer": None}
    visible = (
        visible_tickets(request.user)
        .select_related(None)
        .filter(customer=customer)
        .order_by("-created_at", "-id")
    )
    history = list(
        visible.only("number", "subject", "status", "channel", "created_at")[:HISTORY_SIZE]
    )
    return {
        "customer": customer,
        "identities": customer_identities(user=request.user, customer=customer),
        "may_reveal": user_may_see_unmasked_pii(request.user),
        "open_tickets": [t for t in history if t.status in OPEN_STATUSES and t != ticket],
        "history": history,
        "history_total": visible.count() if len(history) >= HISTORY_SIZE else len(history),
    }


def field_base(ticket: Ticket, fields: tuple[str, ...]) -> str:
    """A short digest of the fields a form edits, as they were when the form was loaded."""
    values = [
        str(getattr(ticket, f"{name}_id" if name in ROUTING_FIELDS else name) or "")
        for name in fields
    ]
    return hashlib.sha1("\x1f".join(values).encode()).hexdigest()[:16]


def _update_merging(
    request: HttpRequest, ticket: Ticket, data: dict[str, Any], fields: tuple[str, ...]
) -> Ticket:
    """Save a form's fields; a newer version is refused only when it changed these fields.

    A colleague's note or status change bumps the ticket's version but touches nothing the
    form edits: then the edit is applied on top of the newer version. If any of the form's
    fields changed since it was loaded, StaleVersion goes to the caller (nothing is written).
    """
    changes = {name: data[name] for name in fields}
    try:
        return services.ticket_update(
            actor=request.user, ticket=ticket, version=data["version"], changes=changes
        )
    except StaleVersion:
        fresh = Ticket.objects.get(pk=ticket.pk)
        if not data.get("base") or data["base"] != field_base(fresh, fields):
            raise
        return services.ticket_update(
            actor=request.user, ticket=fresh, version=fresh.version, changes=changes
        )


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    record_form: RecordForm | None = None,
    conflict: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _live_context(request, ticket)
    customer = ticket.customer
    if customer is not None:
        # The prefetch of identities the panel needs, in one query.
        customer = customer_queryset().get(pk=customer.pk)
    context.update(
        {
            "queue_key": _queue_key(request),
            "record_form": record_form
            or RecordForm(
                initial={
                    "version": ticket.version,
                    "base": field_base(ticket, RECORD_FIELDS),
                    **{f: getattr(ticket, f) for f in RECORD_FIELDS},
                }
            ),
            "routing_form": RoutingForm(
                initial={
                    "version": ticket.version,
                    "base": field_base(ticket, ROUTING_FIELDS),
                    "assignee": ticket.assignee_id,
                    "team": ticket.team_id,
                    "department": ticket.department_id,
                }
            ),
            "comment_form": CommentForm(),
            "conflict": conflict,
            "may_route": request.user.has_perm("tickets.change_ticket"),
            "is_lead": user_has_role(request.user, "team_lead", "manager", "admin"),
            **_customer_panel(request, ticket, customer),
            **_complaint_panel(request, ticket),
            "contacts": _linked_contacts(request, ticket),
            # QA-3: a ticket handled only in writing has an automatic check of its own.
            "ticket_quality": ticket_auto_check_shown(ticket=ticket),
        }
    )
    return render(request, "tickets/ticket.html", context, status=status)


def _linked_contacts(request: HttpRequest, ticket: Ticket) -> list[Any] | None:
    """The calls and messages linked to the ticket (TEC-7, ACC-3), in one query."""
    if not request.user.has_perm("channels.view_contact"):
        return None
    # With each contact's automatic quality check (QA-3), joined in the same query.
    return list(
        ticket.contacts.select_related("agent", "auto_check").order_by("-created_at", "-id")
    )


@login_required
@require_GET
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    return _render_ticket(request, _ticket_or_404(request, number))


@login_required
@require_GET
def ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's header, actions and timeline, polled every few seconds (204: unchanged)."""
    ticket = _ticket_or_404(request, number)
    last = (
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if request.GET.get("v") == str(ticket.version) and request.GET.get("e") == str(last or 0):
        return HttpResponse(status=204)
    context = _live_context(request, ticket)
    context["changed_elsewhere"] = request.GET.get("v") != str(ticket.version)
    context["queue_key"] = _queue_key(request)
    return render(request, "tickets/_ticket_live.html", context)


def _back(ticket: Ticket, request: HttpRequest) -> HttpResponse:
    url = reverse("ticket-page", args=[ticket.number])
    queue = request.POST.get("queue") or request.GET.get("queue")
    return redirect(f"{url}?queue={queue}" if queue in QUEUE_LABELS else url)


@login_required
@require_POST
def ticket_comment_post(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message before sending."))
        return _back(ticket, request)
    public = request.POST.get("kind") == "reply"
    try:
        event = services.ticket_comment(
            actor=request.user, ticket=ticket, body=form.cleaned_data["body"], public=public
        )
    except KefuError as error:
        _refusal(request, error)
    else:
        _say_what_became_of(request, event, public=public)
    return _back(ticket, request)


def _say_what_became_of(request: HttpRequest, event: Any, *, public: bool) -> None:
    """ "Sent" only when the reply went out to the customer (TEC-7); a reply on a channel that
    sends nothing (phone, walk-in) is kept on the ticket; a failed send says why."""
    from kefu.channels.replies import REPLY_SENDERS, reply_delivery_of

    delivery = reply_delivery_of(event)
    if not public:
        messages.success(request, _("Note added."))
    elif delivery is not None and delivery.queued:
        messages.success(request, _("Reply sent."))
    elif delivery is not None and delivery.channel in REPLY_SENDERS:
        messages.warning(
            request, _("Saved on the ticket; not sent: %(reason)s") % {"reason": delivery.reason}
        )
    else:
        messages.success(request, _("Reply saved on the ticket."))


@login_required
@require_POST
def ticket_transition_post(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That status change is not possible."))
        return _back(ticket, request)
    try:
        ticket = services.ticket_transition(
            actor=request.user,
            ticket=ticket,
            to=form.cleaned_data["to"],
            version=form.cleaned_data["version"],
        )
    except KefuError as error:  # a stale version is explained like any refusal
        _refusal(request, error)
    else:
        messages.success(
            request, _("Ticket is now %(status)s.") % {"status": ticket.get_status_display()}
        )
    return _back(ticket, request)


@login_required
@require_POST
def ticket_routing_post(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = RoutingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an existing assignee, team or department."))
        return _back(ticket, request)
    data = form.cleaned_data
    try:
        _update_merging(request, ticket, data, ROUTING_FIELDS)
    except KefuError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Assignment saved."))
    return _back(ticket, request)


@login_required
@require_POST
def ticket_record_post(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = RecordForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, record_form=form, status=422)
    data = form.cleaned_data
    try:
        _update_merging(request, ticket, data, RECORD_FIELDS)
    except StaleVersion:
        fresh = _ticket_or_404(request, number)
        kept = RecordForm(
            initial={
                "version": fresh.version,
                "base": field_base(fresh, RECORD_FIELDS),
                **{f: data[f] for f in RECORD_FIELDS},
            }
        )
        conflict = _(
            "Someone else changed this ticket while you were editing (your version %(mine)s, "
            "now %(theirs)s). Nothing was overwritten: your text is kept in the form below. "
            "Compare it with the timeline, then save again."
        ) % {"mine": data["version"], "theirs": fresh.version}
        return _render_ticket(request, fresh, record_form=kept, conflict=conflict, status=409)
    except KefuError as error:
        _refusal(request, error)
        return _render_ticket(request, ticket, record_form=form, status=422)
    messages.success(request, _("Service record saved."))
    return _back(ticket, request)


@login_required
@require_POST
def ticket_attach_post(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return _back(ticket, request)
    if upload.size and upload.size > settings.KEFU_ATTACHMENT_MAX_BYTES:
        messages.error(
            request,
            _("The file is larger than %(limit)s MB.")
            % {"limit": settings.KEFU_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
        return _back(ticket, request)
    try:
        services.ticket_attachment_add(
            actor=request.user,
            ticket=ticket,
            filename=upload.name or "attachment",
            content=upload.read(),
            content_type=upload.content_type or "",
        )
    except KefuError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("File attached."))
    return _back(ticket, request)


# -- new ticket -------------------------------------------------------------------------------


def _find_or_create_customer(request: HttpRequest, data: dict[str, Any]) -> Any:
    return customer_find_or_create(
        actor=request.user,
        phone=data.get("phone") or "",
        email=data.get("email") or "",
        name=data.get("customer_name") or "",
    )


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("tickets.add_ticket"):
        raise PermissionDenied
    form = TicketCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a ticket the service refuses leaves no new customer behind.
            with transaction.atomic():
                customer = _find_or_create_customer(request, data)
                ticket = services.ticket_create(
                    actor=request.user,
                    customer=customer,
                    subject=data["subject"],
                    description=data["description"],
                    category=data["category"],
                    channel=data["channel"],
                    urgency=data["urgency"],
                    priority=data["priority"],
                    handling_class=data["handling_class"],
                    need_points=data["need_points"],
                    assignee=request.user,
                )
        except KefuError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, explain(error))
        else:
            messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
            return redirect("ticket-page", number=ticket.number)
    return render(request, "tickets/new.html", {"form": form}, status=422 if form.errors else 200)
