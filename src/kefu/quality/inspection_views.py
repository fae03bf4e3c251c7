"""Pages of inspections by people, appeals and calibration (QA-1, QA-2) under /qa/.

``/qa/inspections/``: a QA specialist's queue by state and all inspections; a team lead's
team; an agent's "my QA results". ``/qa/inspections/<id>/``: the transcript with the automatic
findings marked, the scorecard form, the agent's accept/appeal form, the re-review form and
the history from the audit trail. ``/qa/calibrations/`` and ``/qa/calibrations/<id>/``: the
sessions and the spread of their scores. Thin: every write is one service call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.channels.models import Contact
from kefu.core.errors import KefuError, NotFound
from kefu.core.timeutils import now
from kefu.core.web import explain
from kefu.quality import calibration
from kefu.quality import inspection_selectors as selectors
from kefu.quality import inspection_services as services
from kefu.quality.models import (
    CalibrationSession,
    Inspection,
    InspectionState,
    ItemKind,
    Scorecard,
)
from kefu.quality.selectors import _shown as shown_finding  # the contact panel's marking
from kefu.quality.services import contact_transcript
from kefu.tickets.selectors import ticket_get

PAGE_SIZE = 50
STATE_ORDER = list(InspectionState)
MANUAL_CHOICES = [("0", "0"), ("0.5", "0.5"), ("1", "1")]


def _inspection_or_404(request: HttpRequest, inspection_id: int) -> Inspection:
    try:
        return selectors.inspection_get(user=request.user, inspection_id=inspection_id)
    except NotFound:
        raise Http404 from None


def _session_or_404(request: HttpRequest, session_id: int) -> CalibrationSession:
    try:
        return calibration.calibration_get(user=request.user, session_id=session_id)
    except NotFound:
        raise Http404 from None


def _manual_from_post(request: HttpRequest, scorecard: Scorecard) -> dict[str, str]:
    """``manual-<item id>`` fields of the form as ``{item id: value}`` (the service checks)."""
    values = {}
    for item in scorecard.items.filter(kind=ItemKind.MANUAL):
        raw = request.POST.get(f"manual-{item.pk}")
        if raw is not None and raw != "":
            values[str(item.pk)] = raw
    return values


def _comments_from_post(request: HttpRequest, scorecard: Scorecard) -> dict[str, str]:
    return {
        str(item.pk): request.POST.get(f"comment-{item.pk}", "")
        for item in scorecard.items.all()
        if request.POST.get(f"comment-{item.pk}", "").strip()
    }


# -- the list -----------------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "")
    if state not in InspectionState.values:
        state = ""
    sees_all = selectors.user_sees_all_inspections(user)
    scope = request.GET.get("scope", "mine" if sees_all else "")
    is_lead = bool(selectors.lead_team_ids(user))
    rows = selectors.inspections_visible(user=user, state=state)
    if sees_all and scope == "mine":
        rows = rows.filter(inspector_id=user.pk)
    elif not sees_all and not is_lead:
        rows = rows.filter(agent_id=user.pk)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts: dict[str, int] = {}
    if sees_all:
        mine = selectors.inspections_visible(user=user, inspector_id=user.pk)
        for value in mine.order_by().values_list("state", flat=True):
            counts[value] = counts.get(value, 0) + 1
    if sees_all:
        view = "qa"
    elif is_lead:
        view = "lead"
    else:
        view = "agent"
    return render(
        request,
        "quality/inspection_list.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "view": view,
            "scope": scope,
            "state": state,
            "states": [
                {"value": s.value, "label": s.label, "mine": counts.get(s.value, 0)}
                for s in STATE_ORDER
            ],
            "may_create": user.has_perm(services.INSPECT_PERM),
            "now": now(),
        },
    )


@login_required
@require_POST
def inspection_create_post(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(services.INSPECT_PERM):
        raise Http404
    contact_ref = request.POST.get("contact", "").strip()
    number = request.POST.get("ticket", "").strip()
    try:
        contact = ticket = None
        if contact_ref:
            if not contact_ref.isdigit():
                raise NotFound(_("No such contact."))
            contact = Contact.objects.filter(pk=int(contact_ref)).first()
            if contact is None:
                raise NotFound(_("No such contact."))
        elif number:
            ticket = ticket_get(user=request.user, number=number)
        inspection = services.inspection_create(
            actor=request.user,
            contact=contact,
            ticket=ticket,
            reason="manual",
            inspector=request.user,
        )
    except KefuError as error:
        messages.error(request, explain(error))
        return redirect("inspection-list")
    return redirect("inspection-page", inspection_id=inspection.pk)


# -- one inspection -------------------------------------------------------------------------------


def _transcript_rows(inspection: Inspection) -> list[dict[str, Any]]:
    if inspection.contact is not None:
        transcript = contact_transcript(inspection.contact)
    elif inspection.ticket is not None:
        transcript = services.ticket_transcript(inspection.ticket)
    else:  # pragma: no cover - the constraint forbids it
        return []
    flagged: dict[int, list[str]] = {}
    for finding in inspection.findings:
        index = finding.get("segment")
        if isinstance(index, int):
            flagged.setdefault(index, []).append(str(finding.get("category") or ""))
    return [
        {
            "index": index,
            "speaker": segment.speaker,
            "text": segment.text,
            "start": segment.start,
            "flags": flagged.get(index, []),
        }
        for index, segment in enumerate(transcript.segments)
    ]


def _items(inspection: Inspection) -> list[dict[str, Any]]:
    results = {str(r["item_id"]): r for r in inspection.result.get("items", [])}
    rows = []
    for item in inspection.scorecard.items.all():
        key = str(item.pk)
        result = results.get(key)
        rows.append(
            {
                "item": item,
                "key": key,
                "manual": item.kind == ItemKind.MANUAL,
                "value": _step(inspection.manual_scores.get(key)),
                "comment": inspection.item_comments.get(key, ""),
                "failed": result["failed"] if result else None,
                "fraction": result["fraction"] if result else None,
            }
        )
    return rows


def _step(value: Any) -> str:
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def _history(inspection: Inspection) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(
        object_type=Inspection._meta.label_lower, object_id=str(inspection.pk)
    ).order_by("occurred_at", "id")
    return [
        {
            "event": event,
            "label": services.VERB_LABELS.get(event.verb, event.verb),
            "state": (event.after or {}).get("state", ""),
        }
        for event in events
    ]


def _render_inspection(
    request: HttpRequest, inspection: Inspection, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    is_agent = user.pk == inspection.agent_id
    is_manager = selectors.user_is_inspection_manager(user)
    may_inspect = user.has_perm(services.INSPECT_PERM) and not is_agent
    is_inspector = may_inspect and (is_manager or inspection.inspector_id in (None, user.pk))
    may_re_review = may_inspect and (is_manager or inspection.inspector_id != user.pk)
    state = inspection.state
    moment = now()
    window_open = inspection.appeal_deadline is not None and moment < inspection.appeal_deadline
    context = {
        "inspection": inspection,
        "transcript": _transcript_rows(inspection),
        "findings": [shown_finding(f) for f in inspection.findings],
        "items": _items(inspection),
        "manual_choices": MANUAL_CHOICES,
        "appeals": selectors.inspection_appeals(inspection),
        "open_appeal": inspection.appeals.filter(decided_at__isnull=True).first(),
        "history": _history(inspection),
        "may_start": is_inspector and state == InspectionState.PENDING,
        "may_score": is_inspector and state == InspectionState.IN_REVIEW,
        "may_answer": is_agent and state == InspectionState.SCORED,
        "window_open": window_open,
        "may_re_review": may_re_review and state == InspectionState.APPEALED,
        "may_finalize": may_inspect and state == InspectionState.RE_REVIEWED,
        "may_assign": user.has_perm(services.ASSIGN_PERM)
        and state in (InspectionState.PENDING, InspectionState.IN_REVIEW),
        "inspectors": User.objects.filter(
            is_active=True, groups__name__in=[Role.QA_SPECIALIST, Role.MANAGER]
        )
        .distinct()
        .order_by("username")
        if user.has_perm(services.ASSIGN_PERM)
        else [],
        "error": error,
        "now": moment,
    }
    return render(request, "quality/inspection_page.html", context, status=status)


@login_required
@require_GET
def inspection_page(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return _render_inspection(request, _inspection_or_404(request, inspection_id))


def _act(request: HttpRequest, inspection_id: int, action: str) -> HttpResponse:
    inspection = _inspection_or_404(request, inspection_id)
    actor = request.user
    try:
        if action == "start":
            services.inspection_start(actor=actor, inspection=inspection)
            done = _("Review started.")
        elif action == "score":
            services.inspection_score(
                actor=actor,
                inspection=inspection,
                manual_scores=_manual_from_post(request, inspection.scorecard),
                item_comments=_comments_from_post(request, inspection.scorecard),
                comment=request.POST.get("comment", ""),
            )
            done = _("Inspection scored.")
        elif action == "accept":
            services.inspection_accept(actor=actor, inspection=inspection)
            done = _("You accepted the result.")
        elif action == "appeal":
            services.inspection_appeal(
                actor=actor, inspection=inspection, reason=request.POST.get("reason", "")
            )
            done = _("Your appeal was sent.")
        elif action == "re_review":
            services.inspection_re_review(
                actor=actor,
                inspection=inspection,
                manual_scores=_manual_from_post(request, inspection.scorecard),
                decision=request.POST.get("decision", ""),
            )
            done = _("Appeal re-reviewed.")
        elif action == "finalize":
            services.inspection_finalize(actor=actor, inspection=inspection)
            done = _("Inspection final.")
        elif action == "assign":
            services.inspection_assign(
                actor=actor, inspection=inspection, inspector=request.POST.get("inspector")
            )
            done = _("Inspector assigned.")
        else:  # pragma: no cover - the URL patterns name every action
            raise Http404
    except KefuError as error:
        if isinstance(error, NotFound):
            raise Http404 from None
        fresh = _inspection_or_404(request, inspection_id)
        return _render_inspection(request, fresh, error=explain(error), status=error.status_code)
    messages.success(request, done)
    try:
        selectors.inspection_get(user=actor, inspection_id=inspection.pk)
    except NotFound:
        return redirect("inspection-list")
    return redirect("inspection-page", inspection_id=inspection.pk)


def _action_view(action: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, inspection_id: int) -> HttpResponse:
        return _act(request, inspection_id, action)

    view.__name__ = f"inspection_{action}_post"
    return view


# -- calibration --------------------------------------------------------------------------------


@login_required
def calibration_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(services.INSPECT_PERM) or selectors.user_is_inspection_manager(user)):
        raise Http404
    error = ""
    status = 200
    if request.method == "POST":
        contact_ref = request.POST.get("contact", "").strip()
        number = request.POST.get("ticket", "").strip()
        try:
            contact = ticket = None
            if contact_ref:
                contact = (
                    Contact.objects.filter(pk=int(contact_ref)).first()
                    if contact_ref.isdigit()
                    else None
                )
                if contact is None:
                    raise NotFound(_("No such contact."))
            elif number:
                ticket = ticket_get(user=user, number=number)
            session = calibration.calibration_create(
                actor=user,
                title=request.POST.get("title", ""),
                contact=contact,
                ticket=ticket,
                participants=request.POST.getlist("participants"),
            )
        except KefuError as exc:
            error, status = explain(exc), exc.status_code
        else:
            messages.success(request, _("Calibration session started."))
            return redirect("calibration-page", session_id=session.pk)
    sessions = list(calibration.calibrations_visible(user=user)[:200])
    return render(
        request,
        "quality/calibration_list.html",
        {
            "sessions": sessions,
            "candidates": User.objects.filter(
                is_active=True, groups__name__in=[Role.QA_SPECIALIST, Role.MANAGER]
            )
            .distinct()
            .order_by("username"),
            "error": error,
        },
        status=status,
    )


def _render_session(
    request: HttpRequest, session: CalibrationSession, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    sees = calibration.calibration_may_see_scores(user, session)
    participant = session.participants.filter(id=user.pk or 0).exists()
    submitted = session.scores.filter(inspector_id=user.pk).exists()
    return render(
        request,
        "quality/calibration_page.html",
        {
            "session": session,
            "participants": list(session.participants.order_by("username")),
            "scores": calibration.calibration_scores_shown(user, session),
            "sees": sees,
            "spread": calibration.calibration_spread(session) if sees else None,
            "may_submit": participant and not submitted and session.closed_at is None,
            "may_close": session.closed_at is None
            and (user.pk == session.created_by_id or selectors.user_is_inspection_manager(user)),
            "manual_items": list(session.scorecard.items.filter(kind=ItemKind.MANUAL)),
            "manual_choices": MANUAL_CHOICES,
            "submitted_count": session.scores.count(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def calibration_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _render_session(request, _session_or_404(request, session_id))


@login_required
@require_POST
def calibration_score_post(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    try:
        calibration.calibration_score_submit(
            actor=request.user,
            session=session,
            manual_scores=_manual_from_post(request, session.scorecard),
        )
    except KefuError as exc:
        return _render_session(request, session, error=explain(exc), status=exc.status_code)
    messages.success(request, _("Your score was recorded."))
    return redirect("calibration-page", session_id=session.pk)


@login_required
@require_POST
def calibration_close_post(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    try:
        calibration.calibration_close(actor=request.user, session=session)
    except KefuError as exc:
        return _render_session(request, session, error=explain(exc), status=exc.status_code)
    messages.success(request, _("Calibration session closed."))
    return redirect("calibration-page", session_id=session.pk)


ACTIONS = ("start", "score", "accept", "appeal", "re_review", "finalize", "assign")

urlpatterns: list[URLPattern] = [
    path("inspections/", inspection_list, name="inspection-list"),
    path("inspections/new/", inspection_create_post, name="inspection-create"),
    path("inspections/<int:inspection_id>/", inspection_page, name="inspection-page"),
    *[
        path(
            f"inspections/<int:inspection_id>/{action.replace('_', '-')}/",
            _action_view(action),
            name=f"inspection-{action.replace('_', '-')}",
        )
        for action in ACTIONS
    ],
    path("calibrations/", calibration_list, name="calibration-list"),
    path("calibrations/<int:session_id>/", calibration_page, name="calibration-page"),
    path("calibrations/<int:session_id>/score/", calibration_score_post, name="calibration-score"),
    path("calibrations/<int:session_id>/close/", calibration_close_post, name="calibration-close"),
]
