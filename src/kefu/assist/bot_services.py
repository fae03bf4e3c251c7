"""Writes of the FAQ bot (TEC-2): a customer's conversation on the portal or in the chat widget.

A :class:`BotSession` belongs to one browser, known only by ``visitor_key`` — a keyed hash
(HMAC with the secret key) of the browser's session key (portal) or of a random bot token the
widget keeps (chat); no name, phone or address is stored. Each question is a :class:`BotTurn`
with what the bot did, decided by :func:`kefu.assist.faq_answers.answer_question`:

* ``answer`` — confident: the FAQ entry's answer is shown;
* ``choices`` — not sure: the best three entries are offered; picking one (:func:`bot_choose`)
  records an ``answer`` turn for the same question;
* ``out_of_scope`` — nothing close: the bot offers a person (:func:`bot_handoff`).

The session's ``outcome`` moves only along :data:`OUTCOME_TRANSITIONS`. ``open`` sessions take
questions; a rated one (``helpful`` / ``unhelpful``) still does (the customer may ask more);
``answered``, ``handed_off`` and ``abandoned`` are final. :func:`bot_sessions_close_idle` ends
sessions nobody touched for :data:`IDLE_MINUTES`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext

from kefu.assist.faq_answers import MAX_QUESTION, answer_question
from kefu.assist.models import BotChannel, BotOutcome, BotReplyKind, BotSession, BotTurn
from kefu.audit.services import audit_record
from kefu.channels.portal import throttle
from kefu.core.errors import Conflict, InvalidInput, NotFound
from kefu.core.state_machine import check_transition
from kefu.core.text_input import text_input_clean
from kefu.core.timeutils import now
from kefu.knowledge.models import Faq

IDLE_MINUTES = 30
"""An open session nobody touched for this long is closed by :func:`bot_sessions_close_idle`."""
MAX_CHOICES = 3

OUTCOME_TRANSITIONS: dict[str, frozenset[str]] = {
    BotOutcome.OPEN: frozenset(
        {
            BotOutcome.ANSWERED,
            BotOutcome.HELPFUL,
            BotOutcome.UNHELPFUL,
            BotOutcome.HANDED_OFF,
            BotOutcome.ABANDONED,
        }
    ),
    # Rated sessions stay usable: a later rating replaces the outcome, a person can still be asked.
    BotOutcome.HELPFUL: frozenset(
        {BotOutcome.HELPFUL, BotOutcome.UNHELPFUL, BotOutcome.HANDED_OFF}
    ),
    BotOutcome.UNHELPFUL: frozenset(
        {BotOutcome.HELPFUL, BotOutcome.UNHELPFUL, BotOutcome.HANDED_OFF}
    ),
    BotOutcome.ANSWERED: frozenset(),
    BotOutcome.HANDED_OFF: frozenset(),
    BotOutcome.ABANDONED: frozenset(),
}
"""Allowed ``outcome`` changes of a bot session; an empty set is final."""

TAKES_QUESTIONS = frozenset({BotOutcome.OPEN, BotOutcome.HELPFUL, BotOutcome.UNHELPFUL})


def bot_visitor_key(secret: str) -> str:
    """The keyed hash stored for a browser: HMAC-SHA256 of its session key or bot token."""
    if not secret:
        raise InvalidInput("the browser has no session", field="session")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"),
        f"kefu-bot-visitor:{secret}".encode(),
        hashlib.sha256,
    ).hexdigest()


def bot_questions_limit() -> throttle.Limit:
    """Questions to the bot per client address and hour: the portal's search limit (TEC-6)."""
    return throttle.Limit("bot", settings.KEFU_PORTAL_SEARCHES_PER_HOUR)


def bot_throttle_hit(client: str) -> bool:
    """Count one bot request of ``client`` (its address); False when over the hour's limit."""
    return throttle.throttle_hit(bot_questions_limit(), client)


def _channel(value: Any) -> str:
    if value not in BotChannel.values:
        raise InvalidInput(f"channel: one of {', '.join(BotChannel.values)}", field="channel")
    return str(value)


