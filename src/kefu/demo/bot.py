"""The demo center's FAQ bot conversations (TEC-2), so the deflection report has figures.

A few hundred customers over the last 30 days ask the bot on the portal and in the chat widget,
through the bot services (the real matcher decides answer / choices / out of scope): most ask an
FAQ's question or one of its similar questions, some type something the FAQ does not cover.
Then they rate the answer, pick a choice, ask for a person, or just leave (closed as answered
or abandoned by the idle rule). Afterwards each conversation is moved back to its day.

Hand-offs here record the outcome only: the demo's chat contacts come from
:mod:`kefu.demo.channels`, not from the bot.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from kefu.assist.bot_services import (
    bot_ask,
    bot_choose,
    bot_feedback,
    bot_handoff,
    bot_session_start,
    bot_sessions_close_idle,
    bot_visitor_key,
)
from kefu.assist.models import BotOutcome, BotReplyKind, BotSession, BotTurn
from kefu.core.timeutils import now
from kefu.knowledge.models import Faq

SESSIONS = 360
DAYS = 30

# What customers type that the demo FAQ does not answer (they become "top unanswered").
OUT_OF_SCOPE = [
    "你们门店几点关门",
    "可以开增值税专用发票给公司吗",
    "我想应聘客服岗位",
    "你们和京东哪个便宜",
    "快递员态度太差了我要投诉",
    "能不能帮我改一下收货人的名字",
    "订单显示签收了但我没收到",
    "优惠券过期了还能用吗",
    "你们老板是谁",
    "手机屏幕碎了能保修吗",
    "会员积分怎么兑换话费",
    "为什么我的账号被冻结了",
]
# Words a customer puts around a question.
PREFIXES = ["", "", "", "请问", "你好，", "想问下", "客服，"]
SUFFIXES = ["", "", "", "？", "啊", "，急"]


def _questions() -> list[tuple[int, list[str]]]:
    """Each active FAQ entry with the ways customers ask it (its question and similar ones)."""
    found: list[tuple[int, list[str]]] = []
    for faq in Faq.objects.filter(is_active=True).prefetch_related("similar_questions"):
        ways = [faq.question, *(item.text for item in faq.similar_questions.all())]
        found.append((faq.pk, ways))
    return found


def _moment(rng: random.Random, today: dt.datetime) -> dt.datetime:
    day = rng.randrange(DAYS)
    # Busier in the day and evening, some at night (the bot answers 7×24).
    hour = rng.choice([9, 10, 10, 11, 13, 14, 15, 16, 19, 20, 21, 21, 22, 23, 1, 7])
    moment = (today - dt.timedelta(days=day)).replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
    )
    # Today's later hours have not come yet: those customers came yesterday.
    return moment if moment < today - dt.timedelta(hours=1) else moment - dt.timedelta(days=1)


def _one_conversation(rng: random.Random, number: int, faqs: list[tuple[int, list[str]]]) -> int:
    """One customer: asks once or twice; knows whether the reply is what they wanted (their
    FAQ entry, or nothing for a question the FAQ does not cover) and acts like it."""
    channel = "chat" if rng.random() < 0.45 else "portal"
    session = bot_session_start(
        channel=channel, visitor_key=bot_visitor_key(f"demo-visitor-{number}")
    )
    asks = 1 if rng.random() < 0.7 else 2
    for _ in range(asks):
        wanted: int | None = None
        if rng.random() < 0.22 or not faqs:
            text = rng.choice(OUT_OF_SCOPE)
        else:
            wanted, ways = rng.choice(faqs)
            text = rng.choice(PREFIXES) + rng.choice(ways) + rng.choice(SUFFIXES)
        turn = bot_ask(session=session, question=text)
        if turn.reply_kind == BotReplyKind.CHOICES:
            offered = [item["faq"] for item in turn.candidates]
            if wanted in offered and rng.random() < 0.85:
                turn = bot_choose(session=session, turn_id=turn.pk, faq_id=wanted)
            elif rng.random() < 0.5:
                bot_handoff(session=session)
                return session.pk
            else:
                continue  # asks again, or leaves
        if turn.reply_kind == BotReplyKind.OUT_OF_SCOPE:
            if rng.random() < 0.75:
                bot_handoff(session=session)
                return session.pk
            continue
        if turn.reply_kind != BotReplyKind.ANSWER:
            continue
        roll = rng.random()
        if turn.faq_id != wanted:  # a wrong answer: not helpful, then often a person
            if roll < 0.45:
                bot_feedback(session=session, turn_id=turn.pk, helpful=False)
            if roll < 0.25 or 0.45 <= roll < 0.85:
                bot_handoff(session=session)
                return session.pk
        elif roll < 0.45:
            bot_feedback(session=session, turn_id=turn.pk, helpful=rng.random() < 0.9)
        elif roll < 0.5:
            bot_handoff(session=session)
            return session.pk
    if session.outcome == BotOutcome.UNHELPFUL and rng.random() < 0.5:
        bot_handoff(session=session)
    return session.pk


def _backdate(session_id: int, start: dt.datetime) -> None:
    """Move a conversation to ``start``, keeping the order and spacing of its turns."""
    session = BotSession.objects.get(pk=session_id)
    turns = list(BotTurn.objects.filter(session=session).order_by("created_at", "id"))
    for index, turn in enumerate(turns):
        turn.created_at = start + dt.timedelta(seconds=20 + 40 * index)
    BotTurn.objects.bulk_update(turns, ["created_at"])
    last = turns[-1].created_at if turns else start
    BotSession.objects.filter(pk=session_id).update(
        started_at=start,
        updated_at=last,
        ended_at=last if session.ended_at is not None else None,
    )


def seed_demo_bot_sessions(rng: random.Random) -> None:
    """Customer conversations with the FAQ bot, through the bot services, over 30 days; then
    the idle rule closes the ones left open. Nothing when the FAQ is empty or already seeded."""
    if BotSession.objects.exists():
        return
    faqs = _questions()
    if not faqs:
        return  # without FAQ entries the bot has nothing to answer with
    today = now()
    with transaction.atomic():
        for number in range(SESSIONS):
            session_id = _one_conversation(rng, number, faqs)
            _backdate(session_id, _moment(rng, today))
        bot_sessions_close_idle()
