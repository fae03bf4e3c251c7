"""SMS from customers, as the gateway reports them to ``POST /channels/sms/inbound`` (TEC-7).

The gateway signs the raw request body with HMAC-SHA256 and the shared secret
``KEFU_SMS_INBOUND_SECRET`` and sends the hex digest in ``X-Kefu-Signature`` (optionally as
``sha256=<hex>``). The body is JSON ``{"from", "text", "id", "received_at"?}``; ``id`` is the
gateway's id of the message, and a message with an id seen before changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import pgettext

from kefu.channels.messaging import InboundResult, messaging_claim, messaging_inbound_record
from kefu.channels.models import ContactKind
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.masking import mask_phone
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.customers.services import customer_find_or_create

SIGNATURE_HEADER = "X-Kefu-Signature"
MAX_BODY_BYTES = 64 * 1024
SMS_TEXT_LIMIT = 2_000
SMS_ID_LIMIT = 128


@dataclass(frozen=True)
class InboundSms:
    sender: str
    text: str
    message_id: str
    received_at: dt.datetime | None


def sms_signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def sms_signature_check(*, body: bytes, signature: str) -> None:
    """Refuse (403) a body whose signature is missing or wrong, or when no secret is set."""
    secret = settings.KEFU_SMS_INBOUND_SECRET
    if not secret:
        raise PermissionDenied("inbound SMS is not configured (KEFU_SMS_INBOUND_SECRET)")
    given = (signature or "").strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    if not given or not hmac.compare_digest(given.lower(), sms_signature(body, secret)):
        raise PermissionDenied(f"missing or wrong {SIGNATURE_HEADER}")


def sms_inbound_parse(body: bytes) -> InboundSms:
    """The gateway's JSON, validated; a bad field is an InvalidInput naming it."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"the body is larger than {MAX_BODY_BYTES} bytes", field="body")
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the body is not UTF-8 JSON", field="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body is not a JSON object", field="body")
    sender, text, message_id = data.get("from"), data.get("text"), data.get("id")
    if not isinstance(sender, str):
        raise InvalidInput("from: the sender's phone number is missing", field="from")
    try:
        number = normalize_identity(IdentityKind.PHONE, sender)
    except InvalidInput as exc:
        raise InvalidInput(f"from: {exc.message}", field="from") from None
    if not isinstance(text, str) or len(text) > SMS_TEXT_LIMIT or "\x00" in text:
        raise InvalidInput(f"text: a string of at most {SMS_TEXT_LIMIT} characters", field="text")
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if not isinstance(message_id, str) or not 1 <= len(message_id.strip()) <= SMS_ID_LIMIT:
        raise InvalidInput(f"id: the gateway's message id, 1–{SMS_ID_LIMIT} characters", field="id")
    received_at = None
    raw_time = data.get("received_at")
    if raw_time not in (None, ""):
        parsed = parse_datetime(raw_time) if isinstance(raw_time, str) else None
        if parsed is None or parsed.tzinfo is None:
            raise InvalidInput(
                "received_at: an ISO 8601 date-time with its UTC offset", field="received_at"
            )
        received_at = parsed
    return InboundSms(number, text, message_id.strip(), received_at)


@transaction.atomic
def sms_inbound_receive(*, sms: InboundSms) -> InboundResult:
    """Put an SMS on the sender's conversation and ticket; the sender becomes a customer if
    unknown (CRM-1). A refused ticket leaves no customer and no message behind."""
    external_id = f"sms:{sms.message_id}"
    # Claimed before anything is written: a replay, even a simultaneous one, writes nothing
    # (not even the customer is looked up again).
    earlier = messaging_claim(kind=ContactKind.SMS, external_id=external_id)
    if earlier is not None:
        return earlier
    customer = customer_find_or_create(
        actor=None,
        phone=sms.sender,
        name=pgettext("customer name", "SMS customer %(phone)s")
        % {"phone": mask_phone(sms.sender)},
    )
    return messaging_inbound_record(
        kind=ContactKind.SMS,
        customer=customer,
        address=sms.sender,
        external_id=external_id,
        text=sms.text,
        received_at=sms.received_at,
        claimed=True,
    )
