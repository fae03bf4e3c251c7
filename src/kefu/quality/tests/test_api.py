"""``POST /api/v1/qa/check``: any member of staff may check a transcript (QA-3); bad input is a
422 naming the field, no credentials a 401."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.quality.engine import check

URL = "/api/v1/qa/check"
TRANSCRIPT = {
    "channel": "call",
    "language": "zh",
    "segments": [
        {
            "speaker": "agent",
            "start": 0,
            "end": 5,
            "text": "您好，很高兴为您服务，请问有什么可以帮您？",
        },
        {
            "speaker": "customer",
            "start": 5.5,
            "end": 9,
            "text": "我听不懂你们的规定，这不是你们的职责吗？",
        },
        {"speaker": "agent", "start": 9.5, "end": 14, "text": "这个不归我们管,您自己去问财务"},
    ],
}


def client_for(user) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "qa", "team_lead", "manager"])
def test_staff_check_a_transcript(request, who):
    response = client_for(request.getfixturevalue(who)).post(
        URL, TRANSCRIPT, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body == check(TRANSCRIPT)
    shirking = [f for f in body["findings"] if f["category"] == "shirking"]
    assert len(shirking) == 1 and shirking[0]["segment"] == 2
    # The customer's "我听不懂" and "这不是你们的职责吗" are not the agent's violations.
    assert all(f["segment"] != 1 for f in body["findings"])
    assert "我会帮您转接至相关同事" in response.content.decode("utf-8")


@pytest.mark.django_db
def test_session_login_works_too(client, agent):
    client.force_login(agent)
    response = client.post(URL, TRANSCRIPT, content_type="application/json")
    assert response.status_code == 200 and "score" in response.json()


@pytest.mark.django_db
def test_anonymous_is_401(client):
    response = client.post(URL, TRANSCRIPT, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"segments": []}, "channel"),
        ({"channel": "call"}, "segments"),
        ({"channel": "call", "segments": [{"speaker": "bot", "text": "x"}]}, "segments.0.speaker"),
        ({"channel": "call", "segments": [{"speaker": "agent"}]}, "segments.0.text"),
        (
            {"channel": "call", "segments": [{"speaker": "agent", "text": "x", "start": -1}]},
            "segments.0.start",
        ),
        (
            {
                "channel": "call",
                "segments": [{"speaker": "agent", "text": "x", "start": 5, "end": 1}],
            },
            "segments.0",
        ),
        (
            {"channel": "call", "segments": [{"speaker": "agent", "text": "a\x00b"}]},
            "segments.0.text",
        ),
    ],
)
def test_bad_input_is_422_with_the_field(agent, body, field):
    response = client_for(agent).post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_body_that_is_not_json_is_4xx(agent):
    response = client_for(agent).post(URL, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
