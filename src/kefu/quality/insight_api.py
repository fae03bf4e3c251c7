"""Quality insights and the monthly suggestions over HTTP (QA-3, QA-4, QA-5, IMP-1), under
``/api/v1/qa/insights``.

``GET pass-rates|violations|topics`` take ``start`` and ``end`` (YYYY-MM-DD, both included;
default: this month so far); a bad date is a 422 naming it. Team leads see their team, QA
specialists, trainers, managers and administrators the whole center; agents get 403. A team
lead's teams are their own and those they lead (the inspection list's rule). Conversation text
(examples, evidence) comes with phone, ID numbers and e-mail addresses masked (SEC-3).
``GET|POST suggestions`` list or draw a month's suggestions; ``POST suggestions/{id}/accept``
and ``/dismiss`` decide one (a decided one is a 409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kefu.core.errors import InvalidInput, NotFound
from kefu.core.schemas import MAX_ID, InputSchema
from kefu.people.services import month_parse
from kefu.quality import insight_selectors as insights
from kefu.quality import suggestions as services
from kefu.quality.models import ImprovementSuggestion

router = Router(tags=["quality insights"])


class PeriodQuery(InputSchema):
    start: str | None = Field(default=None, max_length=32, description="YYYY-MM-DD")
    end: str | None = Field(default=None, max_length=32, description="YYYY-MM-DD")


class PassRateQuery(PeriodQuery):
    group_by: str = Field(default="agent", max_length=16, description="agent, team or month")


class ViolationQuery(PeriodQuery):
    limit: int = Field(default=10, ge=1, le=insights.MAX_LIMIT)
    agent: int | None = Field(default=None, ge=1, le=MAX_ID)


class TopicQuery(PeriodQuery):
    limit: int = Field(default=20, ge=1, le=insights.MAX_LIMIT)


class MonthQuery(InputSchema):
    month: str | None = Field(default=None, max_length=16, description="YYYY-MM")


class DrawIn(InputSchema):
    month: str = Field(max_length=16, description="YYYY-MM")


class AcceptIn(InputSchema):
    title: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=4_000, description="script text or detail")
    stage: str | None = Field(default=None, max_length=32, description="script stage (SCR-4)")
    category: str | None = Field(default=None, max_length=64)
    replaces: str | None = Field(default=None, max_length=500)
    month: str | None = Field(default=None, max_length=16, description="training month YYYY-MM")
    teams: list[int] = Field(default_factory=list, max_length=500)
    agents: list[int] = Field(default_factory=list, max_length=500)


class DismissIn(InputSchema):
    reason: str = Field(default="", max_length=4_000)


class SuggestionOut(Schema):
    id: int
    month: str
    kind: str
    title: str
    detail: str
    evidence: dict[str, Any]
    state: str
    decided_by: int | None
    decided_at: dt.datetime | None
    accepted_as: str


def _suggestion(row: ImprovementSuggestion) -> dict[str, Any]:
    return {
        "id": row.pk,
        "month": f"{row.month:%Y-%m}",
        "kind": row.kind,
        "title": row.title,
        "detail": row.detail,
        "evidence": insights.mask_evidence(row.evidence),
        "state": row.state,
        "decided_by": row.decided_by_id,
        "decided_at": row.decided_at,
        "accepted_as": row.accepted_as,
    }


def _month(value: str | None, *, field: str = "month") -> dt.date | None:
    if value in (None, ""):
        return None
    month = month_parse(value)
    if month is None:
        raise InvalidInput("must be a month YYYY-MM", field=field)
    return month


@router.get("/pass-rates")
def pass_rates(request: HttpRequest, query: Query[PassRateQuery]) -> dict[str, Any]:
    """QA pass rate per agent, team or month vs the target (QA-4)."""
    team = insights.insight_team_scope(request.user)
    start, end = insights.insight_period(query.start, query.end)
    target = insights.pass_rate_target()  # read once (QA-4)
    rows = insights.pass_rates(
        start=start, end=end, group_by=query.group_by, team=team, target=target
    )
    return {
        "start": start,
        "end": end,
        "group_by": query.group_by,
        "target": target,
        "overall": insights.pass_rate_overall(start=start, end=end, team=team, target=target),
        "rows": rows,
    }


@router.get("/violations")
def violations(request: HttpRequest, query: Query[ViolationQuery]) -> dict[str, Any]:
    """The most frequent violations and failed scorecard items (QA-3)."""
    team = insights.insight_team_scope(request.user)
    start, end = insights.insight_period(query.start, query.end)
    found = insights.frequent_violations(
        start=start, end=end, team=team, agent=query.agent, limit=query.limit
    )
    return {"start": start, "end": end, **found}


@router.get("/topics")
def topics(request: HttpRequest, query: Query[TopicQuery]) -> dict[str, Any]:
    """The most frequent customer topics: keywords and phrases of customer turns (QA-3)."""
    team = insights.insight_team_scope(request.user)
    start, end = insights.insight_period(query.start, query.end)
    found = insights.customer_topics(start=start, end=end, limit=query.limit, team=team)
    return {"start": start, "end": end, **found}


@router.get("/suggestions", response=list[SuggestionOut])
def suggestion_list(request: HttpRequest, query: Query[MonthQuery]) -> list[dict[str, Any]]:
    """A month's suggestions (all months without ``month``), newest first (QA-5)."""
    month = _month(query.month)
    rows = insights.improvement_suggestions(user=request.user, month=month)[:500]
    return [_suggestion(row) for row in rows]


@router.post("/suggestions", response=list[SuggestionOut])
def suggestion_draw(request: HttpRequest, payload: DrawIn) -> list[dict[str, Any]]:
    """Draw (again) a month's suggestions from its findings; idempotent (QA-5)."""
    month = _month(payload.month)
    assert month is not None
    rows = services.suggestions_draw(actor=request.user, month=month)
    return [_suggestion(row) for row in rows]


def _get(request: HttpRequest, suggestion_id: int) -> ImprovementSuggestion:
    if not 1 <= suggestion_id <= MAX_ID:
        raise NotFound("no such suggestion")
    row = insights.improvement_suggestions(user=request.user).filter(pk=suggestion_id).first()
    if row is None:
        raise NotFound("no such suggestion")
    return row


@router.post("/suggestions/{suggestion_id}/accept", response=SuggestionOut)
def suggestion_accept(
    request: HttpRequest, suggestion_id: int, payload: AcceptIn
) -> dict[str, Any]:
    """Accept into the script library or the training plan, edited first if given (QA-5)."""
    row = _get(request, suggestion_id)
    accepted = services.suggestion_accept(
        actor=request.user,
        suggestion=row,
        title=payload.title,
        text=payload.text,
        stage=payload.stage,
        category=payload.category,
        replaces=payload.replaces,
        month=_month(payload.month),
        teams=payload.teams,
        agents=payload.agents,
    )
    return _suggestion(accepted)


@router.post("/suggestions/{suggestion_id}/dismiss", response=SuggestionOut)
def suggestion_dismiss(
    request: HttpRequest, suggestion_id: int, payload: DismissIn
) -> dict[str, Any]:
    """Dismiss a proposed suggestion (QA-5)."""
    row = _get(request, suggestion_id)
    return _suggestion(
        services.suggestion_dismiss(actor=request.user, suggestion=row, reason=payload.reason)
    )
