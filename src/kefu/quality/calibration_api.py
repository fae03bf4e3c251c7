"""Calibration sessions over HTTP (QA-1, QA-2), mounted at ``/api/v1/qa/calibrations``:
create, list, detail with the spread, submit a score, close.

A participant sees the others' scores and the spread only after submitting their own
(managers always), so nobody anchors on a colleague's score.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import Field, model_validator

from kefu.channels.models import Contact
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.schemas import MAX_ID, InputSchema, ObjectId
from kefu.quality import calibration as services
from kefu.quality.models import CalibrationScore, CalibrationSession, Scorecard
from kefu.tickets import selectors as ticket_selectors

router = Router(tags=["quality"])


class CalibrationCreateIn(InputSchema):
    title: str = Field(min_length=1, max_length=services.TITLE_LIMIT)
    contact: int | None = Field(default=None, ge=1, le=MAX_ID)
    ticket: str | None = Field(default=None, min_length=1, max_length=32)
    scorecard: int | None = Field(default=None, ge=1, le=MAX_ID)
    participants: list[int] = Field(min_length=2, max_length=services.PARTICIPANTS_MAX)

    @model_validator(mode="after")
    def _one_target(self) -> CalibrationCreateIn:
        if self.contact is None and self.ticket is None:
            raise ValueError("give a contact id or a ticket number")
        return self


class CalibrationScoreIn(InputSchema):
    manual_scores: dict[str, Any] = Field(max_length=200)


def _user_ref(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "name": user.display_name or user.username}


def score_out(score: CalibrationScore) -> dict[str, Any]:
    return {
        "inspector": _user_ref(score.inspector),
        "score": score.score,
        "passed": score.passed,
        "manual_scores": score.manual_scores,
        "submitted_at": score.submitted_at,
    }


def session_out(
    request: HttpRequest, session: CalibrationSession, *, full: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": session.pk,
        "title": session.title,
        "contact": session.contact_id,
        "ticket": session.ticket.number if session.ticket is not None else None,
        "scorecard": {
            "id": session.scorecard_id,
            "name": session.scorecard.name,
            "version": session.scorecard.version,
        },
        "created_by": _user_ref(session.created_by),
        "created_at": session.created_at,
        "closed_at": session.closed_at,
    }
    if not full:
        return data
    user = request.user
    sees = services.calibration_may_see_scores(user, session)
    data |= {
        "participants": [_user_ref(u) for u in session.participants.order_by("username")],
        "submitted": session.scores.count(),
        "scores_visible": sees,
        "scores": [score_out(s) for s in services.calibration_scores_shown(user, session)],
        "spread": services.calibration_spread(session).as_dict() if sees else None,
    }
    return data


@router.get("", response=dict[str, Any], summary="Calibration sessions you may see")
def list_calibrations(request: HttpRequest) -> dict[str, Any]:
    rows = services.calibrations_visible(user=request.user)[:200]
    return {"items": [session_out(request, row, full=False) for row in rows]}


@router.post("", response={201: dict[str, Any]}, summary="Start a calibration session")
def create_calibration(
    request: HttpRequest, payload: CalibrationCreateIn
) -> Status[dict[str, Any]]:
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
    session = services.calibration_create(
        actor=request.user,
        title=payload.title,
        contact=contact,
        ticket=ticket,
        scorecard=scorecard,
        participants=payload.participants,
    )
    return Status(201, session_out(request, session))


@router.get("/{session_id}", response=dict[str, Any], summary="A session with its spread")
def get_calibration(request: HttpRequest, session_id: ObjectId) -> dict[str, Any]:
    return session_out(request, services.calibration_get(user=request.user, session_id=session_id))


@router.post("/{session_id}/scores", response={201: dict[str, Any]}, summary="Submit your score")
def submit_calibration_score(
    request: HttpRequest, session_id: ObjectId, payload: CalibrationScoreIn
) -> Status[dict[str, Any]]:
    session = services.calibration_get(user=request.user, session_id=session_id)
    services.calibration_score_submit(
        actor=request.user, session=session, manual_scores=payload.manual_scores
    )
    return Status(201, session_out(request, session))


@router.post("/{session_id}/close", response=dict[str, Any], summary="Close the session")
def close_calibration(request: HttpRequest, session_id: ObjectId) -> dict[str, Any]:
    session = services.calibration_get(user=request.user, session_id=session_id)
    session = services.calibration_close(actor=request.user, session=session)
    return session_out(request, services.calibration_get(user=request.user, session_id=session.pk))