def _move(session: BotSession, target: str, moment: dt.datetime) -> None:
    check_transition(
        allowed=OUTCOME_TRANSITIONS,
        current=session.outcome,
        target=target,
        labels=dict(BotOutcome.choices),
        noun="bot session",
    )
    session.outcome = target
    if target != BotOutcome.OPEN:
        session.ended_at = moment


def _locked(session: BotSession) -> BotSession:
    return BotSession.objects.select_for_update().get(pk=session.pk)


def bot_session_start(*, channel: Any, visitor_key: str, customer: Any = None) -> BotSession:
    """A new conversation with the bot on ``channel`` for the browser ``visitor_key``."""
    chosen = _channel(channel)
    if not visitor_key or len(visitor_key) > 64:
        raise InvalidInput("visitor_key: the browser's keyed hash", field="visitor_key")
    moment = now()
    return BotSession.objects.create(
        channel=chosen,
        visitor_key=visitor_key,
        customer=customer,
        started_at=moment,
        updated_at=moment,
    )


def bot_session_for_question(*, channel: Any, visitor_key: str) -> BotSession:
    """The browser's latest session if it still takes questions and was touched within
    :data:`IDLE_MINUTES`, else a new one. A rated session is never closed by the idle task, so
    without the time bound a browser coming back days later would add to it and its new
    conversation would have no outcome of its own (TEC-2: every session records its outcome)."""
    chosen = _channel(channel)
    session = (
        BotSession.objects.filter(channel=chosen, visitor_key=visitor_key)
        .order_by("-started_at", "-id")
        .first()
    )
    recent = now() - dt.timedelta(minutes=IDLE_MINUTES)
    if session is not None and session.outcome in TAKES_QUESTIONS and session.updated_at >= recent:
        return session
    return bot_session_start(channel=chosen, visitor_key=visitor_key)


def bot_question_clean(question: Any) -> str:
    """The question as the bot reads it; a 422 naming ``question`` when empty or too long."""
    if question is not None and not isinstance(question, str):
        raise InvalidInput("question must be text", field="question")
    return text_input_clean(question, "question", limit=MAX_QUESTION)


def bot_ask(*, session: BotSession, question: Any) -> BotTurn:
    """The customer asks ``question``: the bot answers, offers choices, or offers a person.

    The turn records the candidates (FAQ ids and scores, best first) and the confidence, so the
    report can tell answered, unsure and out-of-scope questions apart (TEC-2)."""
    text = bot_question_clean(question)
    decided = answer_question(text, channel=session.channel, limit=MAX_CHOICES)
    moment = now()
    with transaction.atomic():
        locked = _locked(session)
        if locked.outcome not in TAKES_QUESTIONS:
            raise Conflict("this conversation has ended; start a new one", field="session")
        best = decided.best
        turn = BotTurn.objects.create(
            session=locked,
            question=text,
            reply_kind=decided.kind,
            faq_id=best.faq_id if decided.kind == BotReplyKind.ANSWER and best else None,
            candidates=[
                {"faq": item.faq_id, "score": round(float(item.score), 4)}
                for item in decided.candidates[:MAX_CHOICES]
            ],
            confidence=float(decided.confidence),
            created_at=moment,
        )
        locked.questions += 1
        locked.updated_at = moment
        locked.save(update_fields=["questions", "updated_at"])
    _copy(locked, session)
    return turn


def _copy(source: BotSession, target: BotSession) -> None:
    for name in ("outcome", "questions", "updated_at", "ended_at", "contact_id"):
        setattr(target, name, getattr(source, name))


def _turn(session: BotSession, turn_id: Any) -> BotTurn:
    if isinstance(turn_id, bool) or not isinstance(turn_id, int) or not 0 < turn_id < 2**62:
        raise InvalidInput("turn: the id of a reply in this conversation", field="turn")
    turn = BotTurn.objects.filter(session=session, pk=turn_id).first()
    if turn is None:
        raise NotFound("no such reply in this conversation", field="turn")
    return turn


