"""Reads of the FAQ bot (TEC-2): a reply as the customer sees it, and the deflection report.

Definitions (docs/faq-bot.md):

* a **counted session** has ended (outcome other than ``open``) and had at least one question
  or a hand-off — a widget opened and closed without a word is not a conversation;
* **deflection rate** = counted sessions ending ``answered`` or ``helpful`` ÷ counted sessions
  (``unhelpful``, ``handed_off`` and ``abandoned`` are not deflected);
* **helpful rate** = ``helpful`` ÷ (``helpful`` + ``unhelpful``): of the rated sessions;
* **hand-off rate** = ``handed_off`` ÷ counted sessions;
* **out-of-scope share** = questions the bot had no answer for ÷ all questions asked;
* **top unanswered questions** = questions answered ``out_of_scope``, answers rated not helpful,
  and the last question before a hand-off, grouped by their text, most frequent first —
  candidates for new FAQ entries.

The target is the standard's ``deflection_target`` (TEC-2, 60 % by default).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_roles
from kefu.assist.models import BotChannel, BotOutcome, BotReplyKind, BotSession, BotTurn
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.masking import mask_personal_data
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import Faq

REPORT_ROLES = frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN})
DEFLECTED = (BotOutcome.ANSWERED, BotOutcome.HELPFUL)
MAX_SPAN_DAYS = 366
DEFAULT_DAYS = 30
TOP_UNANSWERED = 20
DEFAULT_DEFLECTION_TARGET = 60.0


def may_read_bot_report(user: Any) -> bool:
    """Team leads, service managers and administrators read the deflection report."""
    return bool(getattr(user, "is_active", False) and user_roles(user) & REPORT_ROLES)


def deflection_target() -> float:
    """The deflection target of the standard in force (``deflection_target``, TEC-2), percent;
    60 when no standard profile is installed."""
    from kefu.standard.selectors import standard_value

    try:
        return float(standard_value("deflection_target"))
    except NotFound:
        return DEFAULT_DEFLECTION_TARGET


# -- the customer's view of a reply ----------------------------------------------------------
def bot_session_current(*, channel: str, visitor_key: str) -> BotSession:
    """The browser's latest bot session on ``channel`` (404 when it has none)."""
    session = (
        BotSession.objects.filter(channel=channel, visitor_key=visitor_key)
        .order_by("-started_at", "-id")
        .first()
    )
    if session is None:
        raise NotFound("no conversation with the bot in this browser", field="session")
    return session


def _faq_out(faq: Faq) -> dict[str, Any]:
    return {"id": faq.pk, "question": faq.question, "answer_html": render_markdown(faq.answer)}


def bot_turn_out(turn: BotTurn) -> dict[str, Any]:
    """A reply as JSON for the widget and the portal: the answer (sanitized HTML), or the
    entries to choose from, or the offer of a person."""
    out: dict[str, Any] = {
        "turn": turn.pk,
        "kind": turn.reply_kind,
        "question": turn.question,
        "confidence": round(turn.confidence, 4),
        "helpful": turn.helpful,
        "answer": None,
        "choices": [],
    }
    if turn.reply_kind == BotReplyKind.ANSWER and turn.faq_id:
        faq = turn.faq if turn.faq is not None else None
        if faq is not None:
            out["answer"] = _faq_out(faq)
    elif turn.reply_kind == BotReplyKind.CHOICES:
        ids = [item.get("faq") for item in turn.candidates]
        found = Faq.objects.filter(pk__in=ids, is_active=True).in_bulk()
        out["choices"] = [
            {"id": faq_id, "question": found[faq_id].question} for faq_id in ids if faq_id in found
        ]
    return out


def bot_session_out(session: BotSession) -> dict[str, Any]:
    return {
        "session": session.pk,
        "channel": session.channel,
        "outcome": session.outcome,
        "questions": session.questions,
        "contact": session.contact_id,
    }


