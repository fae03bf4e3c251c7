"""Writes of the quality app: the automatic check of every contact once it ends, and of every
ticket handled only by written replies once it is resolved (QA-1, QA-3).

A contact's transcript is built from what it holds — a call's transcript segments, or the
messages of a chat, SMS, WeChat or e-mail conversation — and a ticket's from its public staff
replies and the customer's messages; the rule engine (:mod:`kefu.quality.engine`) checks it.
The result is stored as the contact's or the ticket's :class:`AutoCheck`; checking again
replaces it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from kefu.audit.services import audit_record
from kefu.channels.models import Contact, ContactKind, Speaker
from kefu.core.caching import ttl_cache
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.timeutils import now
from kefu.quality.defaults import DEFAULT_RULES
from kefu.quality.engine import (
    MAX_SECONDS,
    MAX_SEGMENTS,
    MAX_TEXT,
    RuleSet,
    Segment,
    Transcript,
    check_transcript,
    rule_set_from_data,
)
from kefu.quality.models import AutoCheck, ItemKind, Scorecard, ScorecardItem
from kefu.standard.models import ProfileVersion
from kefu.standard.selectors import DEFAULT_PROFILE
from kefu.tickets.models import Ticket, TicketEvent, TicketEventKind

# The engine's channel for a contact kind: the voice rules (speech rate, …) apply to calls.
ENGINE_CHANNELS: dict[str, str] = {ContactKind.CALL: "phone"}
ENGINE_CHANNEL_DEFAULT = "chat"
ITEM_FIELDS = {"dimension", "title", "weight", "kind", "rule_category", "fatal"}


@dataclass(frozen=True, slots=True)
class RulesInForce:
    """The quality rules of the standard profile version in force (QA-3).

    ``profile_version`` is that version's number (0 when there is no profile: the defaults);
    ``version`` is what an :class:`AutoCheck` stores, ``p<profile version>:<rules' own
    version>:<content digest>``, e.g. ``p7:1:ab12cd34ef56``.
    """

    profile_version: int
    data: dict[str, Any]
    digest: str
    version: str

    @property
    def rule_set(self) -> RuleSet:
        """The compiled rules, built once per distinct content: a check never rebuilds them."""
        compiled = _COMPILED.get(self.digest)
        if compiled is None:
            compiled = rule_set_from_data(self.data)
            if len(_COMPILED) >= MAX_COMPILED:
                _COMPILED.clear()
            _COMPILED[self.digest] = compiled
        return compiled


# Compiled rule sets by content digest (a few: the one in force and those just replaced).
MAX_COMPILED = 8
_COMPILED: dict[str, RuleSet] = {}


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _rules_from(profile_version: int, data: dict[str, Any]) -> RulesInForce:
    digest = hashlib.sha256(_canonical(data).encode()).hexdigest()[:12]
    return RulesInForce(
        profile_version=profile_version,
        data=data,
        digest=digest,
        version=f"p{profile_version}:{data.get('version')}:{digest}"[:64],
    )


@ttl_cache(1.0)
def rules_in_force() -> RulesInForce:
    """The quality rules of the standard in force, re-read at most once a second.

    A profile version without a ``quality_rules`` section (written before the rules moved into
    the profile) and an installation without a profile check against :data:`DEFAULT_RULES`.
    """
    row = (
        ProfileVersion.objects.filter(profile__name=DEFAULT_PROFILE)
        .order_by("-number")
        .values_list("number", "document__quality_rules")
        .first()
    )
    if row is None:
        return _rules_from(0, DEFAULT_RULES)
    number, data = row
    if isinstance(data, str):  # a backend that hands the JSON value back as text
        data = json.loads(data)
    return _rules_from(number, data if isinstance(data, dict) else DEFAULT_RULES)


def rules_data() -> dict[str, Any]:
    """The rule data contacts are checked against: the standard profile's ``quality_rules``."""
    return rules_in_force().data


def rules_version(data: Mapping[str, Any] | None = None) -> str:
    """``p<profile version>:<rules' version>:<digest>`` of the rules in force (or of ``data``,
    which names the profile version only when it is the rules in force)."""
    current = rules_in_force()
    if data is None or data is current.data:
        return current.version
    digest = hashlib.sha256(_canonical(data).encode()).hexdigest()[:12]
    if digest == current.digest:
        return current.version
    return f"{data.get('version')}:{digest}"[:64]


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


def ticket_transcript(ticket: Ticket) -> Transcript:
    """A ticket's written conversation as a chat transcript: its public replies by people as
    ``agent`` turns and the customer's messages as ``customer`` turns, oldest first (internal
    notes and system replies are left out)."""
    rows = (
        ticket.events.filter(kind__in=[TicketEventKind.REPLY, TicketEventKind.CUSTOMER_MESSAGE])
        .order_by("created_at", "id")
        .values_list("kind", "is_public", "actor_id", "body", "created_at")[:MAX_SEGMENTS]
    )
    segments: list[Segment] = []
    first = None
    for kind, is_public, actor_id, body, created_at in rows:
        text = (body or "").strip()
        if not text:
            continue
        if kind == TicketEventKind.REPLY:
            if not is_public or actor_id is None:
                continue
            speaker = "agent"
        else:
            speaker = "customer"
        first = first or created_at
        at = _seconds((created_at - first).total_seconds())
        segments.append(Segment(speaker=speaker, text=text[:MAX_TEXT], start=at, end=at))
    return Transcript(channel=ENGINE_CHANNEL_DEFAULT, language="zh", segments=tuple(segments))


