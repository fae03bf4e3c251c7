"""``POST /api/v1/qa/draft``: an agent's reply is checked for forbidden phrases before it is sent
(SCR-2, "while typing"); bad input is a 422 naming the field, no credentials a 401."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.quality.engine import MAX_TEXT, check_draft

URL = "/api/v1/qa/draft"
SHIRKING = "这不是我的职责，你找财务部吧"


def client_for(user) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, body: Any) -> Any:
    return client.post(URL, body, content_type="application/json")


@pytest.mark.django_db
def test_forbidden_phrase_with_span_and_suggestion(agent):
    response = post(client_for(agent), {"text": SHIRKING, "channel": "ticket"})
    assert response.status_code == 200
    findings = response.json()["findings"]
    assert findings, findings
    first = findings[0]
    assert set(first) == {"standard", "category", "evidence", "span", "suggestion"}
    assert first["standard"] == "SCR-2" and first["category"] == "shirking"
    start, end = first["span"]
    assert SHIRKING[start:end] == first["evidence"] == "这不是我的职责"
    assert first["suggestion"] == "我会帮您转接至相关同事，请您稍等。"


@pytest.mark.django_db
def test_spans_index_the_original_text(agent):
    # Full-width punctuation and a prefix before the phrase: the span is still into the text.
    text = "您好！！请稍等。这个不归我们管,您自己去问财务"
    findings = post(client_for(agent), {"text": text, "channel": "chat"}).json()["findings"]
    assert [f["category"] for f in findings] == ["shirking"]
    start, end = findings[0]["span"]
    assert text[start:end] == findings[0]["evidence"]
    assert start >= len("您好！！请稍等。")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "",
        "您好，很高兴为您服务，我马上为您查询退款进度，请您稍等。",
        "非常理解您的心情，我会帮您转接至相关同事，请您稍等。",
        "不需要您自己去联系财务，我来帮您处理。",
    ],
)
def test_polite_or_empty_draft_has_no_findings(agent, text):
    response = post(client_for(agent), {"text": text, "channel": "ticket"})
    assert response.status_code == 200
    assert response.json() == {"findings": []}


@pytest.mark.django_db
def test_only_forbidden_phrase_rules(agent):
    # A draft without greeting, restatement or closing is not a "missing_…" finding, and a rude
    # draft of several categories gives each of them, in text order.
    text = "你听不懂吗？我不是说过了吗，这不是我的职责"
    findings = post(client_for(agent), {"text": text}).json()["findings"]
    assert findings and all(f["standard"] == "SCR-2" for f in findings)
    assert "shirking" in {f["category"] for f in findings}
    assert [f["span"][0] for f in findings] == sorted(f["span"][0] for f in findings)
    assert findings == [
        {key: f[key] for key in ("standard", "category", "evidence", "span", "suggestion")}
        for f in check_draft(text)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "好" * (MAX_TEXT + 1), "channel": "ticket"}, "text"),
        ({"text": 12, "channel": "ticket"}, "text"),
        ({"text": "你好", "channel": "x" * 33}, "channel"),
        ({"text": "你好\x00", "channel": "ticket"}, "text"),
    ],
)
def test_bad_input_is_422_naming_the_field(agent, body, field):
    response = post(client_for(agent), body)
    assert response.status_code == 422, response.content
    assert field in response.content.decode("utf-8")


@pytest.mark.django_db
def test_not_json_is_4xx_never_500(agent):
    response = client_for(agent).post(URL, "{nope", content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_anonymous_is_401(client):
    response = post(client, {"text": SHIRKING})
    assert response.status_code == 401


@pytest.mark.django_db
def test_session_without_csrf_token_is_refused(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert post(client, {"text": SHIRKING}).status_code in (401, 403)


@pytest.mark.django_db
def test_session_login_works_too(client, agent):
    client.force_login(agent)
    response = post(client, {"text": SHIRKING, "channel": "chat"})
    assert response.status_code == 200 and response.json()["findings"]


def test_fast_enough_to_run_on_every_pause_in_typing():
    check_draft(SHIRKING)  # compile the default rules once
    text = ("您好，" + SHIRKING + "，" + "我们这边会尽快处理您的问题。") * 150
    text = text[:MAX_TEXT]
    began = time.perf_counter()
    for _ in range(20):
        check_draft(text)
    assert (time.perf_counter() - began) / 20 < 0.05


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "box"),
    [
        ("/tickets/{number}/", 'id="id_body" data-qa-draft="ticket"'),
        ("/chat/console/", 'id="chat-reply" data-qa-draft="chat"'),
    ],
)
def test_reply_boxes_are_checked_while_typing(client, agent, ticket, path, box):
    client.force_login(agent)
    html = client.get(path.format(number=ticket.number)).content.decode("utf-8")
    assert box in html
    assert html.count("quality/draft_check.js") == 1


def test_contact_reply_box_is_checked_while_typing():
    from kefu.channels.screens.forms import ContactReplyForm

    html = str(ContactReplyForm(auto_id="reply_%s", tickets=[])["body"])
    assert 'data-qa-draft="contact"' in html
