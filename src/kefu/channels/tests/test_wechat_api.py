"""Agents' replies to WeChat followers: outbox → customer-service message API (TEC-7).

A real HTTP server plays ``api.weixin.qq.com``: it hands out access tokens and records the
messages. The token is fetched once and reused until it expires; an errcode other than 0 is a
failure the outbox records.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from django.test import Client

from kefu.channels.models import ContactMessage, Direction, MessageStatus
from kefu.channels.tests.gateway_server import Received, gateway_server
from kefu.channels.wechat import wechat_signature
from kefu.channels.wechat_api import (
    WechatApiError,
    wechat_access_token,
    wechat_send_text,
    wechat_token_cache_clear,
)
from kefu.notify.models import OutboundMessage, OutboundStatus
from kefu.notify.services import outbox_deliver, outbox_enqueue
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_comment

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
TOKEN_PATH = "/cgi-bin/token"
SEND_PATH = "/cgi-bin/message/custom/send"


class WechatApi:
    """What the test's WeChat server answers: numbered tokens, then the send's errcodes."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)
        self.expires_in = 7200
        self.token_answer: dict[str, Any] | None = None
        self.send_errcodes: list[int] = []
        self.valid_tokens: set[str] = set()

    def __call__(self, request: Received) -> tuple[int, Any]:
        if request.path == TOKEN_PATH:
            if self.token_answer is not None:
                return 200, self.token_answer
            token = f"ACCESS_TOKEN_{next(self.numbers)}"
            self.valid_tokens.add(token)
            return 200, {"access_token": token, "expires_in": self.expires_in}
        if request.path == SEND_PATH:
            if request.query.get("access_token") not in self.valid_tokens:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            errcode = self.send_errcodes.pop(0) if self.send_errcodes else 0
            return 200, {"errcode": errcode, "errmsg": "ok" if errcode == 0 else "refused"}
        return 404, {"errcode": -1}


@pytest.fixture
def api(settings):
    wechat_token_cache_clear()
    behaviour = WechatApi()
    with gateway_server() as server:
        server.answer = behaviour
        settings.KEFU_WECHAT_API_BASE = server.url + "/"
        settings.KEFU_WECHAT_APP_ID = "wx1234567890abcdef"
        settings.KEFU_WECHAT_APP_SECRET = "app-secret-value"
        settings.KEFU_WECHAT_TIMEOUT = 5
        server.behaviour = behaviour  # type: ignore[attr-defined]
        yield server
    wechat_token_cache_clear()


def test_a_text_goes_out_as_a_customer_service_message_with_a_fetched_token(api):
    wechat_send_text(openid=OPENID, text="您好，已为您查询到物流信息。")

    [token_request] = api.on(TOKEN_PATH)
    assert token_request.method == "GET"
    assert token_request.query == {
        "grant_type": "client_credential",
        "appid": "wx1234567890abcdef",
        "secret": "app-secret-value",
    }
    [send] = api.on(SEND_PATH)
    assert send.method == "POST" and send.query == {"access_token": "ACCESS_TOKEN_1"}
    assert send.json() == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "您好，已为您查询到物流信息。"},
    }
    assert "您好".encode() in send.body  # UTF-8 as WeChat expects, not \\u escapes


def test_the_token_is_reused_until_it_expires(api):
    for _ in range(3):
        wechat_send_text(openid=OPENID, text="hi")
    assert len(api.on(TOKEN_PATH)) == 1
    assert {r.query["access_token"] for r in api.on(SEND_PATH)} == {"ACCESS_TOKEN_1"}

    wechat_token_cache_clear()
    api.behaviour.expires_in = 1  # a token that is as good as expired on arrival
    wechat_send_text(openid=OPENID, text="hi")
    wechat_send_text(openid=OPENID, text="hi")
    assert len(api.on(TOKEN_PATH)) == 3


def test_a_token_revoked_early_is_fetched_again_once(api):
    assert wechat_access_token() == "ACCESS_TOKEN_1"
    api.behaviour.valid_tokens.clear()  # e.g. another system fetched a new token

    wechat_send_text(openid=OPENID, text="hi")

    assert len(api.on(TOKEN_PATH)) == 2
    assert [r.query["access_token"] for r in api.on(SEND_PATH)] == [
        "ACCESS_TOKEN_1",
        "ACCESS_TOKEN_2",
    ]


def test_an_errcode_raises(api):
    api.behaviour.send_errcodes = [45015]  # the 48-hour reply window has passed
    with pytest.raises(WechatApiError, match="45015") as caught:
        wechat_send_text(openid=OPENID, text="hi")
    assert caught.value.errcode == 45015

    wechat_token_cache_clear()
    api.behaviour.token_answer = {"errcode": 40013, "errmsg": "invalid appid"}
    with pytest.raises(WechatApiError, match="40013"):
        wechat_send_text(openid=OPENID, text="hi")


def test_missing_credentials_are_reported(api, settings):
    settings.KEFU_WECHAT_APP_SECRET = ""
    with pytest.raises(WechatApiError, match="KEFU_WECHAT_APP_SECRET"):
        wechat_send_text(openid=OPENID, text="hi")
    assert api.requests == []


@pytest.mark.django_db
def test_the_outbox_records_a_refusal_and_retries(api):
    message = outbox_enqueue(channel="wechat", to_address=OPENID, subject="T1", body="您好")
    assert message is not None
    api.behaviour.send_errcodes = [45047]  # out of the reply quota

    assert outbox_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboundStatus.PENDING and "45047" in message.last_error
    assert "ACCESS_TOKEN" not in message.last_error and "app-secret" not in message.last_error

    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox_deliver(message.pk) == "sent"


def _callback(body: str) -> None:
    stamp, nonce = str(int(time.time())), "42"
    query = f"signature={wechat_signature('tok', stamp, nonce)}&timestamp={stamp}&nonce={nonce}"
    xml = (
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{body}]]></Content><MsgId>9001</MsgId></xml>"
    )
    response = Client().post(
        f"/channels/wechat/callback?{query}", xml.encode(), content_type="text/xml"
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agent_reply_on_a_wechat_ticket_reaches_the_follower(api, settings, manager):
    settings.KEFU_WECHAT_TOKEN = "tok"
    _callback("我的订单什么时候发货？")
    ticket = Ticket.objects.get(channel="wechat")

    ticket_comment(actor=manager, ticket=ticket, body="明天上午发出，请留意物流。", public=True)

    [send] = api.on(SEND_PATH)
    assert send.json() == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "明天上午发出，请留意物流。"},
    }
    outbound = OutboundMessage.objects.get(channel="wechat")
    assert outbound.status == OutboundStatus.SENT and outbound.to_address == OPENID
    reply = ContactMessage.objects.get(direction=Direction.OUTBOUND, outbound=outbound)
    assert reply.author == manager and reply.ticket == ticket
    assert reply.status == MessageStatus.SENT
    assert reply.contact.messages.filter(direction=Direction.INBOUND).count() == 1