def transcript_findings(transcript: Transcript, rule_set: RuleSet) -> tuple[list[Any], Any]:
    """The engine's findings on ``transcript``, each with the ``speaker`` and ``text`` of the
    turn it points at, and the engine's whole result (dimensions, score)."""
    result = check_transcript(transcript, rule_set)
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
    return findings, result


def _auto_check_store(target: Contact | Ticket, transcript: Transcript) -> AutoCheck:
    rules = rules_in_force()
    findings, result = transcript_findings(transcript, rules.rule_set)
    fields = {
        "findings": findings,
        "dimensions": result["dimensions"],
        "score": float(result["score"]),
        "rules_version": rules.version,
        "checked_at": now(),
    }
    owner = {"ticket": target} if isinstance(target, Ticket) else {"contact": target}
    with transaction.atomic():
        check, created = AutoCheck.objects.update_or_create(**owner, defaults=fields)
        audit_record(
            actor=None,
            verb="quality.auto_check",
            target=target,
            after={
                "score": check.score,
                "findings": len(findings),
                "rules_version": check.rules_version,
                "replaced": not created,
            },
        )
    return check


def contact_auto_check(*, contact: Contact) -> AutoCheck:
    """Check the contact against the quality rules and store the result (replacing any)."""
    return _auto_check_store(contact, contact_transcript(contact))


def ticket_handled_in_writing() -> Q:
    """The condition on :class:`Ticket` for a check of its own (QA-3): handled only in writing
    — at least one public reply by a person and no linked contact (a ticket with contacts is
    checked contact by contact)."""
    staff_replies = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind=TicketEventKind.REPLY, is_public=True, actor__isnull=False
    )
    linked = Contact.tickets.through.objects.filter(ticket_id=OuterRef("pk"))
    return Q(Exists(staff_replies)) & ~Q(Exists(linked))


def tickets_for_auto_check() -> QuerySet[Ticket]:
    """Tickets that get a check of their own (see :func:`ticket_handled_in_writing`)."""
    return Ticket.objects.filter(ticket_handled_in_writing())


def ticket_auto_check(*, ticket: Ticket) -> AutoCheck | None:
    """Check a ticket's written replies against the quality rules and store the result as the
    ticket's :class:`AutoCheck` (replacing any), like a chat (QA-3, SCR-2).

    A ticket with a linked contact, or without a public reply by a person, is not checked
    (None): its contacts carry the checks, and there is nothing of the agent's to check.
    """
    if not tickets_for_auto_check().filter(pk=ticket.pk).exists():
        return None
    return _auto_check_store(ticket, ticket_transcript(ticket))


def scorecard_categories() -> set[str]:
    """The engine categories an automatic scorecard item may name."""
    dimensions = rules_data()["scoring"]["dimensions"]
    return {category for members in dimensions.values() for category in members}


def _scorecard_item(raw: Any, index: int, categories: set[str]) -> ScorecardItem:
    path = f"items[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidInput("must be an object", field=path)
    unknown = set(raw) - ITEM_FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(sorted(unknown))}", field=path)
    try:
        weight = Decimal(str(raw.get("weight", "1")))
    except InvalidOperation:
        raise InvalidInput("must be a number", field=f"{path}.weight") from None
    item = ScorecardItem(
        dimension=str(raw.get("dimension", "")),
        title=str(raw.get("title", "")).strip(),
        weight=weight,
        kind=str(raw.get("kind", "")),
        rule_category=str(raw.get("rule_category", "") or "").strip(),
        fatal=bool(raw.get("fatal", False)),
        order=index,
    )
    if not weight.is_finite() or weight <= 0:
        raise InvalidInput("must be positive", field=f"{path}.weight")
    if item.kind == ItemKind.AUTO and item.rule_category not in categories:
        raise InvalidInput(
            "an automatic item needs a category of the rule engine", field=f"{path}.rule_category"
        )
    if item.kind == ItemKind.MANUAL:
        item.rule_category = ""
    try:
        item.full_clean(exclude=["scorecard"])
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput("; ".join(messages), field=f"{path}.{name}") from None
    return item


@transaction.atomic
def scorecard_new_version(
    *,
    actor: Any,
    scorecard: Scorecard,
    items: Sequence[Mapping[str, Any]],
    pass_mark: int | None = None,
) -> Scorecard:
    """Add version N+1 of ``scorecard``'s name with ``items`` (QA-1).

    Earlier versions are kept unchanged: an inspection keeps the version it was scored with.
    Each item is ``{dimension, title, weight, kind, rule_category, fatal}``; the pass mark is
    the previous version's unless given. QA specialists and managers only.
    """
    if actor is None or not actor.has_perm("quality.add_scorecard"):
        raise PermissionDenied("only QA specialists and managers edit scorecards")
    if not items:
        raise InvalidInput("a scorecard needs at least one item", field="items")
    mark = scorecard.pass_mark if pass_mark is None else pass_mark
    if isinstance(mark, bool) or not isinstance(mark, int) or not 0 <= mark <= 100:
        raise InvalidInput("must be a whole number from 0 to 100", field="pass_mark")
    categories = scorecard_categories()
    rows = [_scorecard_item(raw, index, categories) for index, raw in enumerate(items)]
    latest = (
        Scorecard.objects.select_for_update()
        .filter(name=scorecard.name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    new = Scorecard.objects.create(
        name=scorecard.name, version=(latest or 0) + 1, pass_mark=mark, is_active=True
    )
    for row in rows:
        row.scorecard = new
    ScorecardItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="scorecard.new_version",
        target=new,
        before={"version": scorecard.version},
        after={"version": new.version, "pass_mark": mark, "items": len(rows)},
    )
    return new
