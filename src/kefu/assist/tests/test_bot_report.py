"""The FAQ bot's deflection report (TEC-2): the arithmetic, the periods, the top unanswered
questions, and who may read it (API and /assist/bot/)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.assist.bot_selectors import deflection_report, deflection_target
from kefu.assist.models import BotOutcome, BotReplyKind, BotSession, BotTurn
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def session(outcome, *, channel="portal", questions=1, days_ago=1, turns=()):
    moment = timezone.now() - dt.timedelta(days=days_ago)
    made = BotSession.objects.create(
        channel=channel,
        visitor_key="k" * 64,
        outcome=outcome,
        questions=questions,
        started_at=moment,
        updated_at=moment,
        ended_at=None if outcome == BotOutcome.OPEN else moment,
    )
    for question, kind, helpful in turns:
        BotTurn.objects.create(
            session=made, question=question, reply_kind=kind, helpful=helpful, created_at=moment
        )
    return made


@pytest.fixture
def history():
    session(BotOutcome.ANSWERED)
    session(BotOutcome.HELPFUL, turns=[("退货", BotReplyKind.ANSWER, True)])
    session(BotOutcome.HELPFUL, channel="chat")
    session(BotOutcome.UNHELPFUL, turns=[("发票抬头改错了", BotReplyKind.ANSWER, False)])
    session(
        BotOutcome.HANDED_OFF,
        channel="chat",
        turns=[("你们老板是谁", BotReplyKind.OUT_OF_SCOPE, None)],
    )
    session(
        BotOutcome.ABANDONED,
        questions=2,
        turns=[
            ("你们老板是谁", BotReplyKind.OUT_OF_SCOPE, None),
            ("  你们老板是谁 ", BotReplyKind.OUT_OF_SCOPE, None),
        ],
    )
    session(
        BotOutcome.HANDED_OFF,
        turns=[("运费谁出", BotReplyKind.ANSWER, None), ("", BotReplyKind.HANDOFF, None)],
    )
    session(BotOutcome.OPEN)  # not ended: not counted
    session(BotOutcome.ABANDONED, questions=0)  # opened and left without a word: not counted
    session(BotOutcome.HANDED_OFF, questions=0, channel="chat")  # straight to a person: counted
    session(BotOutcome.ANSWERED, days_ago=60)  # outside the default 30 days


def test_deflection_arithmetic(history):
    report = deflection_report()
    overall = report.overall
    # 8 counted: answered, 2 helpful, unhelpful, 3 handed off, abandoned.
    assert overall.sessions == 8
    assert (overall.answered, overall.helpful, overall.unhelpful) == (1, 2, 1)
    assert (overall.handed_off, overall.abandoned, overall.open) == (3, 1, 1)
    assert overall.deflected == 3
    assert overall.deflection_rate == round(100 * 3 / 8, 1)
    assert overall.helpful_rate == round(100 * 2 / 3, 1)
    assert overall.handoff_rate == round(100 * 3 / 8, 1)
    assert report.target == 60.0 and report.meets_target is False
    # Questions: 1+1+1+1+1+2+1+1 (open) = 9 asked, 3 of them out of scope.
    assert report.questions == 9 and report.out_of_scope == 3
    assert report.out_of_scope_share == round(100 * 3 / 9, 1)


def test_per_channel_and_period(history):
    report = deflection_report()
    assert report.by_channel["portal"].sessions == 5
    assert report.by_channel["chat"].sessions == 3
    assert report.by_channel["chat"].deflection_rate == round(100 / 3, 1)
    assert sum(rates.sessions for _, rates in report.by_day) == 8
    assert sum(rates.sessions for _, rates in report.by_week) == 8
    chat_only = deflection_report(channel="chat")
    assert chat_only.overall.sessions == 3
    wider = deflection_report(start=timezone.localdate() - dt.timedelta(days=90))
    assert wider.overall.sessions == 9


def test_top_unanswered_questions_group_the_same_text(history):
    unanswered = deflection_report().unanswered
    assert unanswered[0] == {"question": "你们老板是谁", "count": 3}
    assert {"question": "发票抬头改错了", "count": 1} in unanswered
    assert {"question": "运费谁出", "count": 1} in unanswered  # the last before a hand-off
    assert all(item["question"] != "退货" for item in unanswered)  # helpful answers are not


def test_unanswered_questions_show_phone_numbers_and_emails_masked():
    """SEC-3: the report shows what customers typed without their numbers and addresses."""
    session(
        BotOutcome.ABANDONED,
        turns=[
            ("我电话13812345678，邮箱 zhang.san@example.com 怎么没人联系", "out_of_scope", None)
        ],
    )
    shown = deflection_report().unanswered[0]["question"]
    assert "13812345678" not in shown and "138****5678" in shown
    assert "zhang.san@" not in shown and "z***@example.com" in shown


def test_empty_period_has_no_rates():
    report = deflection_report()
    assert report.overall.sessions == 0
    assert report.overall.deflection_rate is None and report.meets_target is None


def test_target_comes_from_the_standard_or_defaults_to_60():
    assert deflection_target() == 60.0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "start"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_filters_are_422(client, manager, params, field):
    client.force_login(manager)
    response = client.get("/api/v1/assist/bot/report", params)
    assert response.status_code == 422 and response.json()["field"] == field


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN])
def test_leads_managers_and_admins_read_the_report(history, role):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    response = client.get("/api/v1/assist/bot/report")
    assert response.status_code == 200
    assert response.json()["overall"]["sessions"] == 8 and response.json()["target"] == 60.0
    page = client.get("/assist/bot/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "你们老板是谁" in body and "/knowledge/faqs/new/?question=" in body


@pytest.mark.parametrize("role", [Role.AGENT, Role.QA_SPECIALIST])
def test_others_may_not(role):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    assert client.get("/api/v1/assist/bot/report").status_code == 403
    assert client.get("/assist/bot/").status_code == 403


def test_anonymous_is_asked_to_log_in(client):
    assert client.get("/api/v1/assist/bot/report").status_code == 401
    assert client.get("/assist/bot/").status_code == 302


def test_report_page_refuses_bad_dates_with_422(client, manager):
    client.force_login(manager)
    response = client.get("/assist/bot/", {"start": "nope"})
    assert response.status_code == 422


def test_create_faq_link_prefills_the_question(client, manager):
    client.force_login(manager)
    page = client.get("/knowledge/faqs/new/", {"question": "你们老板是谁"})
    assert page.status_code == 200 and 'value="你们老板是谁"' in page.content.decode()
