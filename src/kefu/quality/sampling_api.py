"""The sampling API at /api/v1/qa/sampling (QA-2): plans, running one now, and runs.

Bad input is a 422 with its field (``ordinary_percent`` outside the standard's band, an unknown
field, …); people without the role get a 403. A change that changes nothing answers 200 with the
plan as it is, and writes no audit event. Validation and writes are the services' (sampling_services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import ConfigDict, Field

from kefu.core.schemas import InputSchema, ObjectId
from kefu.quality import sampling_selectors as selectors
from kefu.quality.sampling_services import sampling_plan_save, sampling_run

router = Router(tags=["quality"])


class PlanIn(InputSchema):
    # A field the plan does not have ({"rate": "x"}) is a 422 naming it, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    is_active: bool | None = None
    ordinary_percent: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)
    agent_minimum: int | None = None
    period: str | None = None
    include_complaints: bool | None = None
    include_fatal: bool | None = None
    channels: list[str] | None = None
    scorecard: ObjectId | None = None


def _fields(payload: PlanIn) -> dict[str, Any]:
    return {
        key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None
    }


@router.get("/plans", response=dict[str, Any], summary="Sampling plans and the standard's band")
def list_plans(request: HttpRequest) -> dict[str, Any]:
    plans = selectors.sampling_plan_list(user=request.user)
    return {
        "items": [selectors.plan_out(plan) for plan in plans],
        "band": selectors.sampling_band(),
    }


@router.post("/plans", response={201: dict[str, Any]}, summary="Create a sampling plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    plan = sampling_plan_save(actor=request.user, **_fields(payload))
    return Status(201, selectors.plan_out(plan))


@router.put("/plans/{plan_id}", response=dict[str, Any], summary="Change a sampling plan")
def update_plan(request: HttpRequest, plan_id: ObjectId, payload: PlanIn) -> dict[str, Any]:
    plan = selectors.sampling_plan_get(user=request.user, plan_id=plan_id)
    return selectors.plan_out(sampling_plan_save(actor=request.user, plan=plan, **_fields(payload)))


@router.post("/plans/{plan_id}/run", response=dict[str, Any], summary="Run a sampling plan now")
def run_plan(
    request: HttpRequest, plan_id: ObjectId, period_start: dt.date | None = None
) -> dict[str, Any]:
    """``?period_start=YYYY-MM-DD``: a day of the period to run (default: the last complete)."""
    plan = selectors.sampling_plan_get(user=request.user, plan_id=plan_id)
    return selectors.run_out(sampling_run(actor=request.user, plan=plan, period_start=period_start))


@router.get("/runs/{run_id}", response=dict[str, Any], summary="One sampling run with its stats")
def get_run(request: HttpRequest, run_id: ObjectId) -> dict[str, Any]:
    return selectors.run_out(selectors.sampling_run_get(user=request.user, run_id=run_id))
