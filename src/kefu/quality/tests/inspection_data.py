"""Builders for the inspection, appeal and calibration tests (QA-1, QA-2): a small scorecard
with a fatal automatic item, chat contacts with and without a forbidden phrase, API clients."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.channels.models import Contact
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.quality.models import Scorecard, ScorecardItem

AT = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
RUDE = "这不是我的职责，你自己去问财务。"
POLITE = "您好，很高兴为您服务，请问有什么可以帮您？"


def make_scorecard(*, name: str = "测试评分表", pass_mark: int = 80) -> Scorecard:
    """Three items: 不推诿 (automatic, fatal, weight 2), 问题是否解决 (manual, weight 2) and
    方案是否合理 (manual, weight 1) — total weight 5."""
    card = Scorecard.objects.create(name=name, version=1, pass_mark=pass_mark, is_active=True)
    ScorecardItem.objects.bulk_create(
        [
            ScorecardItem(
                scorecard=card,
                dimension="script",
                title="不推诿",
                weight=Decimal(2),
                kind="auto",
                rule_category="shirking",
                fatal=True,
                order=0,
            ),
            ScorecardItem(
                scorecard=card,
                dimension="result",
                title="问题是否解决",
                weight=Decimal(2),
                kind="manual",
                order=1,
            ),
            ScorecardItem(
                scorecard=card,
                dimension="result",
                title="方案是否合理",
                weight=Decimal(1),
                kind="manual",
                order=2,
            ),
        ]
    )
    return card


def manual_ids(card: Scorecard) -> tuple[str, str]:
    solved, sound = card.items.filter(kind="manual").order_by("order")
    return str(solved.pk), str(sound.pk)


def scores(card: Scorecard, solved: Any, sound: Any) -> dict[str, Any]:
    first, second = manual_ids(card)
    return {first: solved, second: sound}


def chat_contact(agent: Any, *, rude: bool = False, team: Any = None) -> Contact:
    contact = make_contact(
        kind="chat", state="ended", at=AT, agent=agent, team=team or agent.team, ended_at=AT
    )
    add_message(contact, "你好，我的订单还没到。", at=AT)
    add_message(contact, POLITE, inbound=False, at=AT + dt.timedelta(seconds=20))
    if rude:
        add_message(contact, RUDE, inbound=False, at=AT + dt.timedelta(seconds=40))
    return contact


def client_for(user: Any) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
