"""The FAQ bot over HTTP (TEC-2): the portal box's API (session + CSRF), the portal's plain
forms, the chat widget's bot endpoints with the hand-off to a real chat, rate limits, 422s."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kefu.assist.bot_services import IDLE_MINUTES
from kefu.assist.models import BotOutcome, BotReplyKind, BotSession, BotTurn
from kefu.channels.chat import services as chat_services
from kefu.channels.models import ChatWidget, ContactMessage, Presence, Speaker
from kefu.core.timeutils import now
from kefu.knowledge.faq_services import faq_create

pytestmark = pytest.mark.django_db
SHOP = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def faqs(manager):
    return [
        faq_create(actor=manager, question="如何申请退货退款", answer="在**订单详情**点击退货。"),
        faq_create(actor=manager, question="发票怎么开具", answer="<script>x</script>订单页申请。"),
    ]


@pytest.fixture
def portal():
    """A browser on the portal: CSRF enforced, the token taken from the page."""
    client = Client(enforce_csrf_checks=True)
    return client


def csrf_token(client: Client) -> str:
    page = client.get("/portal/")
    assert page.status_code == 200
    return (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )


def bot(client: Client, path: str, body: Any = None, *, token: str | None = None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(
        f"/api/v1/assist/bot/{path}",
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=headers,
    )


# -- the portal box's API --------------------------------------------------------------------
def test_portal_page_shows_the_bot_when_there_are_faqs(client, faqs):
    body = client.get("/portal/").content.decode()
    assert 'id="bot"' in body and "assist/bot.js" in body


def test_portal_page_without_faqs_has_no_bot(client):
    assert 'id="bot"' not in client.get("/portal/").content.decode()


def test_ask_needs_the_csrf_token(portal, faqs):
    csrf_token(portal)
    response = bot(portal, "ask", {"question": "发票怎么开具"})
    assert response.status_code == 403 and not BotTurn.objects.exists()


def test_portal_conversation(portal, faqs):
    token = csrf_token(portal)
    answered = bot(portal, "ask", {"question": "发票怎么开具"}, token=token)
    assert answered.status_code == 201, answered.content
    reply = answered.json()
    assert reply["kind"] == "answer" and reply["answer"]["question"] == "发票怎么开具"
    assert "<script>" not in reply["answer"]["answer_html"]  # sanitized Markdown
    session = BotSession.objects.get()
    assert session.channel == "portal" and len(session.visitor_key) == 64
    assert portal.session.session_key not in session.visitor_key  # no session key stored

    rated = bot(portal, "feedback", {"turn": reply["turn"], "helpful": True}, token=token)
    assert rated.status_code == 200 and rated.json()["outcome"] == BotOutcome.HELPFUL
    again = bot(portal, "feedback", {"turn": reply["turn"], "helpful": False}, token=token)
    assert again.status_code == 409

    handed = bot(portal, "handoff", token=token)
    assert handed.status_code == 200
    assert handed.json()["outcome"] == BotOutcome.HANDED_OFF
    assert handed.json()["next"].startswith("/portal/?describe=")


def test_another_browser_cannot_rate_my_answer(faqs):
    mine, theirs = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    reply = bot(mine, "ask", {"question": "发票怎么开具"}, token=csrf_token(mine)).json()
    response = bot(
        theirs, "feedback", {"turn": reply["turn"], "helpful": False}, token=csrf_token(theirs)
    )
    assert response.status_code == 404
    assert BotTurn.objects.get(pk=reply["turn"]).helpful is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "问" * 501}, "question"),
        ({"question": ["list"]}, "question"),
        ({}, "question"),
    ],
)
def test_bad_questions_are_422_with_the_field(portal, faqs, body, field):
    response = bot(portal, "ask", body, token=csrf_token(portal))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not BotTurn.objects.exists()


def test_bad_feedback_is_422(portal, faqs):
    token = csrf_token(portal)
    reply = bot(portal, "ask", {"question": "发票怎么开具"}, token=token).json()
    response = bot(portal, "feedback", {"turn": reply["turn"], "helpful": "maybe"}, token=token)
    assert response.status_code == 422 and response.json()["field"] == "helpful"
    response = bot(portal, "feedback", {"turn": "x", "helpful": True}, token=token)
    assert response.status_code == 422 and response.json()["field"] == "turn"


def test_questions_are_rate_limited(portal, faqs, settings):
    settings.KEFU_PORTAL_SEARCHES_PER_HOUR = 2
    token = csrf_token(portal)
    for _ in range(2):
        assert bot(portal, "ask", {"question": "发票怎么开具"}, token=token).status_code == 201
    limited = bot(portal, "ask", {"question": "发票怎么开具"}, token=token)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert BotTurn.objects.count() == 2


def test_starting_conversations_is_rate_limited(portal, faqs, settings):
    """/start writes a session row per call: it is counted like a question (no unlimited rows)."""
    settings.KEFU_PORTAL_SEARCHES_PER_HOUR = 2
    token = csrf_token(portal)
    for _ in range(2):
        assert bot(portal, "start", token=token).status_code == 201
    limited = bot(portal, "start", token=token)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert BotSession.objects.count() == 2


# -- the portal without JavaScript -----------------------------------------------------------
def test_portal_forms_without_javascript(client, faqs):
    response = client.post("/portal/bot/", {"action": "ask", "question": "如何申请退货退款"})
    assert response.status_code == 302 and response["Location"].endswith("#bot")
    page = client.get("/portal/").content.decode()
    assert "订单详情" in page and 'value="feedback"' in page
    turn = BotTurn.objects.get()
    response = client.post("/portal/bot/", {"action": "feedback", "turn": turn.pk, "helpful": "no"})
    assert response.status_code == 302
    turn.refresh_from_db()
    assert turn.helpful is False
    response = client.post("/portal/bot/", {"action": "handoff"})
    assert response.status_code == 302 and "describe=" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert "如何申请退货退款" in form  # the request form starts from the question
    assert BotSession.objects.get().outcome == BotOutcome.HANDED_OFF


def test_portal_page_drops_a_conversation_left_idle(client, faqs):
    """After the idle time the page shows no old answers: the next question starts anew."""
    client.post("/portal/bot/", {"action": "ask", "question": "如何申请退货退款"})
    assert "订单详情" in client.get("/portal/").content.decode()
    BotSession.objects.update(updated_at=now() - dt.timedelta(minutes=IDLE_MINUTES + 1))
    assert "订单详情" not in client.get("/portal/").content.decode()


def test_portal_form_refuses_an_empty_question(client, faqs):
    response = client.post("/portal/bot/", {"action": "ask", "question": "  "})
    assert response.status_code == 422
    assert 'id="bot-error"' in response.content.decode()
    assert not BotSession.objects.exists()


# -- the chat widget -------------------------------------------------------------------------
@pytest.fixture
def widget(team):
    return ChatWidget.objects.create(
        key="shop", name="商城", team=team, greeting="您好", allowed_origins=SHOP
    )


def widget_api(client: Client, path: str, body: Any, *, origin: str = SHOP):
    return client.post(
        f"/chat/api/shop/{path}",
        data=json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": origin},
    )


def test_widget_config_says_whether_the_bot_answers(client, widget):
    config = client.get("/chat/api/shop/config", headers={"Origin": SHOP}).json()
    assert config["bot"] is False


def test_widget_bot_hands_off_to_a_real_chat_with_the_transcript(client, widget, faqs, agent):
    chat_services.presence_set(actor=agent, status=Presence.AVAILABLE)
    assert client.get("/chat/api/shop/config", headers={"Origin": SHOP}).json()["bot"] is True
    first = widget_api(client, "bot/ask", {"question": "发票怎么开具"})
    assert first.status_code == 201 and first["Access-Control-Allow-Origin"] == SHOP
    token = first.json()["bot_token"]
    assert first.json()["kind"] == "answer"
    second = widget_api(client, "bot/ask", {"bot_token": token, "question": "zzqx kwvv plorb"})
    assert second.json()["kind"] == BotReplyKind.OUT_OF_SCOPE
    assert second.json()["session"] == first.json()["session"]

    handed = widget_api(client, "bot/handoff", {"bot_token": token, "name": "小王"})
    assert handed.status_code == 201, handed.content
    data = handed.json()
    assert data["token"] and data["state"] in ("queued", "offered", "active")
    session = BotSession.objects.get()
    assert session.outcome == BotOutcome.HANDED_OFF and session.contact is not None
    customer_lines = [m["body"] for m in data["messages"] if m["speaker"] == Speaker.CUSTOMER]
    assert customer_lines == ["发票怎么开具", "zzqx kwvv plorb"]
    # The agent's console reads the same contact: the questions are there.
    assert (
        ContactMessage.objects.filter(contact=session.contact, speaker=Speaker.SYSTEM).count() == 2
    )
    # The chat goes on through the widget's normal API with the new token.
    sent = client.post(
        "/chat/api/shop/send",
        data=json.dumps({"token": data["token"], "body": "请帮我看看"}),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": SHOP},
    )
    assert sent.status_code == 201


def test_widget_handoff_when_closed_is_409_and_still_handed_off(client, widget, faqs):
    token = widget_api(client, "bot/ask", {"question": "发票怎么开具"}).json()["bot_token"]
    response = widget_api(client, "bot/handoff", {"bot_token": token})
    assert response.status_code == 409 and response.json()["error"] == "chat_closed"
    session = BotSession.objects.get()
    assert session.outcome == BotOutcome.HANDED_OFF and session.contact is None


def test_widget_bot_refusals(client, widget, faqs):
    assert widget_api(client, "bot/ask", {"question": ""}).json()["field"] == "question"
    bad = widget_api(client, "bot/ask", {"bot_token": "short", "question": "发票"})
    assert bad.status_code == 422 and bad.json()["field"] == "bot_token"
    unknown = widget_api(
        client, "bot/feedback", {"bot_token": "a" * 30, "turn": 1, "helpful": True}
    )
    assert unknown.status_code == 404
    other = widget_api(client, "bot/ask", {"question": "发票"}, origin="https://evil.example.net")
    assert other.status_code == 403
    assert not BotTurn.objects.exists()


def test_widget_choose_and_feedback(client, widget, faqs, monkeypatch):
    from kefu.assist import bot_services
    from kefu.assist.faq_answers import FaqAnswer, FaqCandidate

    candidates = [FaqCandidate(faq.pk, faq.question, 0.4) for faq in faqs]
    monkeypatch.setattr(
        bot_services,
        "answer_question",
        lambda q, channel="", limit=3: FaqAnswer("choices", candidates, 0.4),
    )
    asked = widget_api(client, "bot/ask", {"question": "怎么办"}).json()
    assert asked["kind"] == "choices" and [c["id"] for c in asked["choices"]] == [
        f.pk for f in faqs
    ]
    token = asked["bot_token"]
    chosen = widget_api(
        client, "bot/choose", {"bot_token": token, "turn": asked["turn"], "faq": faqs[0].pk}
    )
    assert chosen.status_code == 201 and chosen.json()["kind"] == "answer"
    rated = widget_api(
        client, "bot/feedback", {"bot_token": token, "turn": chosen.json()["turn"], "helpful": True}
    )
    assert rated.status_code == 200 and rated.json()["outcome"] == BotOutcome.HELPFUL


def test_portal_visit_alone_stores_no_session(client, faqs):
    from django.contrib.sessions.models import Session

    client.get("/portal/")
    assert not Session.objects.exists() and not BotSession.objects.exists()


def test_portal_handoff_without_a_conversation_goes_to_the_form(client, faqs):
    response = client.post("/portal/bot/", {"action": "handoff"})
    assert response.status_code == 302 and response["Location"].endswith("#request")
    assert not BotSession.objects.exists()