def bot_choose(*, session: BotSession, turn_id: Any, faq_id: Any) -> BotTurn:
    """The customer picks one of the entries a ``choices`` turn offered: recorded as an
    ``answer`` turn for the same question (the question count does not change)."""
    offered = _turn(session, turn_id)
    if offered.reply_kind != BotReplyKind.CHOICES:
        raise Conflict("this reply offered no choices", field="turn")
    scores = {item.get("faq"): item.get("score", 0.0) for item in offered.candidates}
    if isinstance(faq_id, bool) or faq_id not in scores:
        raise InvalidInput("faq: one of the entries offered", field="faq")
    faq = Faq.objects.filter(pk=faq_id, is_active=True).first()
    if faq is None:
        raise NotFound("this answer is no longer available", field="faq")
    moment = now()
    with transaction.atomic():
        locked = _locked(session)
        if locked.outcome not in TAKES_QUESTIONS:
            raise Conflict("this conversation has ended; start a new one", field="session")
        turn = BotTurn.objects.create(
            session=locked,
            question=offered.question,
            reply_kind=BotReplyKind.ANSWER,
            faq=faq,
            candidates=[{"faq": faq.pk, "score": scores[faq_id]}],
            confidence=float(scores[faq_id] or 0.0),
            created_at=moment,
        )
        locked.updated_at = moment
        locked.save(update_fields=["updated_at"])
    _copy(locked, session)
    return turn


def bot_feedback(*, session: BotSession, turn_id: Any, helpful: Any) -> BotTurn:
    """ "This helped" / "this did not help" on an answer, once per answer; the session's outcome
    becomes ``helpful`` or ``unhelpful`` (the latest rating counts)."""
    if not isinstance(helpful, bool):
        raise InvalidInput("helpful: true or false", field="helpful")
    turn = _turn(session, turn_id)
    if turn.reply_kind != BotReplyKind.ANSWER:
        raise Conflict("only an answer can be rated", field="turn")
    moment = now()
    with transaction.atomic():
        locked = _locked(session)
        # Rated once: the conditional update is the guard against a double click's second request.
        if not BotTurn.objects.filter(pk=turn.pk, helpful__isnull=True).update(helpful=helpful):
            raise Conflict("this answer was already rated", field="turn")
        _move(locked, BotOutcome.HELPFUL if helpful else BotOutcome.UNHELPFUL, moment)
        locked.updated_at = moment
        locked.save(update_fields=["outcome", "ended_at", "updated_at"])
    turn.helpful = helpful
    _copy(locked, session)
    return turn


@dataclass(frozen=True)
class Handoff:
    session: BotSession
    turn: BotTurn
    contact: Any = None  # the chat contact a person answers (chat widget), else None


def bot_transcript(session: BotSession) -> list[tuple[str, str]]:
    """The conversation so far as (speaker, text) lines for the agent: ``customer`` for each
    question, ``system`` for what the bot did."""
    lines: list[tuple[str, str]] = []
    turns = list(session.turns.select_related("faq").order_by("created_at", "id"))
    for turn in turns:
        if turn.reply_kind == BotReplyKind.HANDOFF:
            continue
        if turn.reply_kind == BotReplyKind.ANSWER:
            picked = any(
                earlier.question == turn.question and earlier.reply_kind == BotReplyKind.CHOICES
                for earlier in turns
                if earlier.pk < turn.pk
            )
            if not picked:
                lines.append(("customer", turn.question))
            title = turn.faq.question if turn.faq else "—"
            rating = {
                True: gettext("helpful"),
                False: gettext("not helpful"),
                None: gettext("not rated"),
            }[turn.helpful]
            lines.append(
                (
                    "system",
                    gettext("[FAQ bot] answered with “%(faq)s” (%(rating)s)")
                    % {"faq": title, "rating": rating},
                )
            )
        elif turn.reply_kind == BotReplyKind.CHOICES:
            lines.append(("customer", turn.question))
            lines.append(
                ("system", gettext("[FAQ bot] not sure; offered a few answers to choose from"))
            )
        else:
            lines.append(("customer", turn.question))
            lines.append(("system", gettext("[FAQ bot] no answer found (out of scope)")))
    return lines


