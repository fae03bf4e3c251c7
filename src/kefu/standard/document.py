"""The standard profile document: parameters and SLA milestones, validated with clear errors.

parameters:
  first_response_urgent: 1h        # HND-3
milestones:
  - key: first_response_urgent
    rule: HND-3
    title: 首次响应（紧急）
    start: ticket_created
    stop: first_public_reply
    pause_statuses: [pending_customer]
    target: first_response_urgent  # a parameter key, or a literal duration such as 4h
    calendar: 24x7
    applies_to: {urgency: [urgent]}
    warn_at_percent: 80
    escalation:
      - {after: 0m, action: notify_assignee}
      - {after: 30m, action: notify_team_lead}
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kefu.calendars.durations import parse_duration
from kefu.core.errors import InvalidInput
from kefu.standard.catalog import BY_KEY, PARAMETERS

START_EVENTS = (
    "ticket_created",
    "first_public_reply",
    "department_routed",
    "ticket_resolved",
    # Complaint stages (CMP-1…4): received is the moment the center got the complaint.
    "complaint_received",
    "complaint_solved",
    "complaint_rectified",
    "department_asked",
)
STOP_EVENTS = (
    "first_public_reply",
    "public_reply",
    "department_routed",
    "ticket_resolved",
    "record_completed",
    "notice_sent",
    "complaint_registered",
    "complaint_investigated",
    "complaint_solved",
    "complaint_rectified",
    "department_replied",
)
ACTIONS = (
    "notify_assignee",
    "notify_team_lead",
    "notify_manager",
    "notify_department",
    "reassign_to_team_lead",
    "raise_priority",
)
STATUSES = (
    "new",
    "open",
    "pending_customer",
    "pending_department",
    "resolved",
    "closed",
    "cancelled",
)
FILTER_KEYS = (
    "category_root",
    "category",
    "handling_class",
    "urgency",
    "priority",
    "channel",
    "customer_tier",
    "complaint_severity",
)
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_RULE = re.compile(r"^[A-Z]{2,4}-\d{1,2}$")


class EscalationStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str = Field(description="time after the breach, e.g. 0m, 30m, 2h")
    action: Literal[ACTIONS]  # type: ignore[valid-type]

    @field_validator("after")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value, field="after")
        return value


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    rule: str
    title: str = Field(min_length=1, max_length=100)
    start: Literal[START_EVENTS]  # type: ignore[valid-type]
    stop: Literal[STOP_EVENTS]  # type: ignore[valid-type]
    notice: str | None = Field(default=None, description="for stop: notice_sent, which notice")
    pause_statuses: list[Literal[STATUSES]] = Field(default_factory=list)  # type: ignore[valid-type]
    target: str
    calendar: str = "24x7"
    applies_to: dict[str, list[str]] = Field(default_factory=dict)
    warn_at_percent: int = Field(default=80, ge=1, le=99)
    recurring: bool = False
    escalation: list[EscalationStep] = Field(default_factory=list, max_length=10)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError("lower-case letters, digits and _, starting with a letter")
        return value

    @field_validator("rule")
    @classmethod
    def _rule(cls, value: str) -> str:
        if not _RULE.match(value):
            raise ValueError("a rule ID such as HND-3")
        return value

    @field_validator("applies_to")
    @classmethod
    def _filters(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(FILTER_KEYS))
        if unknown:
            raise ValueError(f"unknown filter {unknown[0]!r}; one of {', '.join(FILTER_KEYS)}")
        return value


class ProfileDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parameters: dict[str, Any]
    milestones: list[Milestone] = Field(default_factory=list)


def _location(error: Any) -> str:
    return ".".join(str(part) for part in error.get("loc", ())) or "document"


def validate_document(raw: Any, *, known_calendars: set[str] | None = None) -> dict[str, Any]:
    """Check a profile document; returns it normalised, or raises InvalidInput naming the spot."""
    try:
        document = ProfileDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{_location(first)}: {first['msg']}", field=_location(first)) from None
    parameters: dict[str, Any] = {}
    unknown = sorted(set(document.parameters) - set(BY_KEY))
    if unknown:
        raise InvalidInput(
            f"parameters.{unknown[0]}: not a parameter kefu knows", field=f"parameters.{unknown[0]}"
        )
    for parameter in PARAMETERS:
        where = f"parameters.{parameter.key}"
        value = document.parameters.get(parameter.key, parameter.default)
        if parameter.kind == "duration":
            parse_duration(str(value), field=where)
            parameters[parameter.key] = str(value)
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(f"{where}: must be a number, not {value!r}", field=where)
            if parameter.kind == "percent" and not 0 <= value <= 100:
                raise InvalidInput(f"{where}: a percentage between 0 and 100", field=where)
            if parameter.kind in ("seconds",) and value < 0:
                raise InvalidInput(f"{where}: cannot be negative", field=where)
            parameters[parameter.key] = value
    keys: set[str] = set()
    for index, milestone in enumerate(document.milestones):
        where = f"milestones.{index}"
        if milestone.key in keys:
            raise InvalidInput(
                f"{where}.key: {milestone.key!r} appears twice", field=f"{where}.key"
            )
        keys.add(milestone.key)
        if milestone.target in BY_KEY:
            if BY_KEY[milestone.target].kind != "duration":
                raise InvalidInput(
                    f"{where}.target: {milestone.target} is not a duration", field=f"{where}.target"
                )
        else:
            parse_duration(milestone.target, field=f"{where}.target")
        if known_calendars is not None and milestone.calendar not in known_calendars:
            raise InvalidInput(
                f"{where}.calendar: no calendar named {milestone.calendar!r}",
                field=f"{where}.calendar",
            )
        if milestone.stop == "notice_sent" and not milestone.notice:
            raise InvalidInput(
                f"{where}.notice: name the notice that stops the clock", field=f"{where}.notice"
            )
    return {
        "parameters": parameters,
        "milestones": [
            milestone.model_dump(exclude_defaults=False) for milestone in document.milestones
        ],
    }


def milestone_target(document: dict[str, Any], milestone: dict[str, Any]) -> str:
    """The duration text of a milestone's target (a parameter reference or a literal)."""
    target = str(milestone["target"])
    return str(document["parameters"].get(target, target))
