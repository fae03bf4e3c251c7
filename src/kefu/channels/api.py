"""The CTI endpoint a PBX calls for every call event (TEC-7, ACC-1, ACC-2, ACC-3).

``POST /api/v1/cti/events`` takes JSON, or multipart form data for ``recording`` (the audio in
``file``). A repeated event answers 200 and changes nothing; a new one answers 201. ``ringing``
answers with the screen pop for the agent's desk. An ``event_id`` reused for another kind of
event answers 409; an ``answered`` before the call's ringing answers 422 (field ``at``).

``GET /api/v1/cti/answer-rate?start=YYYY-MM-DD&end=YYYY-MM-DD[&team=ID]`` gives the answer
figures of inbound calls per day (ACC-1 answered within target, PRF-1 answer rate).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import Field, ValidationError

from kefu.accounts.models import Team
from kefu.channels import selectors, services
from kefu.channels.models import Contact
from kefu.channels.screens.reports import answer_rate_report, may_see_wallboard, report_period
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.schemas import InputSchema, OffsetDateTime

router = Router(tags=["cti"])


class SegmentIn(InputSchema):
    speaker: Literal["agent", "customer", "system"]
    start: float = Field(ge=0, le=86_400)
    end: float = Field(ge=0, le=86_400)
    text: str = Field(min_length=1, max_length=5_000)


class CtiEventIn(InputSchema):
    call_id: str = Field(min_length=1, max_length=128, description="the PBX's id of the call")
    event: Literal[
        "ringing", "answered", "held", "resumed", "transferred", "ended", "recording", "transcript"
    ]
    at: OffsetDateTime = Field(description="when it happened, with its UTC offset")
    caller: str = Field(default="", max_length=40, description="the calling number")
    agent: str | None = Field(default=None, max_length=150, description="kefu username")
    target_agent: str | None = Field(default=None, max_length=150, description="for transferred")
    event_id: str = Field(default="", max_length=150, description="the PBX's id of the event")
    direction: Literal["inbound", "outbound"] = "inbound"
    disclosed: bool = Field(default=False, description="recording: purpose announced (ACC-3)")
    segments: list[SegmentIn] = Field(default_factory=list, max_length=2_000)


def _payload(request: HttpRequest) -> tuple[CtiEventIn, services.Upload | None]:
    upload = None
    if (request.content_type or "").startswith("multipart/form-data"):
        data: Any = request.POST.dict()
        if isinstance(data.get("segments"), str):
            try:
                data["segments"] = json.loads(data["segments"])
            except ValueError:
                raise InvalidInput("segments: not JSON", field="segments") from None
        file = request.FILES.get("file")
        if file is not None:
            upload = services.Upload(
                filename=file.name or "recording",
                content=file.read(),
                content_type=file.content_type or "",
            )
    else:
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("the body is not JSON", field="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    try:
        return CtiEventIn.model_validate(data), upload
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from None


def _out(contact: Contact) -> dict[str, Any]:
    return {
        "contact": contact.pk,
        "call_id": contact.external_id,
        "state": contact.state,
        "agent": contact.agent.username if contact.agent_id and contact.agent else None,
        "offered_at": contact.offered_at,
        "answered_at": contact.answered_at,
        "ended_at": contact.ended_at,
        "wait_seconds": contact.wait_seconds,
        "handle_seconds": contact.handle_seconds,
        "held_seconds": contact.held_seconds,
        "transfers": contact.transfers,
        "customer": contact.customer_id,
    }


@router.post("/events", response={200: dict[str, Any], 201: dict[str, Any]})
def cti_event(request: HttpRequest) -> Status[dict[str, Any]]:
    if not request.user.has_perm("channels.add_contactevent"):  # before reading any upload
        raise PermissionDenied("your role may not report telephony events")
    payload, upload = _payload(request)
    outcome = services.cti_event_record(
        actor=request.user,
        call_id=payload.call_id,
        event=payload.event,
        at=payload.at,
        caller=payload.caller,
        agent=payload.agent,
        target_agent=payload.target_agent,
        event_id=payload.event_id,
        direction=payload.direction,
        disclosed=payload.disclosed,
        segments=[services.Segment(s.speaker, s.start, s.end, s.text) for s in payload.segments],
        recording=upload,
    )
    body = {**_out(outcome.contact), "created": outcome.created}
    # An event may overtake the call's ringing: then it created the call, and says so.
    body["call_created"] = outcome.call_created
    if payload.event == "ringing":
        body["screen_pop"] = selectors.screen_pop(outcome.contact)
    return Status(201 if outcome.created else 200, body)


@router.get("/answer-rate", response=dict[str, Any])
def answer_rate(
    request: HttpRequest, start: dt.date, end: dt.date, team: int | None = None
) -> dict[str, Any]:
    """ACC-1 / PRF-1 figures of inbound calls per local day, ``start`` to ``end`` inclusive:
    offered, answered, answered within the standard's target, abandoned, rates, average wait."""
    if not may_see_wallboard(request.user):
        raise PermissionDenied("answer figures are for team leads and managers")
    chosen = None
    if team is not None:
        chosen = Team.objects.filter(pk=team, is_active=True).first()
        if chosen is None:
            raise InvalidInput(f"team: no active team {team}", field="team")
    first, last = report_period(start, end)  # 422 naming start or end, never an overflow
    return answer_rate_report(start=first, end=last, team=chosen).as_dict()
