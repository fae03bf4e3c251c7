"""Writes of the quality app: the automatic check of every contact once it ends (QA-1, QA-3).

A contact's transcript is built from what it holds — a call's transcript segments, or the
messages of a chat, SMS, WeChat or e-mail conversation — and checked by the rule engine
(:mod:`kefu.quality.engine`). The result is stored as the contact's :class:`AutoCheck`;
checking again replaces it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.db import transaction

from kefu.audit.services import audit_record
from kefu.channels.models import Contact, ContactKind, Speaker
from kefu.core.timeutils import now
from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.engine import (
    MAX_SECONDS,
    MAX_SEGMENTS,
    MAX_TEXT,
    Segment,
    Transcript,
    check_transcript,
    rule_set_from_data,
)
from kefu.quality.models import AutoCheck

# The engine's channel for a contact kind: the voice rules (speech rate, …) apply to calls.
ENGINE_CHANNELS: dict[str, str] = {ContactKind.CALL: "phone"}
ENGINE_CHANNEL_DEFAULT = "chat"


def rules_data() -> dict[str, Any]:
    """The rule data contacts are checked against (the defaults until the standard profile
    holds editable rules)."""
    return DEFAULT_RULES


@lru_cache(maxsize=8)
def _version(canonical: str) -> str:
    data = json.loads(canonical)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return f"{data.get('version')}:{digest}"[:64]


def rules_version(data: dict[str, Any]) -> str:
    """``<version>:<digest>``: the rule data's own version and a digest of its content."""
    return _version(json.dumps(data, sort_keys=True, ensure_ascii=False))


def _seconds(value: float) -> float:
    return min(max(value, 0.0), MAX_SECONDS)


def contact_transcript(contact: Contact) -> Transcript:
    """The transcript of a contact as the engine reads it.

    A call: its transcript segments. Any other kind: its messages, the agent's as ``agent``
    and the customer's as ``customer`` (system messages are left out), each timed by the
    seconds since the conversation's first message (untimed length: the speech rate is a
    voice rule only).
    """
    segments: list[Segment] = []
    if contact.kind == ContactKind.CALL:
        for speaker, start, end, text in contact.segments.order_by("start", "id").values_list(
            "speaker", "start", "end", "text"
        )[:MAX_SEGMENTS]:
            if speaker == Speaker.SYSTEM:
                continue
            segments.append(
                Segment(
                    speaker=speaker,
                    text=text[:MAX_TEXT],
                    start=_seconds(start),
                    end=_seconds(max(start, end)),
                )
            )
    else:
        rows = (
            contact.messages.exclude(speaker=Speaker.SYSTEM)
            .order_by("created_at", "id")
            .values_list("speaker", "body", "created_at")[:MAX_SEGMENTS]
        )
        first = None
        for speaker, body, created_at in rows:
            text = body.strip()
            if not text:
                continue
            first = first or created_at
            at = _seconds((created_at - first).total_seconds())
            segments.append(Segment(speaker=speaker, text=text[:MAX_TEXT], start=at, end=at))
    channel = ENGINE_CHANNELS.get(contact.kind, ENGINE_CHANNEL_DEFAULT)
    return Transcript(channel=channel, language="zh", segments=tuple(segments))


def contact_auto_check(*, contact: Contact) -> AutoCheck:
    """Check the contact against the quality rules and store the result (replacing any)."""
    data = rules_data()
    transcript = contact_transcript(contact)
    result = check_transcript(transcript, rule_set_from_data(data))
    findings = []
    for finding in result["findings"]:
        index = finding["segment"]
        turn = transcript.segments[index] if index is not None else None
        findings.append(
            {
                **finding,
                "speaker": turn.speaker if turn else "",
                "text": turn.text if turn else "",
            }
        )
    fields = {
        "findings": findings,
        "dimensions": result["dimensions"],
        "score": float(result["score"]),
        "rules_version": rules_version(data),
        "checked_at": now(),
    }
    with transaction.atomic():
        check, created = AutoCheck.objects.update_or_create(contact=contact, defaults=fields)
        audit_record(
            actor=None,
            verb="quality.auto_check",
            target=contact,
            after={
                "score": check.score,
                "findings": len(findings),
                "rules_version": check.rules_version,
                "replaced": not created,
            },
        )
    return check