def bot_conversation(session: BotSession) -> list[dict[str, Any]]:
    """Every reply of ``session`` for a page drawn without JavaScript."""
    turns = session.turns.select_related("faq").order_by("created_at", "id")
    return [bot_turn_out(turn) for turn in turns]


# -- the deflection report -------------------------------------------------------------------
@dataclass(frozen=True)
class Rates:
    sessions: int
    open: int
    deflected: int
    answered: int
    helpful: int
    unhelpful: int
    handed_off: int
    abandoned: int
    deflection_rate: float | None
    helpful_rate: float | None
    handoff_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DeflectionReport:
    start: dt.date
    end: dt.date
    channel: str
    target: float
    overall: Rates
    questions: int
    out_of_scope: int
    out_of_scope_share: float | None
    meets_target: bool | None
    by_channel: dict[str, Rates] = field(default_factory=dict)
    by_day: list[tuple[dt.date, Rates]] = field(default_factory=list)
    by_week: list[tuple[dt.date, Rates]] = field(default_factory=list)
    unanswered: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "channel": self.channel,
            "target": self.target,
            "meets_target": self.meets_target,
            "overall": self.overall.as_dict(),
            "questions": self.questions,
            "out_of_scope": self.out_of_scope,
            "out_of_scope_share": self.out_of_scope_share,
            "by_channel": {key: rates.as_dict() for key, rates in self.by_channel.items()},
            "by_day": [{"day": day.isoformat(), **rates.as_dict()} for day, rates in self.by_day],
            "by_week": [
                {"week": week.isoformat(), **rates.as_dict()} for week, rates in self.by_week
            ],
            "unanswered": self.unanswered,
        }


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _counts() -> dict[str, Any]:
    return {
        "total": Count("id"),
        **{value: Count("id", filter=Q(outcome=value)) for value in BotOutcome.values},
    }


def _rates(row: Mapping[str, Any]) -> Rates:
    ended = {value: int(row.get(value) or 0) for value in BotOutcome.values}
    counted = sum(count for value, count in ended.items() if value != BotOutcome.OPEN)
    deflected = ended[BotOutcome.ANSWERED] + ended[BotOutcome.HELPFUL]
    rated = ended[BotOutcome.HELPFUL] + ended[BotOutcome.UNHELPFUL]
    return Rates(
        sessions=counted,
        open=ended[BotOutcome.OPEN],
        deflected=deflected,
        answered=ended[BotOutcome.ANSWERED],
        helpful=ended[BotOutcome.HELPFUL],
        unhelpful=ended[BotOutcome.UNHELPFUL],
        handed_off=ended[BotOutcome.HANDED_OFF],
        abandoned=ended[BotOutcome.ABANDONED],
        deflection_rate=_percent(deflected, counted),
        helpful_rate=_percent(ended[BotOutcome.HELPFUL], rated),
        handoff_rate=_percent(ended[BotOutcome.HANDED_OFF], counted),
    )


def report_period(start: Any = None, end: Any = None) -> tuple[dt.date, dt.date]:
    """The report's days (inclusive): the last 30 days unless given; a 422 naming the field
    for a bad date, an end before the start or a span over a year."""
    today = timezone.localdate()

    def parse(value: Any, name: str, default: dt.date) -> dt.date:
        if value in (None, ""):
            return default
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(f"{name}: a date like 2026-01-31", field=name) from None

    last = parse(end, "end", today)
    first = parse(start, "start", last - dt.timedelta(days=DEFAULT_DAYS - 1))
    if last < first:
        raise InvalidInput("end: not before start", field="end")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise InvalidInput(f"start: at most {MAX_SPAN_DAYS} days", field="start")
    return first, last


def _sessions(start: dt.date, end: dt.date, channel: str) -> QuerySet[BotSession]:
    zone = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    sessions = BotSession.objects.filter(started_at__gte=begin, started_at__lt=finish).filter(
        Q(questions__gt=0) | Q(outcome=BotOutcome.HANDED_OFF)
    )
    if channel:
        sessions = sessions.filter(channel=channel)
    return sessions


