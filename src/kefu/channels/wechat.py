"""The WeChat Official Account (公众号) callback: what followers send to the account (TEC-7).

WeChat calls the configured server URL with ``signature``, ``timestamp`` and ``nonce`` in the
query; ``signature`` is ``sha1`` of the three strings token, timestamp and nonce sorted and
joined. ``GET`` (the URL check when the account is configured) answers ``echostr``; ``POST``
carries one message as XML in plaintext mode. Messages become conversation messages and
tickets like SMS (see :mod:`kefu.channels.messaging`); a follower unknown to kefu becomes a
customer with a WeChat openid identity. WeChat retries a message three times when the answer is
slow: the ``MsgId`` makes the retries no-ops.

The passive reply (an XML answer) is a short acknowledgement on the first message of a
conversation (``KEFU_WECHAT_ACK_TEXT``); otherwise the answer is ``success``, which WeChat
takes as "no reply". Agents answer later through the customer-service message API
(:mod:`kefu.channels.wechat_api`), queued in the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext, pgettext

from kefu.audit.services import audit_record
from kefu.channels.messaging import messaging_claim, messaging_inbound_record
from kefu.channels.models import ContactKind, ContactMessage, Direction, MessageStatus, Speaker
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.masking import mask_generic
from kefu.core.timeutils import now
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.customers.selectors import customer_find_by_identity
from kefu.customers.services import customer_create

MAX_XML_BYTES = 64 * 1024
SUCCESS = "success"
FIELD_LIMIT = 8_000


@dataclass(frozen=True)
class CallbackAnswer:
    """The body and content type of the answer to one POST."""

    body: str
    content_type: str = "text/plain; charset=utf-8"


def wechat_signature(token: str, timestamp: str, nonce: str) -> str:
    """WeChat's signature: sha1 of token, timestamp and nonce, sorted and concatenated."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode("utf-8")).hexdigest()


