"""The demo's FAQ bot conversations (TEC-2): seeded through the services over 30 days, all
ended, so the deflection report has figures; nothing without FAQ entries."""

from __future__ import annotations

import random

import pytest

from kefu.assist.bot_selectors import deflection_report
from kefu.assist.models import BotOutcome, BotSession
from kefu.demo import bot as demo_bot
from kefu.knowledge.faq_services import faq_create

pytestmark = pytest.mark.django_db


def test_no_faqs_no_sessions():
    demo_bot.seed_demo_bot_sessions(random.Random(1))
    assert not BotSession.objects.exists()


def test_seeded_conversations_fill_the_report(manager, monkeypatch):
    monkeypatch.setattr(demo_bot, "SESSIONS", 40)
    faq_create(
        actor=manager,
        question="如何申请退货退款",
        answer="订单详情点退货。",
        similar_questions=["怎么退货"],
    )
    faq_create(
        actor=manager, question="发票怎么开具", answer="订单页申请。", similar_questions=["开发票"]
    )
    demo_bot.seed_demo_bot_sessions(random.Random(7))
    assert BotSession.objects.count() == 40
    assert not BotSession.objects.filter(outcome=BotOutcome.OPEN).exists()
    report = deflection_report()
    assert report.overall.sessions == 40
    assert report.overall.deflection_rate is not None and report.by_day
    assert set(report.by_channel) == {"portal", "chat"}
    demo_bot.seed_demo_bot_sessions(random.Random(7))  # a repeat adds nothing
    assert BotSession.objects.count() == 40