def _transcript_to_chat(contact: Any, lines: list[tuple[str, str]], moment: dt.datetime) -> None:
    """The bot's conversation as the chat's first messages: the customer's questions as
    customer messages, what the bot did as system lines (the agent console shows both)."""
    from kefu.channels.models import ContactMessage, Direction, MessageStatus, Speaker

    ContactMessage.objects.bulk_create(
        ContactMessage(
            contact=contact,
            direction=Direction.INBOUND if speaker == Speaker.CUSTOMER else Direction.OUTBOUND,
            speaker=speaker,
            body=text[:4000],
            status=MessageStatus.RECEIVED if speaker == Speaker.CUSTOMER else MessageStatus.SENT,
            created_at=moment,
        )
        for speaker, text in lines
        if speaker in (Speaker.CUSTOMER, Speaker.SYSTEM) and text.strip()
    )


def bot_handoff(
    *,
    session: BotSession,
    start_chat: Callable[[], Any] | None = None,
) -> Handoff:
    """The customer wants a person (or the bot had no answer): outcome ``handed_off``.

    In the chat widget ``start_chat`` opens the real chat and returns its contact; the bot's
    transcript (:func:`bot_transcript`) becomes the chat's first messages and the contact is
    linked to the session, so the agent sees what was asked. The locked session is checked
    first and the chat starts inside the same transaction: a second hand-off of the same
    session (a double click) waits and is refused without opening a chat of its own, and a
    refused chat (closed hours) leaves the session as it was."""
    with transaction.atomic():
        locked = _locked(session)
        if BotOutcome.HANDED_OFF not in OUTCOME_TRANSITIONS.get(locked.outcome, frozenset()):
            raise Conflict("this conversation has ended; start a new one", field="session")
        contact = start_chat() if start_chat is not None else None
        moment = now()
        _move(locked, BotOutcome.HANDED_OFF, moment)
        locked.updated_at = moment
        if contact is not None:
            locked.contact = contact
            _transcript_to_chat(contact, bot_transcript(locked), moment)
        locked.save(update_fields=["outcome", "ended_at", "updated_at", "contact"])
        turn = BotTurn.objects.create(
            session=locked, question="", reply_kind=BotReplyKind.HANDOFF, created_at=moment
        )
        audit_record(
            actor=None,
            verb="bot.handoff",
            target=locked,
            after={
                "channel": locked.channel,
                "questions": locked.questions,
                "contact": getattr(contact, "pk", None),
            },
        )
    _copy(locked, session)
    return Handoff(session=session, turn=turn, contact=contact)


def bot_sessions_close_idle(*, idle_minutes: int = IDLE_MINUTES) -> dict[str, int]:
    """Open sessions untouched for ``idle_minutes`` end: ``answered`` when the last reply was an
    answer, else ``abandoned`` (a question without an answer, or no question at all)."""
    moment = now()
    cutoff = moment - dt.timedelta(minutes=idle_minutes)
    last_kind = (
        BotTurn.objects.filter(session=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("reply_kind")[:1]
    )
    counts = {"answered": 0, "abandoned": 0}
    with transaction.atomic():
        idle = (
            BotSession.objects.select_for_update()
            .filter(outcome=BotOutcome.OPEN, updated_at__lt=cutoff)
            .annotate(last_kind=Subquery(last_kind))
        )
        answered: list[int] = []
        abandoned: list[int] = []
        for pk, kind in idle.values_list("pk", "last_kind"):
            (answered if kind == BotReplyKind.ANSWER else abandoned).append(pk)
        # Both targets are allowed from ``open`` (OUTCOME_TRANSITIONS); the filter keeps it open.
        for target, ids in ((BotOutcome.ANSWERED, answered), (BotOutcome.ABANDONED, abandoned)):
            check_transition(
                allowed=OUTCOME_TRANSITIONS, current=BotOutcome.OPEN, target=target, noun="bot"
            )
            for start in range(0, len(ids), 500):
                BotSession.objects.filter(
                    pk__in=ids[start : start + 500], outcome=BotOutcome.OPEN
                ).update(outcome=target, ended_at=F("updated_at"))
        counts["answered"] = len(answered)
        counts["abandoned"] = len(abandoned)
    return counts