def wechat_signature_check(*, signature: str, timestamp: str, nonce: str) -> None:
    """Refuse (403) a callback that is not signed with the account's token, or whose timestamp
    is outside the replay window."""
    token = settings.KEFU_WECHAT_TOKEN
    if not token:
        raise PermissionDenied("the WeChat callback is not configured (KEFU_WECHAT_TOKEN)")
    if not signature or not timestamp or not nonce:
        raise PermissionDenied("signature, timestamp and nonce are required")
    expected = wechat_signature(token, timestamp, nonce)
    if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
        raise PermissionDenied("wrong signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise PermissionDenied("timestamp is not a number") from None
    if abs(time.time() - sent) > settings.KEFU_WECHAT_REPLAY_WINDOW_SECONDS:
        raise PermissionDenied("timestamp is outside the replay window")


class _Refused(Exception):
    pass


def wechat_xml_parse(body: bytes) -> dict[str, str]:
    """The top-level fields of a WeChat message (``<xml><Field>value</Field>…</xml>``).

    A document type declaration or an entity is refused before anything is expanded (no
    entity-expansion or external-entity attacks); anything else that is not well-formed XML
    with an ``xml`` root is an InvalidInput naming the body.
    """
    if not body.strip():
        raise InvalidInput("the body is empty", field="body")
    if len(body) > MAX_XML_BYTES:
        raise InvalidInput(f"the body is larger than {MAX_XML_BYTES} bytes", field="body")
    parser = expat.ParserCreate()
    fields: dict[str, str] = {}
    state: dict[str, Any] = {"depth": 0, "name": None, "text": []}

    def refuse(*_: Any) -> Any:
        raise _Refused

    def start(name: str, _attributes: dict[str, str]) -> None:
        state["depth"] += 1
        if state["depth"] == 1 and name != "xml":
            raise InvalidInput("the root element is not <xml>", field="body")
        if state["depth"] == 2:
            state["name"], state["text"] = name, []

    def end(name: str) -> None:
        if state["depth"] == 2 and state["name"] is not None:
            fields[state["name"]] = "".join(state["text"]).strip()[:FIELD_LIMIT]
            state["name"] = None
        state["depth"] -= 1

    def characters(data: str) -> None:
        if state["depth"] == 2 and state["name"] is not None:
            state["text"].append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(body, True)
    except _Refused:
        raise InvalidInput("a DOCTYPE or entity declaration is not allowed", field="body") from None
    except expat.ExpatError as exc:
        raise InvalidInput(f"malformed XML: {exc}", field="body") from None
    return fields


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wechat_text_reply(*, to_openid: str, from_account: str, text: str) -> str:
    """The passive reply XML for a text answer."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_openid)}</ToUserName>"
        f"<FromUserName>{_cdata(from_account)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(text)}</Content>"
        "</xml>"
    )


def wechat_ack_text() -> str:
    configured = settings.KEFU_WECHAT_ACK_TEXT
    if configured is None:
        return gettext("We have received your message. An agent will answer you shortly.")
    return configured


def _message_text(fields: dict[str, str]) -> str:
    """What a follower's message says, as text: media are kept as WeChat's references."""
    kind = fields.get("MsgType", "")
    media = fields.get("MediaId", "")
    if kind == "text":
        return fields.get("Content", "")
    if kind == "image":
        return pgettext("wechat message", "[Image] MediaId %(media)s %(url)s") % {
            "media": media,
            "url": fields.get("PicUrl", ""),
        }
    if kind == "voice":
        recognition = fields.get("Recognition", "")
        if recognition:
            return recognition
        return pgettext("wechat message", "[Voice] MediaId %(media)s") % {"media": media}
    if kind in ("video", "shortvideo"):
        return pgettext("wechat message", "[Video] MediaId %(media)s") % {"media": media}
    if kind == "location":
        return pgettext("wechat message", "[Location] %(label)s (%(x)s, %(y)s)") % {
            "label": fields.get("Label", ""),
            "x": fields.get("Location_X", ""),
            "y": fields.get("Location_Y", ""),
        }
    if kind == "link":
        return pgettext("wechat message", "[Link] %(title)s %(url)s") % {
            "title": fields.get("Title", ""),
            "url": fields.get("Url", ""),
        }
    return pgettext("wechat message", "[%(kind)s message]") % {"kind": kind[:30]}


def wechat_customer_for(openid: str, *, create: bool = True) -> Any:
    """The customer with this openid; a new one when the follower is unknown (CRM-1)."""
    found = customer_find_by_identity(kind=IdentityKind.WECHAT_OPENID, value=openid)
    if found is not None or not create:
        return found
    name = pgettext("customer name", "WeChat user %(id)s") % {"id": mask_generic(openid)}
    return customer_create(actor=None, name=name, wechat_openid=openid)


def _required(fields: dict[str, str], name: str) -> str:
    value = fields.get(name, "")
    if not value:
        raise InvalidInput(f"{name} is missing", field=name)
    return value


@transaction.atomic
def wechat_message_receive(*, fields: dict[str, str]) -> CallbackAnswer:
    """Record one message or event of the callback and choose the passive reply."""
    if "Encrypt" in fields and "MsgType" not in fields:
        raise InvalidInput(
            "encrypted (safe mode) messages are not supported; use plaintext mode",
            field="Encrypt",
        )
    account = _required(fields, "ToUserName")
    try:
        openid = normalize_identity(IdentityKind.WECHAT_OPENID, _required(fields, "FromUserName"))
    except InvalidInput as exc:
        raise InvalidInput(f"FromUserName: {exc.message}", field="FromUserName") from None
    kind = _required(fields, "MsgType")
    created = fields.get("CreateTime", "")
    if kind == "event":
        return _event_receive(fields, openid, created)
    msg_id = fields.get("MsgId") or f"{openid}:{created}"
    external_id = f"wechat:{msg_id}"
    if messaging_claim(kind=ContactKind.WECHAT, external_id=external_id) is not None:
        return CallbackAnswer(SUCCESS)  # one of WeChat's retries, even a simultaneous one
    customer = wechat_customer_for(openid)
    result = messaging_inbound_record(
        kind=ContactKind.WECHAT,
        customer=customer,
        address=openid,
        external_id=external_id,
        text=_message_text(fields),
        claimed=True,
    )
    ack = wechat_ack_text().strip()
    if not (result.created and result.first_of_conversation and ack):
        return CallbackAnswer(SUCCESS)
    contact = result.message.contact
    acknowledgement = ContactMessage.objects.create(
        contact=contact,
        direction=Direction.OUTBOUND,
        speaker=Speaker.SYSTEM,
        ticket=result.ticket,
        body=ack,
        status=MessageStatus.SENT,  # it is the answer to this very request
        created_at=now(),
    )
    audit_record(
        actor=None,
        verb="contact.message_out",
        target=contact,
        after={
            "kind": ContactKind.WECHAT,
            "message": acknowledgement.pk,
            "ticket": result.ticket.number if result.ticket is not None else None,
            "passive_reply": True,
        },
    )
    reply = wechat_text_reply(to_openid=openid, from_account=account, text=ack)
    return CallbackAnswer(reply, "application/xml; charset=utf-8")


def _event_receive(fields: dict[str, str], openid: str, created: str) -> CallbackAnswer:
    """Follow and unfollow are kept on the conversation; other events are not customer
    messages (menu clicks, location reports) and are only acknowledged."""
    event = fields.get("Event", "").lower()
    if event not in ("subscribe", "unsubscribe"):
        return CallbackAnswer(SUCCESS)
    external_id = f"wechat-event:{openid}:{created}:{event}"
    subscribe = event == "subscribe"
    if not subscribe and wechat_customer_for(openid, create=False) is None:
        return CallbackAnswer(SUCCESS)  # an unknown follower left: nothing to keep
    if messaging_claim(kind=ContactKind.WECHAT, external_id=external_id) is not None:
        return CallbackAnswer(SUCCESS)
    customer = wechat_customer_for(openid, create=subscribe)
    text = (
        pgettext("wechat event", "[Followed the official account]")
        if event == "subscribe"
        else pgettext("wechat event", "[Unfollowed the official account]")
    )
    result = messaging_inbound_record(
        kind=ContactKind.WECHAT,
        customer=customer,
        address=openid,
        external_id=external_id,
        text=text,
        speaker=Speaker.SYSTEM,
        to_ticket=False,
        claimed=True,
    )
    audit_record(
        actor=None,
        verb=f"wechat.{event}",
        target=customer,
        after={"contact": result.message.contact_id},
    )
    return CallbackAnswer(SUCCESS)
