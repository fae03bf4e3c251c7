"""Inspections by people over HTTP (QA-2), mounted at ``/api/v1/qa/inspections``.

``GET ""`` lists the inspections the caller may see (an agent: their own, once scored; a team
lead: their team's; QA, managers, administrators: all), ``GET "/{id}"`` shows one (404 when
not visible), the ``POST "/{id}/<verb>"`` endpoints move it through its workflow (409 for an
illegal move) and ``POST ""`` puts a contact or a ticket up for inspection.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field, model_validator

from kefu.channels.models import Contact
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.pagination import bounded_count
from kefu.core.schemas import MAX_ID, InputSchema, ObjectId
from kefu.core.timeutils import now
from kefu.quality import inspection_selectors as selectors
from kefu.quality import inspection_services as services
from kefu.quality.models import Appeal, Inspection, InspectionReason, InspectionState, Scorecard
from kefu.tickets import selectors as ticket_selectors

router = Router(tags=["quality"])
TEXT_LIMIT = services.TEXT_LIMIT


# -- input ------------------------------------------------------------------------------------


class InspectionQuery(InputSchema):
    state: InspectionState | None = None
    agent: int | None = Field(default=None, ge=1, le=MAX_ID, description="the inspected agent")
    inspector: int | None = Field(default=None, ge=1, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=500)


class InspectionCreateIn(InputSchema):
    contact: int | None = Field(default=None, ge=1, le=MAX_ID, description="a contact id")
    ticket: str | None = Field(
        default=None, min_length=1, max_length=32, description="a ticket number"
    )
    scorecard: int | None = Field(default=None, ge=1, le=MAX_ID)
    inspector: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _one_target(self) -> InspectionCreateIn:
        if self.contact is None and self.ticket is None:
            raise ValueError("give a contact id or a ticket number")
        return self


class AssignIn(InputSchema):
    inspector: int = Field(ge=1, le=MAX_ID)


class ScoreIn(InputSchema):
    manual_scores: dict[str, Any] = Field(
        description="{scorecard item id: 0..1} for every manual item", max_length=200
    )
    item_comments: dict[str, str] = Field(default_factory=dict, max_length=200)
    comment: str = Field(default="", max_length=TEXT_LIMIT)


class AppealIn(InputSchema):
    reason: str = Field(min_length=1, max_length=TEXT_LIMIT)


class ReReviewIn(InputSchema):
    manual_scores: dict[str, Any] = Field(max_length=200)
    decision: str = Field(min_length=1, max_length=TEXT_LIMIT)


# -- output -----------------------------------------------------------------------------------


def _user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name or user.username}


def appeal_out(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "agent": _user_ref(appeal.agent),
        "reason": appeal.reason,
        "created_at": appeal.created_at,
        "decided_by": _user_ref(appeal.decided_by),
        "decision": appeal.decision,
        "outcome": appeal.outcome or None,
        "score_before": appeal.score_before,
        "score_after": appeal.score_after,
        "decided_at": appeal.decided_at,
    }


def inspection_out(inspection: Inspection, *, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": inspection.pk,
        "state": inspection.state,
        "reason": inspection.reason,
        "contact": inspection.contact_id,
        "ticket": inspection.ticket.number if inspection.ticket is not None else None,
        "agent": _user_ref(inspection.agent),
        "team": None
        if inspection.team is None
        else {"id": inspection.team_id, "name": inspection.team.name},
        "inspector": _user_ref(inspection.inspector),
        "scorecard": {
            "id": inspection.scorecard_id,
            "name": inspection.scorecard.name,
            "version": inspection.scorecard.version,
        },
        "score": inspection.score,
        "passed": inspection.passed,
        "fatal": inspection.fatal,
        "created_at": inspection.created_at,
        "scored_at": inspection.scored_at,
        "appeal_deadline": inspection.appeal_deadline,
        "final_at": inspection.final_at,
    }
    if not full:
        return data
    data |= {
        "allowed_transitions": sorted(services.TRANSITIONS[inspection.state]),
        "manual_scores": inspection.manual_scores,
        "item_comments": inspection.item_comments,
        "comment": inspection.comment,
        "findings": inspection.findings,
        "result": inspection.result,
        "appeals": [appeal_out(a) for a in selectors.inspection_appeals(inspection)],
    }
    return data


def _shown(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    """The inspection as the caller now sees it (after a move it may have left their view —
    not in practice, but never show what the selector would not)."""
    try:
        fresh = selectors.inspection_get(user=request.user, inspection_id=inspection.pk)
    except NotFound:
        return {"id": inspection.pk, "state": inspection.state}
    return inspection_out(fresh)


def _get(request: HttpRequest, inspection_id: int) -> Inspection:
    return selectors.inspection_get(user=request.user, inspection_id=inspection_id)


# -- endpoints --------------------------------------------------------------------------------


@router.get("", response=dict[str, Any], summary="Inspections you may see")
def list_inspections(request: HttpRequest, filters: Query[InspectionQuery]) -> dict[str, Any]:
    rows = selectors.inspections_visible(
        user=request.user,
        state="" if filters.state is None else str(filters.state),
        agent_id=filters.agent,
        inspector_id=filters.inspector,
    )
    size = min(filters.page_size, settings.KEFU_API_MAX_PAGE_SIZE)
    start = (filters.page - 1) * size
    count, exact = bounded_count(rows)
    return {
        "items": [inspection_out(row, full=False) for row in rows[start : start + size]],
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": size,
    }


@router.post("", response={200: dict[str, Any], 201: dict[str, Any]}, summary="Inspect this")
def create_inspection(request: HttpRequest, payload: InspectionCreateIn) -> Status[dict[str, Any]]:
    contact = ticket = scorecard = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact).first()
        if contact is None:
            raise InvalidInput(f"contact {payload.contact} does not exist", field="contact")
    if payload.ticket is not None:
        try:
            ticket = ticket_selectors.ticket_get(user=request.user, number=payload.ticket)
        except NotFound as exc:
            raise InvalidInput(exc.message, field="ticket") from None
    if payload.scorecard is not None:
        scorecard = Scorecard.objects.filter(pk=payload.scorecard).first()
        if scorecard is None:
            raise InvalidInput(f"scorecard {payload.scorecard} does not exist", field="scorecard")
    started = now()
    inspection = services.inspection_create(
        actor=request.user,
        contact=contact,
        ticket=ticket,
        reason=InspectionReason.MANUAL,
        scorecard=scorecard,
        inspector=payload.inspector,
    )
    return Status(201 if inspection.created_at >= started else 200, _shown(request, inspection))


@router.get("/{inspection_id}", response=dict[str, Any], summary="One inspection")
def get_inspection(request: HttpRequest, inspection_id: ObjectId) -> dict[str, Any]:
    return inspection_out(_get(request, inspection_id))


@router.post("/{inspection_id}/assign", response=dict[str, Any], summary="Assign an inspector")
def assign_inspection(
    request: HttpRequest, inspection_id: ObjectId, payload: AssignIn
) -> dict[str, Any]:
    inspection = services.inspection_assign(
        actor=request.user, inspection=_get(request, inspection_id), inspector=payload.inspector
    )
    return _shown(request, inspection)


@router.post("/{inspection_id}/start", response=dict[str, Any], summary="pending → in_review")
def start_inspection(request: HttpRequest, inspection_id: ObjectId) -> dict[str, Any]:
    inspection = services.inspection_start(
        actor=request.user, inspection=_get(request, inspection_id)
    )
    return _shown(request, inspection)


@router.post("/{inspection_id}/score", response=dict[str, Any], summary="in_review → scored")
def score_inspection(
    request: HttpRequest, inspection_id: ObjectId, payload: ScoreIn
) -> dict[str, Any]:
    inspection = services.inspection_score(
        actor=request.user,
        inspection=_get(request, inspection_id),
        manual_scores=payload.manual_scores,
        item_comments=payload.item_comments,
        comment=payload.comment,
    )
    return _shown(request, inspection)


@router.post("/{inspection_id}/accept", response=dict[str, Any], summary="scored → final")
def accept_inspection(request: HttpRequest, inspection_id: ObjectId) -> dict[str, Any]:
    inspection = services.inspection_accept(
        actor=request.user, inspection=_get(request, inspection_id)
    )
    return _shown(request, inspection)


@router.post("/{inspection_id}/appeal", response={201: dict[str, Any]}, summary="scored → appealed")
def appeal_inspection(
    request: HttpRequest, inspection_id: ObjectId, payload: AppealIn
) -> Status[dict[str, Any]]:
    appeal = services.inspection_appeal(
        actor=request.user, inspection=_get(request, inspection_id), reason=payload.reason
    )
    return Status(201, _shown(request, appeal.inspection))


@router.post(
    "/{inspection_id}/re-review", response=dict[str, Any], summary="appealed → re_reviewed"
)
def re_review_inspection(
    request: HttpRequest, inspection_id: ObjectId, payload: ReReviewIn
) -> dict[str, Any]:
    inspection = services.inspection_re_review(
        actor=request.user,
        inspection=_get(request, inspection_id),
        manual_scores=payload.manual_scores,
        decision=payload.decision,
    )
    return _shown(request, inspection)


@router.post("/{inspection_id}/finalize", response=dict[str, Any], summary="re_reviewed → final")
def finalize_inspection(request: HttpRequest, inspection_id: ObjectId) -> dict[str, Any]:
    inspection = services.inspection_finalize(
        actor=request.user, inspection=_get(request, inspection_id)
    )
    return _shown(request, inspection)
