"""Writes on contacts. Phone calls arrive as CTI events from the PBX (TEC-7, ACC-1…3).

Every event is stored once under its key (the PBX's event id, or what the event says): a
repeated delivery changes nothing, and an event id reused for another kind of event is a 409.
The call's timing is then recomputed from all its events in time order, so events arriving out
of order give the same call as events arriving in order. An ``answered`` before the call's
ringing (or a first ringing after its answer) is refused: it would make the ACC-1 wait negative.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction

from kefu.accounts.models import User
from kefu.audit.services import audit_record
from kefu.channels.models import (
    Contact,
    ContactEvent,
    ContactKind,
    ContactRecording,
    ContactSegment,
    ContactState,
    Direction,
    Speaker,
)
from kefu.core.caching import ttl_cache
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.files import encrypted_file_write
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.customers.selectors import customer_find_by_identity
from kefu.quality.tasks import contact_check_after_commit

CALL_EVENTS = (
    "ringing",
    "answered",
    "held",
    "resumed",
    "transferred",
    "ended",
    "recording",
    "transcript",
)
# Events that need the call to exist already: they add to a call, they do not start one.
ATTACHED_EVENTS = frozenset({"recording", "transcript"})
CALL_ID = re.compile(r"^[A-Za-z0-9._:@+\-]{1,128}$")
SEGMENT_LIMIT = 2_000
SEGMENT_TEXT_LIMIT = 5_000
RECORDING_TYPES = ("audio/", "application/octet-stream")


@dataclass(frozen=True)
class Segment:
    speaker: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


def _check(call_id: str, event: str, at: dt.datetime) -> None:
    if not CALL_ID.fullmatch(call_id or ""):
        raise InvalidInput("call_id: 1–128 letters, digits or . _ : @ + -", field="call_id")
    if event not in CALL_EVENTS:
        raise InvalidInput(
            f"unknown event {event!r}; one of {', '.join(CALL_EVENTS)}", field="event"
        )
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise InvalidInput("at must be a date-time with a time zone", field="at")


@ttl_cache(1.0)
def _active_user(username: str) -> User | None:
    """A PBX names the same few agents in every event: look each up at most once a second."""
    return User.objects.filter(username=username, is_active=True).only("pk", "username").first()


def _agent(username: str | None, field: str) -> User | None:
    if not username:
        return None
    agent = _active_user(username)
    if agent is None:
        raise InvalidInput(f"{field}: no active user {username!r}", field=field)
    return agent


def _segments(values: Iterable[Segment]) -> list[Segment]:
    cleaned = list(values)
    if len(cleaned) > SEGMENT_LIMIT:
        raise InvalidInput(f"segments: at most {SEGMENT_LIMIT} per event", field="segments")
    for index, segment in enumerate(cleaned):
        where = f"segments.{index}"
        if segment.speaker not in Speaker.values:
            raise InvalidInput(
                f"{where}.speaker: one of {', '.join(Speaker.values)}", field=f"{where}.speaker"
            )
        if not 0 <= segment.start <= segment.end <= 86_400:
            raise InvalidInput(
                f"{where}: start and end are seconds into the call, start ≤ end",
                field=f"{where}.start",
            )
        text = segment.text.strip()
        if not text or len(text) > SEGMENT_TEXT_LIMIT or "\x00" in text:
            raise InvalidInput(
                f"{where}.text: 1–{SEGMENT_TEXT_LIMIT} characters", field=f"{where}.text"
            )
    return cleaned


def _recording(upload: Upload | None) -> Upload:
    if upload is None or not upload.content:
        raise InvalidInput("a recording event carries the audio file", field="file")
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES * 8
    if len(upload.content) > limit:
        raise InvalidInput(
            f"the recording is larger than {limit // (1024 * 1024)} MiB", field="file"
        )
    kind = (upload.content_type or "").lower()
    if not kind.startswith(RECORDING_TYPES):
        raise InvalidInput("the recording must be an audio file", field="file")
    return upload


def _key(event: str, at: dt.datetime, agent: User | None, target: User | None, extra: str) -> str:
    parts = [
        event,
        at.astimezone(dt.UTC).isoformat(),
        agent.username if agent else "",
        target.username if target else "",
        extra,
    ]
    return ":".join(parts)[:200]


class CtiEventOutcome(NamedTuple):
    """What one CTI event did: the call as it now stands, whether the event was new, and
    whether it created the call (an event may overtake the call's ``ringing``)."""

    contact: Contact
    created: bool
    call_created: bool


def cti_event_record(
    *,
    actor: Any,
    call_id: str,
    event: str,
    at: dt.datetime,
    caller: str = "",
    agent: str | None = None,
    target_agent: str | None = None,
    event_id: str = "",
    direction: str = Direction.INBOUND,
    segments: Iterable[Segment] = (),
    recording: Upload | None = None,
    disclosed: bool = False,
) -> CtiEventOutcome:
    """Record one CTI event of a call, in one transaction.

    A recording file is written before the transaction commits; if anything after it fails
    (or the commit itself), the file is removed again, so a refused event leaves no file.
    """
    written: list[Path] = []
    try:
        with transaction.atomic():
            return _event_record(
                actor=actor,
                call_id=call_id,
                event=event,
                at=at,
                caller=caller,
                agent=agent,
                target_agent=target_agent,
                event_id=event_id,
                direction=direction,
                segments=segments,
                recording=recording,
                disclosed=disclosed,
                written=written,
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _event_record(
    *,
    actor: Any,
    call_id: str,
    event: str,
    at: dt.datetime,
    caller: str,
    agent: str | None,
    target_agent: str | None,
    event_id: str,
    direction: str,
    segments: Iterable[Segment],
    recording: Upload | None,
    disclosed: bool,
    written: list[Path],
) -> CtiEventOutcome:
    if actor is not None and not actor.has_perm("channels.add_contactevent"):
        raise PermissionDenied("your role may not report telephony events")
    _check(call_id, event, at)
    if direction not in Direction.values:
        raise InvalidInput(f"direction: one of {', '.join(Direction.values)}", field="direction")
    number = ""
    if caller:
        try:
            number = normalize_identity(IdentityKind.PHONE, caller)
        except InvalidInput as exc:  # it names the identity kind ("phone"); the field is caller
            raise InvalidInput(f"caller: {exc.message}", field="caller") from None
    who = _agent(agent, "agent")
    target = _agent(target_agent, "target_agent")
    if event == "transferred" and target is None:
        raise InvalidInput("a transfer names the agent it went to", field="target_agent")
    pieces = _segments(segments) if event == "transcript" else []
    if event == "transcript" and not pieces:
        raise InvalidInput("a transcript event carries segments", field="segments")
    audio = _recording(recording) if event == "recording" else None
    if len(event_id) > 150:
        raise InvalidInput("event_id is longer than 150 characters", field="event_id")
    moment = now()

    try:
        contact = Contact.objects.select_for_update().get(
            kind=ContactKind.CALL, external_id=call_id
        )
    except Contact.DoesNotExist:
        contact = None
    call_created = False
    if contact is None:
        if event in ATTACHED_EVENTS:
            raise NotFound(f"unknown call_id {call_id!r}: report the call's ringing first")
        contact, call_created = _new_call(call_id, direction, moment)
    extra = ""
    if audio is not None:
        extra = hashlib.sha256(audio.content).hexdigest()
    elif pieces:
        extra = hashlib.sha256(
            repr([(s.speaker, s.start, s.end, s.text) for s in pieces]).encode()
        ).hexdigest()
    key = f"id:{event_id}" if event_id else _key(event, at, who, target, extra)
    # The call's row is locked (and on SQLite the write transaction is exclusive): no other
    # delivery of this call can slip in between the check and the insert. One query reads the
    # call's events for both the repeat check and the recompute; a new call has none.
    events = [] if call_created else _events_of(contact)
    stored_kind = next((item.kind for item in events if item.key == key), None)
    if stored_kind == event:
        return CtiEventOutcome(contact, False, False)  # the same event again: nothing changes
    if stored_kind is not None:
        raise Conflict(
            f"event_id {event_id!r} was already used for a {stored_kind!r} event of this call",
            field="event_id",
        )
    _check_order(contact, event, at)
    stored = ContactEvent.objects.create(
        contact=contact,
        kind=event,
        key=key,
        occurred_at=at,
        agent=target if event == "transferred" else who,
        data={"from_agent": who.username if who else None, "disclosed": disclosed},
        received_at=moment,
    )
    if number and not contact.address:
        contact.address = number
        # Looked up once, when the number becomes known: later events need no lookup.
        if contact.customer_id is None:
            contact.customer = customer_find_by_identity(kind=IdentityKind.PHONE, value=number)
    if pieces:
        ContactSegment.objects.bulk_create(
            [
                ContactSegment(
                    contact=contact,
                    speaker=s.speaker,
                    start=s.start,
                    end=s.end,
                    text=s.text.strip(),
                )
                for s in pieces
            ],
            ignore_conflicts=True,
        )
    if audio is not None:
        path = _store_recording(contact, audio, moment)
        if path is not None:
            written.append(path)
        contact.recording_disclosed = contact.recording_disclosed or disclosed
    # Sorted by time; the stable sort keeps arrival order among ties, the new event last.
    events.append(_Happened(key, event, at.astimezone(dt.UTC), stored.agent_id))
    events.sort(key=lambda item: item.occurred_at)
    was_ended = contact.state == ContactState.ENDED
    _recompute(contact, events)
    if contact.state == ContactState.ENDED and (not was_ended or pieces):
        contact_check_after_commit(contact.pk)  # QA-3: checked once it ends, again on transcript
    contact.updated_at = moment
    contact.save(update_fields=[*TIMING_FIELDS, "address", "customer", "recording_disclosed"])
    audit_record(
        actor=actor,
        verb=f"contact.{event}",
        target=contact,
        after={"call_id": call_id, "at": at, "agent": who.username if who else None},
    )
    return CtiEventOutcome(contact, True, call_created)


def _check_order(contact: Contact, event: str, at: dt.datetime) -> None:
    """ACC-1 measures ringing → answered: an order that makes that wait negative is refused.

    ``offered_at`` and ``answered_at`` are the call's first ringing and first answer, so only
    an ``answered`` before the first ringing, or a first ringing after the first answer, can do
    it. A later ringing (say for the agent a call is transferred to) changes neither and is fine.
    """
    if event == "answered" and contact.offered_at is not None and at < contact.offered_at:
        raise InvalidInput(
            f"answered at {at.isoformat()} is before the call's ringing at "
            f"{contact.offered_at.isoformat()}",
            field="at",
        )
    if (
        event == "ringing"
        and contact.offered_at is None
        and contact.answered_at is not None
        and at > contact.answered_at
    ):
        raise InvalidInput(
            f"ringing at {at.isoformat()} is after the call was answered at "
            f"{contact.answered_at.isoformat()}",
            field="at",
        )


def _new_call(call_id: str, direction: str, moment: dt.datetime) -> tuple[Contact, bool]:
    """The call, created now (True) or just before by a concurrent event of it (False)."""
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                kind=ContactKind.CALL,
                direction=direction,
                external_id=call_id,
                created_at=moment,
                updated_at=moment,
            )
            return contact, True
    except IntegrityError:  # a concurrent event of the same call created it first
        contact = Contact.objects.select_for_update().get(
            kind=ContactKind.CALL, external_id=call_id
        )
        return contact, False


def _store_recording(contact: Contact, audio: Upload, moment: dt.datetime) -> Path | None:
    """Write the encrypted file and its row; the written path, or None for known audio."""
    digest = hashlib.sha256(audio.content).hexdigest()
    if ContactRecording.objects.filter(contact=contact, sha256=digest).exists():
        return None
    name, path = encrypted_file_write("recordings", audio.content, moment)
    storage_name = f"recordings/{name}"
    try:
        ContactRecording.objects.create(
            contact=contact,
            filename=Path(audio.filename.replace("\\", "/")).name[:200] or "recording",
            content_type=audio.content_type[:100],
            size=len(audio.content),
            sha256=digest,
            storage_name=storage_name,
            created_at=moment,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class _Happened:
    key: str
    kind: str
    occurred_at: dt.datetime
    agent_id: int | None


TIMING_FIELDS = (
    "offered_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "handle_seconds",
    "held_seconds",
    "state",
    "transfers",
    "agent",
    "updated_at",
)


def _events_of(contact: Contact) -> list[_Happened]:
    """The call's stored events in the order they happened (ties: in arrival order)."""
    return [
        _Happened(*row)
        for row in contact.events.order_by("occurred_at", "id").values_list(
            "key", "kind", "occurred_at", "agent_id"
        )
    ]


def _recompute(contact: Contact, events: list[_Happened]) -> None:
    """The call's timing from all its events, in the order they happened (ACC-1)."""
    firsts: dict[str, dt.datetime] = {}
    for item in events:
        firsts.setdefault(item.kind, item.occurred_at)
    ended = [item.occurred_at for item in events if item.kind == "ended"]
    contact.offered_at = firsts.get("ringing")
    contact.queued_at = contact.offered_at
    contact.answered_at = firsts.get("answered")
    contact.ended_at = max(ended) if ended else None
    contact.wait_seconds = (
        (contact.answered_at - contact.offered_at).total_seconds()
        if contact.answered_at and contact.offered_at
        else None
    )
    contact.handle_seconds = (
        (contact.ended_at - contact.answered_at).total_seconds()
        if contact.ended_at and contact.answered_at
        else None
    )
    held, hold_start, state = 0.0, None, ContactState.OFFERED
    for item in events:
        if item.kind == "answered":
            state = ContactState.ACTIVE if state != ContactState.ENDED else state
        elif item.kind == "held" and hold_start is None:
            hold_start, state = item.occurred_at, ContactState.HELD
        elif item.kind in ("resumed", "ended") and hold_start is not None:
            held += (item.occurred_at - hold_start).total_seconds()
            hold_start = None
            state = ContactState.ACTIVE
        if item.kind == "ended":
            state = ContactState.ENDED
    contact.held_seconds = held
    contact.state = ContactState.ENDED if ended else state
    contact.transfers = sum(1 for item in events if item.kind == "transferred")
    # Whose desk it is: the agent it rang for, then who answered, then whom it went to.
    handlers = [
        item.agent_id
        for item in events
        if item.kind in ("ringing", "answered", "transferred") and item.agent_id
    ]
    if handlers:
        contact.agent_id = handlers[-1]


def contact_link_ticket(*, actor: Any, contact: Contact, ticket: Any) -> None:
    """Link a contact to a ticket (ACC-3: the recording goes with the ticket)."""
    if actor is not None and not actor.has_perm("tickets.change_ticket"):
        raise PermissionDenied("your role may not link contacts to tickets")
    with transaction.atomic():
        contact.tickets.add(ticket)
        audit_record(
            actor=actor, verb="contact.link_ticket", target=contact, after={"ticket": ticket.number}
        )
