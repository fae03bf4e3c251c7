"""Complaint screens: the specialists' queue, registration, the complaint page with its stage
workflow, the departments' view and the dashboard (CMP-1…6, ORG-2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.selectors import user_department_ids
from kefu.complaints import selectors, services
from kefu.complaints.forms import (
    STAGE_FIELDS,
    ComplaintFilterForm,
    ComplaintRegisterForm,
    DepartmentAskForm,
    DepartmentReplyForm,
    NoticeForm,
    PeriodForm,
    StageForm,
)
from kefu.complaints.models import Complaint, ComplaintDepartment
from kefu.complaints.stages import ALLOWED_STAGES, OPEN_STAGES, ComplaintStage
from kefu.core.errors import KefuError, NotFound
from kefu.core.timeutils import now
from kefu.core.web import explain
from kefu.customers.services import customer_find_or_create
from kefu.notify.models import CustomerNotice
from kefu.sla.models import Clock
from kefu.tickets.selectors import ticket_get

PAGE_SIZE = 50
STAGE_ORDER = [
    ComplaintStage.REGISTERED,
    ComplaintStage.INVESTIGATING,
    ComplaintStage.PLAN_PROPOSED,
    ComplaintStage.SOLVED,
    ComplaintStage.RECTIFYING,
    ComplaintStage.CLOSED,
]
# The main move first, the way back and withdrawal last.
MOVE_ORDER = [
    ComplaintStage.INVESTIGATING,
    ComplaintStage.PLAN_PROPOSED,
    ComplaintStage.SOLVED,
    ComplaintStage.RECTIFYING,
    ComplaintStage.CLOSED,
    ComplaintStage.WITHDRAWN,
]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _complaint_or_404(request: HttpRequest, complaint_id: int) -> Complaint:
    try:
        return selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def complaint_queue(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    form = ComplaintFilterForm(request.GET or {"stage": "active"})
    filters = selectors.ComplaintFilters(stage="active")
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ComplaintFilters(
            stage=data["stage"],
            severity=data["severity"],
            type_code=data["type"],
            mine=data["mine"],
            q=data["q"].strip(),
        )
    page = Paginator(selectors.complaint_list(user=request.user, filters=filters), PAGE_SIZE)
    current = page.get_page(request.GET.get("page"))
    rows = selectors.complaint_rows(list(current.object_list), now())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/queue.html",
        {
            "form": form,
            "rows": rows,
            "page": current,
            "query": query.urlencode(),
            "may_register": request.user.has_perm("complaints.add_complaint"),
        },
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.add_complaint")
    number = (request.POST.get("ticket") or request.GET.get("ticket") or "").strip()
    ticket = None
    if number:
        try:
            ticket = ticket_get(user=request.user, number=number)
        except KefuError:
            raise Http404 from None
    initial: dict[str, Any] = {"notify_customer": True, "ticket": number}
    if ticket is not None:
        initial.update({"channel": ticket.channel, "demands": ticket.need_points or ticket.subject})
    form = ComplaintRegisterForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        raising=ticket is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a refused complaint leaves no new customer behind.
            with transaction.atomic():
                customer = None
                if ticket is None:
                    customer = customer_find_or_create(
                        actor=request.user,
                        phone=data.get("phone") or "",
                        email=data.get("email") or "",
                        name=data.get("customer_name") or "",
                    )
                complaint = services.complaint_register(
                    actor=request.user,
                    ticket=ticket,
                    customer=customer,
                    type=data["type"],
                    severity=data["severity"],
                    channel=data.get("channel") or None,
                    received_at=data.get("received_at"),
                    demands=data["demands"],
                    description=data.get("description") or "",
                    departments=list(data.get("departments") or []),
                    notify_customer=data.get("notify_customer", False),
                )
        except KefuError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, explain(error))
        else:
            messages.success(
                request,
                _("Complaint registered on ticket %(number)s.")
                % {"number": complaint.ticket.number},
            )
            if not services.complaint_is_visible(request.user, complaint):
                # Handed to a complaint specialist of another team: the raiser's work is done.
                return redirect("home")
            return redirect("complaint-page", complaint_id=complaint.pk)
    return render(
        request,
        "complaints/new.html",
        {"form": form, "ticket": ticket},
        status=422 if form.errors else 200,
    )


def _stage_forms(
    request: HttpRequest, complaint: Complaint, failed: StageForm | None
) -> list[dict[str, Any]]:
    if not request.user.has_perm("complaints.handle_complaint"):
        return []
    moves = []
    for target in MOVE_ORDER:
        if target not in ALLOWED_STAGES[complaint.stage]:
            continue
        if failed is not None and failed.data.get("to") == target:
            form = failed
        else:
            form = StageForm(
                initial={"to": target, "version": complaint.version, "notify_customer": True},
                auto_id=f"id_{target}_%s",
            )
        fields = STAGE_FIELDS.get(target, ())
        if target == ComplaintStage.INVESTIGATING and complaint.stage != ComplaintStage.REGISTERED:
            fields = ("reason",)
        if target == ComplaintStage.CLOSED and complaint.stage == ComplaintStage.SOLVED:
            fields = ("note",)
        moves.append(
            {
                "to": target,
                "label": ComplaintStage(target).label,
                "form": form,
                "fields": [form[name] for name in fields],
                "reopen": target == ComplaintStage.INVESTIGATING
                and complaint.stage in (ComplaintStage.SOLVED, ComplaintStage.CLOSED),
                "back": target == ComplaintStage.INVESTIGATING
                and complaint.stage == ComplaintStage.PLAN_PROPOSED,
                "open": failed is not None and failed.data.get("to") == target,
            }
        )
    return moves


def _render_complaint(
    request: HttpRequest,
    complaint: Complaint,
    *,
    failed: StageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    moment = now()
    handles = request.user.has_perm("complaints.handle_complaint")
    reached = (
        STAGE_ORDER.index(ComplaintStage(complaint.stage)) if complaint.stage in STAGE_ORDER else -1
    )
    notices = list(
        CustomerNotice.objects.filter(ticket=complaint.ticket)
        .select_related("message", "created_by")
        .order_by("-created_at", "-id")
    )
    member_of = user_department_ids(request.user)
    return render(
        request,
        "complaints/page.html",
        {
            "complaint": complaint,
            "ticket": complaint.ticket,
            "stages": [
                {"key": stage, "label": stage.label, "done": index <= reached}
                for index, stage in enumerate(STAGE_ORDER)
            ],
            "clocks": selectors.complaint_clocks(complaint, moment),
            "departments": list(
                complaint.departments.select_related("department", "replied_by", "asked_by")
            ),
            "member_of": member_of,
            "notices": notices,
            "moves": _stage_forms(request, complaint, failed),
            "handles": handles,
            "open_stages": sorted(OPEN_STAGES),
            "ask_form": DepartmentAskForm() if handles else None,
            "notice_form": NoticeForm(initial={"kind": "progress"}) if handles else None,
            "reply_form": DepartmentReplyForm(),
            "improvement": getattr(complaint, "improvement", None)
            if hasattr(complaint, "improvement")
            else None,
        },
        status=status,
    )


@login_required
@require_GET
def complaint_page(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    return _render_complaint(request, _complaint_or_404(request, complaint_id))


@login_required
@require_POST
def complaint_transition_post(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require(request, "complaints.handle_complaint")
    complaint = _complaint_or_404(request, complaint_id)
    target = request.POST.get("to", "")
    form = StageForm(
        request.POST, auto_id=f"id_{target}_%s" if target in ComplaintStage.values else "id_%s"
    )
    if not form.is_valid():
        return _render_complaint(request, complaint, failed=form, status=422)
    try:
        services.complaint_transition(
            actor=request.user,
            complaint=complaint,
            to=form.cleaned_data["to"],
            record=form.record(),
            version=form.cleaned_data["version"],
            notify_customer=form.cleaned_data.get("notify_customer", False),
        )
    except KefuError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields and field != "to" else None, explain(error))
        complaint = _complaint_or_404(request, complaint_id)
        return _render_complaint(request, complaint, failed=form, status=error.status_code)
    messages.success(
        request,
        _("Complaint moved to %(stage)s.")
        % {"stage": ComplaintStage(form.cleaned_data["to"]).label},
    )
    return redirect("complaint-page", complaint_id=complaint.pk)


@login_required
@require_POST
def complaint_department_post(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require(request, "complaints.handle_complaint")
    complaint = _complaint_or_404(request, complaint_id)
    form = DepartmentAskForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_department_add(
                actor=request.user,
                complaint=complaint,
                department=form.cleaned_data["department"],
                request=form.cleaned_data["request"],
            )
        except KefuError as error:
            messages.error(request, explain(error))
        else:
            messages.success(request, _("The department was asked."))
    else:
        messages.error(request, _("Choose a department."))
    return redirect("complaint-page", complaint_id=complaint.pk)


@login_required
@require_POST
def complaint_notice_post(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require(request, "complaints.handle_complaint")
    complaint = _complaint_or_404(request, complaint_id)
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_notice_send(
                actor=request.user,
                complaint=complaint,
                kind=form.cleaned_data["kind"],
                channel=form.cleaned_data["channel"] or None,
                progress=form.cleaned_data["progress"],
            )
        except KefuError as error:
            messages.error(request, explain(error))
        else:
            messages.success(request, _("The notice is queued for sending."))
    else:
        messages.error(request, _("Choose the notice to send."))
    return redirect("complaint-page", complaint_id=complaint.pk)


@login_required
@require_POST
def department_reply_post(request: HttpRequest, request_id: int) -> HttpResponse:
    row = (
        ComplaintDepartment.objects.select_related("complaint", "complaint__ticket")
        .filter(pk=request_id)
        .first()
    )
    if row is None:
        raise Http404
    form = DepartmentReplyForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_department_reply(
                actor=request.user, request=row, reply=form.cleaned_data["reply"]
            )
        except NotFound:
            raise Http404 from None
        except KefuError as error:
            messages.error(request, explain(error))
        else:
            messages.success(request, _("Reply recorded."))
    else:
        messages.error(request, _("Write the reply first."))
    if request.POST.get("back") == "departments":
        return redirect("complaint-departments")
    return redirect("complaint-page", complaint_id=row.complaint_id)


@login_required
@require_GET
def department_view(request: HttpRequest) -> HttpResponse:
    """ORG-2: what the user's departments were asked, unanswered first."""
    pending_only = request.GET.get("all") != "1"
    rows = list(selectors.department_requests(user=request.user, pending_only=pending_only)[:200])
    moment = now()
    clocks = {
        (clock.ticket_id, clock.department_id): clock
        for clock in Clock.objects.filter(
            ticket_id__in=[row.complaint.ticket_id for row in rows],
            milestone="complaint_department_reply",
        ).order_by("cycle")
    }
    for row in rows:
        clock = clocks.get((row.complaint.ticket_id, row.department_id))
        row.due_at = clock.due_at if clock else None  # type: ignore[attr-defined]
        row.overdue = bool(  # type: ignore[attr-defined]
            clock and row.replied_at is None and clock.due_at and clock.due_at < moment
        )
    return render(
        request,
        "complaints/departments.html",
        {
            "rows": rows,
            "pending_only": pending_only,
            "has_departments": bool(user_department_ids(request.user)),
            "reply_form": DepartmentReplyForm(),
        },
    )


def _period(form: PeriodForm) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    start_day = today.replace(day=1)
    end_day = today
    if form.is_valid():
        start_day = form.cleaned_data.get("start") or start_day
        end_day = form.cleaned_data.get("end") or end_day
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(start_day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


@login_required
@require_GET
def complaint_dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint_dashboard")
    form = PeriodForm(request.GET or None)
    start, end = _period(form)
    try:
        board = selectors.complaint_dashboard(user=request.user, start=start, end=end)
    except KefuError as error:
        form = PeriodForm(request.GET)
        form.is_valid()
        form.add_error(None, explain(error))
        today = timezone.localdate()
        start, end = _period(PeriodForm({"start": today.replace(day=1), "end": today}))
        board = selectors.complaint_dashboard(user=request.user, start=start, end=end)
    chart = {
        "types": [{"label": label, "count": count} for label, count in board.by_type],
        "stages": [
            {"label": f"{rate.title} ({rate.rule})", "rate": rate.on_time_rate}
            for rate in board.stages
        ],
    }
    return render(
        request,
        "complaints/dashboard.html",
        {
            "form": form,
            "board": board,
            "chart": chart,
            "last_day": (end - dt.timedelta(days=1)).date(),
        },
    )
