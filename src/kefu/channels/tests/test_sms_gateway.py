"""The HTTP SMS gateway adapter against a real HTTP server playing the gateway (TEC-7).

Success is a 2xx answer (and, when configured, the gateway's success field); anything else
raises, so the outbox records the failure and tries again later.
"""

from __future__ import annotations

import socket

import pytest

from kefu.channels.sms_gateway import HttpGatewaySmsBackend, SmsGatewayError
from kefu.channels.tests.gateway_server import gateway_server
from kefu.notify.models import OutboundChannel, OutboundMessage, OutboundStatus
from kefu.notify.services import outbox_deliver, outbox_enqueue

BACKEND = "kefu.channels.sms_gateway.HttpGatewaySmsBackend"


@pytest.fixture
def gateway(settings):
    with gateway_server() as server:
        settings.KEFU_SMS_BACKEND = BACKEND
        settings.KEFU_SMS_GATEWAY_URL = f"{server.url}/v1/sms"
        settings.KEFU_SMS_GATEWAY_TOKEN = "s3cret"
        settings.KEFU_SMS_SIGN_NAME = "客服中心"
        settings.KEFU_SMS_SENDER_ID = "10690001"
        settings.KEFU_SMS_GATEWAY_FIELDS = ""
        settings.KEFU_SMS_GATEWAY_SUCCESS = ""
        settings.KEFU_SMS_GATEWAY_TIMEOUT = 5
        yield server


def test_one_json_post_with_token_sign_name_and_reference(gateway):
    HttpGatewaySmsBackend().send(
        to="13800138000", body="您好，工单已处理。", reference="kefu-outbox-7"
    )

    [request] = gateway.requests
    assert request.method == "POST" and request.path == "/v1/sms"
    assert request.headers["authorization"] == "Bearer s3cret"
    assert request.headers["idempotency-key"] == "kefu-outbox-7"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "to": "13800138000",
        "text": "您好，工单已处理。",
        "sign_name": "客服中心",
        "sender_id": "10690001",
        "reference": "kefu-outbox-7",
    }


def test_field_names_auth_header_and_success_field_follow_the_gateway(gateway, settings):
    settings.KEFU_SMS_GATEWAY_FIELDS = "to=PhoneNumbers, text=Content, sign_name=SignName"
    settings.KEFU_SMS_GATEWAY_AUTH_HEADER = "X-Api-Key"
    settings.KEFU_SMS_GATEWAY_AUTH_SCHEME = ""
    settings.KEFU_SMS_GATEWAY_SUCCESS = "Result.Code=OK"
    gateway.answer = lambda request: (200, {"Result": {"Code": "OK"}})

    HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")

    [request] = gateway.requests
    assert request.headers["x-api-key"] == "s3cret"
    assert "authorization" not in request.headers
    body = request.json()
    assert body["PhoneNumbers"] == "13800138000" and body["Content"] == "hi"
    assert body["SignName"] == "客服中心" and body["reference"] == "r1"


def test_an_error_status_raises_without_the_number(gateway):
    gateway.answer = lambda request: (503, {"error": "busy", "to": "13800138000"})

    with pytest.raises(SmsGatewayError) as caught:
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")

    assert "503" in str(caught.value)
    assert "13800138000" not in str(caught.value) and "138****8000" in str(caught.value)


def test_an_error_inside_a_200_answer_raises(gateway, settings):
    gateway.answer = lambda request: (200, {"error": "invalid sign name"})
    with pytest.raises(SmsGatewayError, match="invalid sign name"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")

    settings.KEFU_SMS_GATEWAY_SUCCESS = "Code=OK"
    gateway.answer = lambda request: (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL"})
    with pytest.raises(SmsGatewayError, match="Code"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r2")


def test_a_redirect_is_a_failure_not_a_silent_get(gateway):
    gateway.answer = lambda request: (302, b"")
    with pytest.raises(SmsGatewayError, match="302"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")
    assert len(gateway.requests) == 1


def test_unreachable_gateway_and_missing_url_raise(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.KEFU_SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/sms"
    settings.KEFU_SMS_GATEWAY_TIMEOUT = 2
    with pytest.raises(SmsGatewayError, match="could not reach"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")

    settings.KEFU_SMS_GATEWAY_URL = ""
    with pytest.raises(SmsGatewayError, match="KEFU_SMS_GATEWAY_URL"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")

    settings.KEFU_SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(SmsGatewayError, match="not an http"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")


def test_a_bad_field_mapping_is_reported(gateway, settings):
    settings.KEFU_SMS_GATEWAY_FIELDS = "phone=PhoneNumbers"
    with pytest.raises(SmsGatewayError, match="KEFU_SMS_GATEWAY_FIELDS"):
        HttpGatewaySmsBackend().send(to="13800138000", body="hi", reference="r1")
    assert gateway.requests == []


def test_the_outbox_records_the_gateway_failure_and_the_later_success(gateway, db):
    message = outbox_enqueue(
        channel=OutboundChannel.SMS, to_address="13800138000", subject="T1", body="您好"
    )
    assert message is not None
    gateway.answer = lambda request: (500, {"error": "down"})

    assert outbox_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboundStatus.PENDING and "HTTP 500" in message.last_error

    gateway.answer = lambda request: (200, {"id": "gw-1"})
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox_deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT
    assert [r.json()["reference"] for r in gateway.requests] == [f"kefu-outbox-{message.pk}"] * 2
