"""The WeChat Official Account callback, called as WeChat calls it (TEC-7).

Every request is signed the way WeChat signs it: sha1 of the sorted token, timestamp and nonce.
GET answers the echo string; POST carries one XML message in plaintext mode. Wrong signatures
and stale timestamps are 403, DOCTYPEs and malformed XML are 400, and none of them writes
anything; a retried MsgId is a no-op.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.channels.models import (
    Contact,
    ContactKind,
    ContactMessage,
    Direction,
    InboundMessageKey,
    Speaker,
)
from kefu.channels.wechat import wechat_signature
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_find_by_identity
from kefu.tickets.models import Ticket, TicketEventKind

URL = "/channels/wechat/callback"
TOKEN = "kefuWechatToken2026"
ACCOUNT = "gh_0123456789ab"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
ACK = "您的消息已收到，客服稍后回复。"


@pytest.fixture(autouse=True)
def wechat_settings(settings):
    settings.KEFU_WECHAT_TOKEN = TOKEN
    settings.KEFU_WECHAT_ACK_TEXT = ACK
    settings.KEFU_WECHAT_REPLAY_WINDOW_SECONDS = 300
    settings.KEFU_WECHAT_TEAM = ""


def signed_query(*, token: str = TOKEN, timestamp: int | None = None, **extra: str) -> str:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = "1514711492"
    query = {"signature": wechat_signature(token, stamp, nonce), "timestamp": stamp, "nonce": nonce}
    query.update(extra)
    return "&".join(f"{key}={value}" for key, value in query.items())


def message_xml(msg_type: str = "text", msg_id: str = "23713961531224318", **fields: str) -> bytes:
    """A message as WeChat sends it: CDATA strings, a numeric CreateTime and MsgId."""
    values = {
        "ToUserName": ACCOUNT,
        "FromUserName": OPENID,
        "MsgType": msg_type,
        **fields,
    }
    parts = [f"<{key}><![CDATA[{value}]]></{key}>" for key, value in values.items()]
    parts.insert(2, f"<CreateTime>{int(time.time())}</CreateTime>")
    if msg_id:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode("utf-8")


def post(body: bytes, query: str | None = None) -> Any:
    query = signed_query(openid=OPENID) if query is None else query
    return Client().post(f"{URL}?{query}", body, content_type="text/xml")


def counts() -> tuple[int, ...]:
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        ContactMessage.objects.count(),
        Ticket.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_get_answers_the_echo_string_when_signed_with_the_token():
    response = Client().get(f"{URL}?{signed_query(echostr='5838479218127813673')}")
    assert response.status_code == 200 and response.content == b"5838479218127813673"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        lambda: signed_query(token="another-token", echostr="1"),
        lambda: signed_query(echostr="1").replace("nonce=1514711492", "nonce=1"),
        lambda: f"timestamp={int(time.time())}&nonce=1&echostr=1",
        lambda: signed_query(timestamp=int(time.time()) - 301, echostr="1"),
        lambda: signed_query(timestamp=int(time.time()) + 310, echostr="1"),
    ],
    ids=["other-token", "changed-nonce", "unsigned", "stale", "future"],
)
def test_get_with_a_bad_signature_or_stale_timestamp_is_403(query):
    response = Client().get(f"{URL}?{query()}")
    assert response.status_code == 403 and response.content != b"1"


@pytest.mark.django_db
def test_without_a_configured_token_nothing_is_accepted(settings):
    settings.KEFU_WECHAT_TOKEN = ""
    assert Client().get(f"{URL}?{signed_query(token='', echostr='1')}").status_code == 403


@pytest.mark.django_db
def test_a_text_from_an_unknown_follower_creates_customer_conversation_and_ticket():
    response = post(message_xml(Content="我的订单一直没有发货"))

    assert response.status_code == 200
    reply = ET.fromstring(response.content)
    assert reply.findtext("ToUserName") == OPENID and reply.findtext("FromUserName") == ACCOUNT
    assert reply.findtext("MsgType") == "text" and reply.findtext("Content") == ACK
    assert int(reply.findtext("CreateTime") or 0) > 0
    customer = customer_find_by_identity(kind=IdentityKind.WECHAT_OPENID, value=OPENID)
    assert customer is not None and OPENID not in customer.name
    contact = Contact.objects.get()
    assert contact.kind == ContactKind.WECHAT and contact.customer == customer
    assert contact.address == OPENID
    ticket = Ticket.objects.get()
    assert ticket.channel == "wechat" and ticket.customer == customer
    assert ticket.description == "我的订单一直没有发货"
    inbound, ack = contact.messages.order_by("id")
    assert inbound.direction == Direction.INBOUND and inbound.body == "我的订单一直没有发货"
    assert inbound.external_id == "wechat:23713961531224318" and inbound.ticket == ticket
    assert ack.direction == Direction.OUTBOUND and ack.speaker == Speaker.SYSTEM and ack.body == ACK
    [audit] = AuditEvent.objects.filter(verb="contact.message_out")
    assert audit.object_id == str(contact.pk) and audit.actor is None
    assert audit.after["message"] == ack.pk and audit.after["ticket"] == ticket.number
    assert audit.after["passive_reply"] is True


@pytest.mark.django_db
def test_later_messages_get_success_and_join_the_conversation_and_ticket():
    post(message_xml(Content="第一条"))
    response = post(message_xml(msg_id="23713961531224319", Content="第二条"))

    assert response.status_code == 200 and response.content == b"success"
    assert Contact.objects.count() == 1 and Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    [event] = ticket.events.filter(kind=TicketEventKind.CUSTOMER_MESSAGE)
    assert event.body == "第二条" and event.data["channel"] == "wechat"
    assert ContactMessage.objects.filter(speaker=Speaker.SYSTEM).count() == 1  # one ack only


@pytest.mark.django_db
def test_wechat_retries_of_the_same_msgid_change_nothing():
    body = message_xml(Content="在吗")
    post(body)
    before = counts()

    for _ in range(3):  # WeChat retries three times when the answer is slow
        response = post(body)
        assert response.status_code == 200 and response.content == b"success"

    assert counts() == before
    assert InboundMessageKey.objects.filter(external_id="wechat:23713961531224318").count() == 1


@pytest.mark.django_db
def test_a_retry_whose_msgid_another_delivery_claimed_creates_no_customer():
    """The second of two simultaneous deliveries: the first one's claim is in the database,
    so this one writes nothing, not even the new follower's customer."""
    InboundMessageKey.objects.create(
        kind=ContactKind.WECHAT, external_id="wechat:23713961531224318", created_at=now()
    )
    before = counts()

    response = post(message_xml(Content="在吗"))

    assert response.status_code == 409
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        lambda: signed_query(token="wrong"),
        lambda: "signature=abc&timestamp=1&nonce=2",
        lambda: "",
        lambda: signed_query(timestamp=int(time.time()) - 3600),
    ],
    ids=["wrong-token", "forged", "unsigned", "replayed-old"],
)
def test_a_post_with_a_wrong_signature_or_old_timestamp_is_403_and_writes_nothing(query):
    before = counts()
    response = post(message_xml(Content="hi"), query=query())
    assert response.status_code == 403
    assert counts() == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><ToUserName>gh_0123456789ab</ToUserName><FromUserName>oUpF8uMuAJO_M2pxb1Q9zNjWeS6o</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_0123456789ab</ToUserName><FromUserName>oUpF8uMuAJO_M2pxb1Q9zNjWeS6o</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&secret;</Content><MsgId>1</MsgId></xml>"""
BARE_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE xml><xml><MsgType>text</MsgType></xml>'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DOCTYPE], ids=["laughs", "xxe", "bare"]
)
def test_doctype_and_entities_are_refused_before_expansion(body):
    before = counts()
    response = post(body)
    assert response.status_code == 400
    assert response.json()["field"] == "body" and "DOCTYPE" in response.json()["detail"]
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"<xml><ToUserName>gh</ToUserName>", "body"),
        (b"not xml at all", "body"),
        (b"", "body"),
        (b"<message><MsgType>text</MsgType></message>", "body"),
        (b"<xml>" + b"<Content>x</Content>" * 5000 + b"</xml>", "body"),
        (message_xml(Content="hi").replace(OPENID.encode(), b""), "FromUserName"),
        (message_xml(Content="hi").replace(OPENID.encode(), b"bad openid!"), "FromUserName"),
        (message_xml(Content="hi").replace(b"<MsgType><![CDATA[text]]></MsgType>", b""), "MsgType"),
        (b"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>", "Encrypt"),
    ],
    ids=[
        "unclosed",
        "text",
        "empty",
        "wrong-root",
        "too-large",
        "no-sender",
        "bad-openid",
        "no-type",
        "safe-mode",
    ],
)
def test_malformed_or_incomplete_xml_is_400_naming_the_field(body, field):
    before = counts()
    response = post(body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert counts() == before


@pytest.mark.django_db
def test_image_and_voice_are_kept_as_references_and_recognised_text():
    post(
        message_xml(
            "image",
            msg_id="1001",
            PicUrl="http://mmbiz.qpic.cn/mmbiz_jpg/abc/0",
            MediaId="media_img_1",
        )
    )
    post(
        message_xml(
            "voice", msg_id="1002", MediaId="media_voice_1", Format="amr", Recognition="快递到哪了"
        )
    )
    post(message_xml("voice", msg_id="1003", MediaId="media_voice_2", Format="amr"))

    image, voice, unrecognised = ContactMessage.objects.filter(
        direction=Direction.INBOUND
    ).order_by("id")
    assert "media_img_1" in image.body and "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0" in image.body
    assert voice.body == "快递到哪了"
    assert "media_voice_2" in unrecognised.body


@pytest.mark.django_db
def test_follow_creates_the_customer_without_a_ticket_and_unfollow_is_kept():
    follow = message_xml("event", msg_id="", Event="subscribe")
    assert post(follow).content == b"success"
    assert post(follow).content == b"success"  # a retry

    customer = customer_find_by_identity(kind=IdentityKind.WECHAT_OPENID, value=OPENID)
    assert customer is not None and not Ticket.objects.exists()
    [followed] = ContactMessage.objects.all()
    assert followed.speaker == Speaker.SYSTEM and followed.contact.customer == customer

    # The first real message of the conversation still gets the acknowledgement.
    response = post(message_xml(Content="你好"))
    assert ET.fromstring(response.content).findtext("Content") == ACK
    assert Customer.objects.count() == 1 and Ticket.objects.count() == 1

    time.sleep(1)  # another CreateTime: another event
    assert post(message_xml("event", msg_id="", Event="unsubscribe")).content == b"success"
    assert ContactMessage.objects.filter(speaker=Speaker.SYSTEM).count() == 3


@pytest.mark.django_db
def test_unfollow_or_menu_click_of_an_unknown_follower_writes_nothing():
    before = counts()
    assert post(message_xml("event", msg_id="", Event="unsubscribe")).content == b"success"
    assert post(message_xml("event", msg_id="", Event="CLICK", EventKey="M1")).content == b"success"
    assert counts() == before


@pytest.mark.django_db
def test_a_known_follower_is_matched_by_openid(manager):
    from kefu.tests_support.factories import make_customer

    known = make_customer(actor=manager, name="赵敏", wechat_openid=OPENID)
    post(message_xml(Content="我是老客户"))
    assert Customer.objects.count() == 1 and Ticket.objects.get().customer == known


@pytest.mark.django_db
def test_an_empty_acknowledgement_setting_turns_the_passive_reply_off(settings):
    settings.KEFU_WECHAT_ACK_TEXT = ""
    response = post(message_xml(Content="hi"))
    assert response.content == b"success"
    assert not ContactMessage.objects.filter(direction=Direction.OUTBOUND).exists()


@pytest.mark.django_db
def test_an_acknowledgement_with_cdata_end_is_still_valid_xml(settings):
    settings.KEFU_WECHAT_ACK_TEXT = "收到 ]]> <b>谢谢</b>"
    response = post(message_xml(Content="hi"))
    assert ET.fromstring(response.content).findtext("Content") == "收到 ]]> <b>谢谢</b>"