def _unanswered(sessions: QuerySet[BotSession]) -> list[dict[str, Any]]:
    """Questions the bot did not settle: out of scope, answered but rated not helpful, or the
    last question before the customer asked for a person."""
    turns = BotTurn.objects.filter(session__in=sessions)
    missed = list(
        turns.filter(
            Q(reply_kind=BotReplyKind.OUT_OF_SCOPE)
            | Q(reply_kind=BotReplyKind.ANSWER, helpful=False)
        ).values_list("pk", "question")
    )
    last_question = (
        BotTurn.objects.filter(session=OuterRef("pk"))
        .exclude(reply_kind=BotReplyKind.HANDOFF)
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    before_handoff = (
        sessions.filter(outcome=BotOutcome.HANDED_OFF)
        .annotate(last_turn=Subquery(last_question))
        .exclude(last_turn=None)
        .values_list("last_turn", flat=True)
    )
    seen = {pk for pk, _question in missed}
    missed += [
        (pk, question)
        for pk, question in BotTurn.objects.filter(pk__in=list(before_handoff)).values_list(
            "pk", "question"
        )
        if pk not in seen
    ]
    counter: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for _pk, question in missed:
        key = " ".join(question.lower().split())
        if not key:
            continue
        counter[key] += 1
        # SEC-3: the report shows what customers typed, phone/ID numbers and e-mails masked
        shown.setdefault(key, mask_personal_data(question.strip()))
    return [
        {"question": shown[key], "count": count}
        for key, count in counter.most_common(TOP_UNANSWERED)
    ]


def deflection_report(*, start: Any = None, end: Any = None, channel: Any = "") -> DeflectionReport:
    """The FAQ bot's deflection figures for the days ``start``..``end`` (by session start)."""
    first, last = report_period(start, end)
    chosen = str(channel or "")
    if chosen and chosen not in BotChannel.values:
        raise InvalidInput(f"channel: one of {', '.join(BotChannel.values)}", field="channel")
    sessions = _sessions(first, last, chosen)
    overall = _rates(sessions.aggregate(**_counts()))
    by_channel = {
        row["channel"]: _rates(row)
        for row in sessions.values("channel").annotate(**_counts()).order_by("channel")
    }
    daily = list(
        sessions.annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(**_counts())
        .order_by("day")
    )
    by_day = [(row["day"], _rates(row)) for row in daily]
    weeks: dict[dt.date, dict[str, Any]] = {}
    for row in daily:
        monday = row["day"] - dt.timedelta(days=row["day"].weekday())
        bucket = weeks.setdefault(monday, {})
        for key, value in row.items():
            if key != "day":
                bucket[key] = bucket.get(key, 0) + (value or 0)
    by_week = [(monday, _rates(row)) for monday, row in sorted(weeks.items())]
    turns = BotTurn.objects.filter(session__in=sessions)
    asked = turns.exclude(reply_kind=BotReplyKind.HANDOFF)
    # A picked choice repeats its question as an answer turn: count each question once.
    questions = int(sessions.aggregate(n=Sum("questions"))["n"] or 0)
    out_of_scope = asked.filter(reply_kind=BotReplyKind.OUT_OF_SCOPE).count()
    target = deflection_target()
    return DeflectionReport(
        start=first,
        end=last,
        channel=chosen,
        target=target,
        overall=overall,
        questions=questions,
        out_of_scope=out_of_scope,
        out_of_scope_share=_percent(out_of_scope, questions),
        meets_target=(
            None if overall.deflection_rate is None else overall.deflection_rate >= target
        ),
        by_channel=by_channel,
        by_day=by_day,
        by_week=by_week,
        unanswered=_unanswered(sessions),
    )


def bot_available(channel: str) -> bool:
    """Whether the bot has anything to answer with on ``channel``: an active FAQ entry usable
    there (an entry without channels is usable everywhere)."""
    usable = Faq.objects.filter(is_active=True).values_list("channels", flat=True)
    return any(not channels or channel in channels for channels in usable.iterator())
