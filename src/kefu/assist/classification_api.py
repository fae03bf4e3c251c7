"""Ticket classification over HTTP (TEC-4) at ``/api/v1/assist/classification``.

Administrators and managers: ``GET /runs`` (the latest training runs), ``GET /metrics`` (the
active model's held-out metrics, live accuracy from agents' decisions, correction hot spots),
``POST /train`` (queues a training; 202). Agents: ``GET /suggestion?ticket=<number>`` or
``?contact=<id>`` (the latest suggestion of a ticket or contact they see; 404 when there is
none), ``POST /suggestions/{id}/confirm`` and ``POST /suggestions/{id}/correct`` with
``{"category": <id or code>, "urgency": "urgent|normal|consult"}`` — for who may edit the
ticket; a second decision answers 409.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from kefu.assist import classification_selectors as selectors
from kefu.assist.classification_services import (
    classification_confirm,
    classification_correct,
    may_decide,
)
from kefu.assist.classification_tasks import queue_training
from kefu.assist.models import ClassificationSuggestion, ClassifierRun
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.schemas import InputSchema, ObjectId

router = Router(tags=["assist"])


def _require_manager(request: HttpRequest) -> None:
    if not selectors.may_manage_classifier(request.user):
        raise PermissionDenied("only administrators and managers manage the classifier")


def run_out(run: ClassifierRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "version": run.version,
        "status": run.status,
        "message": run.message,
        "examples": run.examples,
        "corrections": run.corrections,
        "is_active": run.is_active,
        "seconds": round(run.seconds, 3),
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "trained_by": run.trained_by.username if run.trained_by else None,
        "metrics": run.metrics,
    }


def suggestion_out(suggestion: ClassificationSuggestion) -> dict[str, Any]:
    return {
        "id": suggestion.pk,
        "ticket": suggestion.ticket.number if suggestion.ticket else None,
        "contact": suggestion.contact_id,
        "run_version": suggestion.run.version,
        "category": suggestion.category_id,
        "category_code": suggestion.category.code if suggestion.category else None,
        "category_confidence": suggestion.category_confidence,
        "urgency": suggestion.urgency or None,
        "urgency_confidence": suggestion.urgency_confidence,
        "decision": suggestion.decision,
        "final_category": suggestion.final_category_id,
        "final_urgency": suggestion.final_urgency or None,
        "decided_by": suggestion.decided_by.username if suggestion.decided_by else None,
        "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
        "created_at": suggestion.created_at.isoformat(),
    }


@router.get("/runs", response=list[dict[str, Any]], summary="Training runs, newest first")
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    _require_manager(request)
    return [run_out(run) for run in selectors.classifier_runs()]


@router.get("/metrics", response=dict[str, Any], summary="Held-out and live accuracy")
def metrics(request: HttpRequest) -> dict[str, Any]:
    _require_manager(request)
    active = selectors.active_run()
    live = selectors.live_accuracy()
    return {
        "active": run_out(active) if active else None,
        "held_out": selectors.held_out_table(active),
        "live": {
            **{key: value for key, value in live.items() if key != "per_category"},
            "per_category": [
                {**asdict(row), "accuracy": row.accuracy} for row in live["per_category"]
            ],
        },
        "hot_spots": selectors.correction_hot_spots(),
    }


@router.post(
    "/train", response={202: dict[str, Any], 409: dict[str, Any]}, summary="Queue a training"
)
def train(request: HttpRequest) -> Status[dict[str, Any]]:
    _require_manager(request)
    if not queue_training(request.user.pk):
        raise Conflict("a training is already queued or running")
    return Status(202, {"queued": True})


class SuggestionQuery(InputSchema):
    ticket: str = Field(default="", max_length=20, description="ticket number")
    contact: ObjectId | None = None


def _visible(request: HttpRequest, filters: SuggestionQuery) -> ClassificationSuggestion:
    from kefu.channels.screens.selectors import contact_get
    from kefu.tickets.selectors import ticket_get

    if bool(filters.ticket) == (filters.contact is not None):
        raise InvalidInput("give either ticket or contact", field="ticket")
    if filters.ticket:
        ticket = ticket_get(user=request.user, number=filters.ticket)
        suggestion = selectors.suggestion_for(ticket=ticket)
    else:
        assert filters.contact is not None
        contact = contact_get(user=request.user, contact_id=filters.contact)
        suggestion = selectors.suggestion_for(contact=contact)
    if suggestion is None:
        raise NotFound("no classification suggestion for it yet")
    return suggestion


@router.get("/suggestion", response=dict[str, Any], summary="The suggestion of a ticket or contact")
def get_suggestion(request: HttpRequest, filters: Query[SuggestionQuery]) -> dict[str, Any]:
    suggestion = _visible(request, filters)
    return {**suggestion_out(suggestion), "may_decide": may_decide(request.user, suggestion)}


def _suggestion(suggestion_id: int) -> ClassificationSuggestion:
    suggestion = selectors.suggestion_get(suggestion_id=suggestion_id)
    if suggestion is None:
        raise NotFound(f"suggestion {suggestion_id} does not exist")
    return suggestion


class CorrectionIn(InputSchema):
    category: str = Field(min_length=1, max_length=64, description="category id or code")
    urgency: str = Field(min_length=1, max_length=16)


@router.post("/suggestions/{suggestion_id}/confirm", response=dict[str, Any], summary="Confirm")
def confirm(request: HttpRequest, suggestion_id: ObjectId) -> dict[str, Any]:
    decided = classification_confirm(actor=request.user, suggestion=_suggestion(suggestion_id))
    return suggestion_out(decided)


@router.post("/suggestions/{suggestion_id}/correct", response=dict[str, Any], summary="Correct")
def correct(request: HttpRequest, suggestion_id: ObjectId, payload: CorrectionIn) -> dict[str, Any]:
    decided = classification_correct(
        actor=request.user,
        suggestion=_suggestion(suggestion_id),
        category=payload.category,
        urgency=payload.urgency,
    )
    return suggestion_out(decided)
