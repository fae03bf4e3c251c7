"""Agent assist over HTTP (TEC-1) at ``/api/v1/assist/suggest``.

``POST ""`` with ``{"text", "channel"?, "context"?: [earlier customer turns, oldest first],
"agent_turns"?}`` answers the FAQ answers, articles and scripts for the customer's message.
``GET /ticket/{number}`` and ``GET /contact/{id}`` read the customer's latest message (and the
earlier ones) of a ticket or contact the user may see themselves (404 for one they may not).
Agents and above only (403 otherwise); an empty or over-long ``text``, an unknown ``channel``
or too many ``context`` turns is a 422 naming the field.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from kefu.assist.agent_assist import (
    MAX_CONTEXT,
    AssistSuggestions,
    assist_suggestions,
    contact_conversation,
    conversation_suggestions,
    ticket_conversation,
)
from kefu.core.schemas import InputSchema, ObjectId

router = Router(tags=["assist"])


class SuggestIn(InputSchema):
    # Bounds here only stop absurd bodies; the selector says what is wrong with the text.
    text: str = Field(default="", max_length=100_000)
    channel: str = Field(default="", max_length=16)
    context: list[str] = Field(default_factory=list, max_length=MAX_CONTEXT * 10)
    agent_turns: int | None = Field(default=None, ge=0, le=100_000)


class FaqOut(Schema):
    id: int
    question: str
    answer_html: str = Field(description="sanitized HTML of the answer (Markdown)")
    answer_text: str = Field(description="the answer as plain text, for the composer")
    score: float
    reason: str
    url: str


class ArticleOut(Schema):
    id: int
    title: str
    snippet: str = Field(description="HTML: escaped text with <mark> around matched terms")
    score: float
    reason: str
    url: str


class ScriptOut(Schema):
    id: int
    stage: str
    stage_label: str
    title: str
    text: str
    score: float
    reason: str


class SuggestionsOut(Schema):
    text: str = Field(description="the customer's message the suggestions are for")
    stage: str = Field(description="the conversation stage the scripts were chosen for (SCR-4)")
    stage_label: str
    faqs: list[FaqOut]
    articles: list[ArticleOut]
    scripts: list[ScriptOut]


def _out(found: AssistSuggestions) -> dict[str, Any]:
    return asdict(found)


@router.post("", response=SuggestionsOut, summary="Suggestions for a customer's message")
def suggest(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    return _out(
        assist_suggestions(
            user=request.user,
            text=payload.text,
            channel=payload.channel,
            context_texts=payload.context,
            agent_turns=payload.agent_turns,
        )
    )


@router.get(
    "/ticket/{number}",
    response=SuggestionsOut,
    summary="Suggestions for the customer's latest message on a ticket",
)
def suggest_for_ticket(request: HttpRequest, number: str) -> dict[str, Any]:
    conversation = ticket_conversation(user=request.user, number=number[:40])
    return _out(conversation_suggestions(user=request.user, conversation=conversation))


@router.get(
    "/contact/{contact_id}",
    response=SuggestionsOut,
    summary="Suggestions for the customer's latest message of a contact",
)
def suggest_for_contact(request: HttpRequest, contact_id: ObjectId) -> dict[str, Any]:
    conversation = contact_conversation(user=request.user, contact_id=contact_id)
    return _out(conversation_suggestions(user=request.user, conversation=conversation))
