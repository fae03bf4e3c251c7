"""HTTP API of the FAQ bot (TEC-2) at ``/api/v1/assist/bot``.

Public endpoints for the portal's bot box (``bot.js``), on the portal's own origin: no login;
the browser's Django session identifies the visitor (only a keyed hash of its key is stored) and
every POST needs the CSRF token (``X-CSRFToken`` header), like the portal's forms.

* ``POST /start`` — a new conversation: ``{"session", "outcome", ...}`` (201);
* ``POST /ask`` ``{"question"}`` — the bot's reply (``kind`` answer / choices / out_of_scope);
  starts a conversation when the browser has none that takes questions;
* ``POST /choose`` ``{"turn", "faq"}`` — pick one of the offered entries: an answer;
* ``POST /feedback`` ``{"turn", "helpful"}`` — rate an answer, once (409 the second time);
* ``POST /handoff`` — talk to a person: outcome ``handed_off``, ``next`` is the request form.

Questions (and new conversations from ``/start``) are limited per client address and hour like
the portal's FAQ search (``KEFU_PORTAL_SEARCHES_PER_HOUR``; 429 with ``Retry-After``). The chat widget's bot uses the
widget's own cross-origin API under ``/chat/api/<key>/bot/…`` (token in the body).

Staff: ``GET /report?start=&end=&channel=`` — the deflection report (team leads, service managers,
administrators).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status
from ninja.utils import check_csrf
from pydantic import Field

from kefu.assist import bot_selectors, bot_services
from kefu.assist.bot_web import portal_request_url, portal_visitor_key
from kefu.assist.models import BotChannel
from kefu.core.errors import PermissionDenied
from kefu.core.schemas import InputSchema

router = Router(tags=["assist"])
PORTAL = BotChannel.PORTAL


class AskIn(InputSchema):
    question: Any = None


class ChooseIn(InputSchema):
    turn: Any = None
    faq: Any = None


class FeedbackIn(InputSchema):
    turn: Any = None
    helpful: Any = None


class ReportQuery(InputSchema):
    start: str = Field(default="", max_length=10)
    end: str = Field(default="", max_length=10)
    channel: str = Field(default="", max_length=16)


def _error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    from kefu.api import api

    return api.create_response(request, {"error": code, "detail": detail}, status=status)


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _guard(request: HttpRequest, *, counted: bool) -> HttpResponse | None:
    refused = check_csrf(request)
    if refused is not None:
        return _error(request, 403, "csrf", "the CSRF token is missing or wrong; reload the page")
    if counted and not bot_services.bot_throttle_hit(_client(request)):
        from kefu.channels.portal.throttle import retry_after_seconds

        response = _error(request, 429, "rate_limited", "too many questions from this address")
        response["Retry-After"] = str(retry_after_seconds())
        return response
    return None


def _reply(request: HttpRequest, session: Any, turn: Any, status: int = 200) -> HttpResponse:
    from kefu.api import api

    body = {**bot_selectors.bot_session_out(session), **bot_selectors.bot_turn_out(turn)}
    return api.create_response(request, body, status=status)


@router.post("/start", auth=None, response={201: dict})
def bot_start(request: HttpRequest) -> Any:
    # Counted like a question: each call writes a session row, so it must not be unlimited.
    refused = _guard(request, counted=True)
    if refused is not None:
        return refused
    session = bot_services.bot_session_start(
        channel=PORTAL, visitor_key=portal_visitor_key(request)
    )
    return Status(201, bot_selectors.bot_session_out(session))


@router.post("/ask", auth=None)
def bot_ask(request: HttpRequest, payload: AskIn) -> Any:
    refused = _guard(request, counted=True)
    if refused is not None:
        return refused
    question = bot_services.bot_question_clean(payload.question)
    session = bot_services.bot_session_for_question(
        channel=PORTAL, visitor_key=portal_visitor_key(request)
    )
    turn = bot_services.bot_ask(session=session, question=question)
    return _reply(request, session, turn, status=201)


@router.post("/choose", auth=None)
def bot_choose(request: HttpRequest, payload: ChooseIn) -> Any:
    refused = _guard(request, counted=True)
    if refused is not None:
        return refused
    session = bot_selectors.bot_session_current(
        channel=PORTAL, visitor_key=portal_visitor_key(request)
    )
    turn = bot_services.bot_choose(session=session, turn_id=payload.turn, faq_id=payload.faq)
    return _reply(request, session, turn, status=201)


@router.post("/feedback", auth=None)
def bot_feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    refused = _guard(request, counted=False)
    if refused is not None:
        return refused
    session = bot_selectors.bot_session_current(
        channel=PORTAL, visitor_key=portal_visitor_key(request)
    )
    turn = bot_services.bot_feedback(session=session, turn_id=payload.turn, helpful=payload.helpful)
    return _reply(request, session, turn)


@router.post("/handoff", auth=None)
def bot_handoff(request: HttpRequest) -> Any:
    refused = _guard(request, counted=False)
    if refused is not None:
        return refused
    session = bot_selectors.bot_session_current(
        channel=PORTAL, visitor_key=portal_visitor_key(request)
    )
    handed = bot_services.bot_handoff(session=session)
    return {**bot_selectors.bot_session_out(handed.session), "next": portal_request_url(session)}


@router.get("/report")
def bot_report(request: HttpRequest, filters: Query[ReportQuery]) -> Any:
    """The deflection report (TEC-2) for team leads, service managers and administrators."""
    if not bot_selectors.may_read_bot_report(request.user):
        raise PermissionDenied("your role does not read the bot report")
    report = bot_selectors.deflection_report(
        start=filters.start, end=filters.end, channel=filters.channel
    )
    return report.as_dict()
