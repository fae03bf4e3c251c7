"""The standard profile document: parameters, SLA milestones and the quality rules, validated
with clear errors.

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
quality_rules:                     # QA-3, SCR-2…5: see kefu.quality.defaults (default: those)
  forbidden: [...]
  required: [...]
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kefu.calendars.durations import parse_duration
from kefu.core.errors import InvalidInput
from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.engine import RuleSetError, rule_set_from_data
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
    # QA-3, SCR-2…5, HND-1, HND-9, CLS-1, CLS-2: the quality rules; absent means the defaults.
    quality_rules: dict[str, Any] | None = None


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
        "quality_rules": validate_quality_rules(document.quality_rules),
    }


# --- quality rules (QA-3) --------------------------------------------------------------------

MAX_RULES_BYTES = 256 * 1024
MAX_RULES = 200
MAX_TEXTS = 500
MAX_TEXT_LENGTH = 200
FORBIDDEN_FIELDS = frozenset(
    {
        "key",
        "standard",
        "category",
        "label",
        "phrases",
        "gaps",
        "standalone",
        "examples",
        "negations",
        "similarity",
        "suggestion",
    }
)
REQUIRED_FIELDS = frozenset(
    {"key", "standard", "category", "label", "stage", "phrases", "gaps", "suggestion", "channels"}
)
TEXT_LISTS = ("phrases", "gaps", "standalone", "examples", "negations", "channels")
# Upper bounds of the numeric thresholds (the engine checks they are numbers, not negative).
THRESHOLD_LIMITS: dict[str, float] = {
    "max_gap": 50,
    "stages.opening_turns": 50,
    "stages.closing_turns": 50,
    "empathy.exclamation_ratio": 1,
    "speech_rate.min_cpm": 1000,
    "speech_rate.max_cpm": 1000,
    "speech_rate.min_seconds": 600,
    "speech_rate.min_chars": 10_000,
    "silence.max_seconds": 3600,
    "silence.max_hold_seconds": 3600,
    "interruption.min_overlap_seconds": 600,
}


def _invalid(where: str, message: str) -> InvalidInput:
    field = f"quality_rules.{where}" if where else "quality_rules"
    return InvalidInput(f"{field}: {message}", field=field)


def _check_rule_list(rules: Mapping[str, Any], kind: str, allowed: frozenset[str]) -> None:
    entries = rules.get(kind)
    if not isinstance(entries, list):
        return  # the engine names it
    if len(entries) > MAX_RULES:
        raise _invalid(kind, f"at most {MAX_RULES} rules")
    keys: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{kind}.{index}"
        if not isinstance(entry, Mapping):
            raise _invalid(where, "must be an object")
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise _invalid(f"{where}.{unknown[0]}", f"not a field of a {kind} rule")
        for name in ("key", "category"):
            value = entry.get(name)
            if not isinstance(value, str) or not _KEY.match(value):
                raise _invalid(
                    f"{where}.{name}", "lower-case letters, digits and _, starting with a letter"
                )
        if entry["key"] in keys:
            raise _invalid(f"{where}.key", f"{entry['key']!r} appears twice")
        keys.add(entry["key"])
        if not isinstance(entry.get("standard"), str) or not _RULE.match(entry["standard"]):
            raise _invalid(f"{where}.standard", "a rule ID such as SCR-2")
        for name in ("suggestion", "label"):
            value = entry.get(name, "")
            if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
                raise _invalid(f"{where}.{name}", f"text of at most {MAX_TEXT_LENGTH} characters")
        similarity = entry.get("similarity", 0.6)
        if isinstance(similarity, bool) or not isinstance(similarity, int | float):
            raise _invalid(f"{where}.similarity", "a number above 0 and at most 1")
        if kind == "forbidden" and not str(entry.get("suggestion", "")).strip():
            raise _invalid(f"{where}.suggestion", "name the recommended replacement (SCR-2)")
        for name in TEXT_LISTS:
            value = entry.get(name, [])
            if not isinstance(value, list):
                raise _invalid(f"{where}.{name}", "must be a list of texts")
            if len(value) > MAX_TEXTS:
                raise _invalid(f"{where}.{name}", f"at most {MAX_TEXTS} entries")
            for number, text in enumerate(value):
                if not isinstance(text, str) or not text.strip():
                    raise _invalid(f"{where}.{name}", f"entry {number + 1} is empty")
                if len(text) > MAX_TEXT_LENGTH:
                    raise _invalid(
                        f"{where}.{name}",
                        f"entry {number + 1} is longer than {MAX_TEXT_LENGTH} characters",
                    )
        if kind == "forbidden" and not any(
            entry.get(name) for name in ("phrases", "gaps", "standalone", "examples")
        ):
            raise _invalid(
                f"{where}.phrases", "a rule needs phrases, gap patterns, standalone or examples"
            )


def _check_thresholds(rules: Mapping[str, Any]) -> None:
    for where, limit in THRESHOLD_LIMITS.items():
        block: Any = rules
        *path, name = where.split(".")
        for part in path:
            block = block.get(part) if isinstance(block, Mapping) else None
        value = block.get(name) if isinstance(block, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value > limit:
            raise _invalid(where, f"at most {limit:g}")


def validate_quality_rules(raw: Any) -> dict[str, Any]:
    """The quality rules of a profile document, checked by building them with the engine.

    ``None`` (a document without the section) gives the defaults (:data:`DEFAULT_RULES`). A bad
    rule raises InvalidInput naming the spot, e.g. ``quality_rules.forbidden.3.phrases``.
    """
    if raw is None:
        return copy.deepcopy(DEFAULT_RULES)
    if not isinstance(raw, Mapping):
        raise _invalid("", "must be a mapping of rule kinds")
    try:
        text = json.dumps(raw, ensure_ascii=False, allow_nan=False)
        size = len(text.encode("utf-8"))
    except (TypeError, ValueError):
        raise _invalid("", "must hold only texts, numbers, lists and mappings") from None
    if "\\u0000" in text:
        raise _invalid("", "a text holds a NUL character")
    if size > MAX_RULES_BYTES:
        raise _invalid("", "larger than 256 KiB")
    rules: dict[str, Any] = json.loads(text)
    _check_rule_list(rules, "forbidden", FORBIDDEN_FIELDS)
    _check_rule_list(rules, "required", REQUIRED_FIELDS)
    _check_thresholds(rules)
    try:
        rule_set_from_data(rules)
    except RuleSetError as exc:
        raise _invalid(exc.path, str(exc).removeprefix(f"{exc.path}: ")) from None
    except (TypeError, ValueError, re.error) as exc:
        raise _invalid("", f"cannot be compiled: {exc}") from None
    return rules


def milestone_target(document: dict[str, Any], milestone: dict[str, Any]) -> str:
    """The duration text of a milestone's target (a parameter reference or a literal)."""
    target = str(milestone["target"])
    return str(document["parameters"].get(target, target))
