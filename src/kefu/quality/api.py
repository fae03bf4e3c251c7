"""The quality check over HTTP (QA-3, SCR-2): ``POST /api/v1/qa/check`` and
``POST /api/v1/qa/draft``.

Any authenticated member of staff may check a transcript; nothing is stored. The body is the
transcript ``{"channel", "language", "segments": [...]}``; a bad field answers 422 naming it.
``/qa/draft`` checks an agent's reply before it is sent ("while typing", SCR-2): only the
forbidden-phrase rules, the draft read as one agent turn.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, model_validator

from kefu.core.schemas import InputSchema
from kefu.quality.engine import (
    MAX_SECONDS,
    MAX_SEGMENTS,
    MAX_TEXT,
    Segment,
    Transcript,
    check_draft,
    check_transcript,
)
from kefu.quality.services import rules_in_force

router = Router(tags=["quality"])


class TranscriptSegmentIn(InputSchema):
    speaker: Literal["agent", "customer", "system"]
    start: float | None = Field(default=None, ge=0, le=MAX_SECONDS, description="seconds")
    end: float | None = Field(default=None, ge=0, le=MAX_SECONDS, description="seconds")
    text: str = Field(max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _end_after_start(self) -> TranscriptSegmentIn:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class TranscriptIn(InputSchema):
    channel: str = Field(min_length=1, max_length=32, description="call, chat, email, wechat …")
    language: str = Field(default="zh", max_length=16)
    segments: list[TranscriptSegmentIn] = Field(max_length=MAX_SEGMENTS)


class FindingOut(Schema):
    standard: str
    category: str
    segment: int | None
    evidence: str
    suggestion: str
    rule: str
    span: list[int] | None
    detail: dict[str, Any]


class DimensionsOut(Schema):
    process: int | float
    communication: int | float
    script: int | float
    result: int | float


class CheckOut(Schema):
    findings: list[FindingOut]
    dimensions: DimensionsOut
    score: int | float


@router.post("/check", response=CheckOut, summary="Check a transcript against the quality rules")
def qa_check(request: HttpRequest, payload: TranscriptIn) -> dict[str, Any]:
    transcript = Transcript(
        channel=payload.channel,
        language=payload.language,
        segments=tuple(
            Segment(speaker=item.speaker, text=item.text, start=item.start, end=item.end)
            for item in payload.segments
        ),
    )
    return check_transcript(transcript, rules_in_force().rule_set)  # the profile's rules


class DraftIn(InputSchema):
    text: str = Field(default="", max_length=MAX_TEXT, description="the agent's draft reply")
    channel: str = Field(default="", max_length=32, description="ticket, chat, email, wechat …")


class DraftFindingOut(Schema):
    standard: str
    category: str
    evidence: str
    span: list[int] = Field(description="[start, end) character offsets into text")
    suggestion: str


class DraftOut(Schema):
    findings: list[DraftFindingOut]


@router.post(
    "/draft", response=DraftOut, summary="Check a draft reply for forbidden phrases (SCR-2)"
)
def qa_draft(request: HttpRequest, payload: DraftIn) -> dict[str, Any]:
    return {"findings": check_draft(payload.text, rules_in_force().rule_set)}
