"""An SMS adapter for HTTP gateways that take one JSON POST per message (TEC-7).

Select it with ``KEFU_SMS_BACKEND=kefu.channels.sms_gateway.HttpGatewaySmsBackend``. Every
message is one request to ``KEFU_SMS_GATEWAY_URL``::

    POST <url>
    Authorization: Bearer <KEFU_SMS_GATEWAY_TOKEN>
    Idempotency-Key: kefu-outbox-<id>
    {"to": "13800138000", "text": "…", "sign_name": "客服中心",
     "sender_id": "10690000", "reference": "kefu-outbox-<id>"}

The field names can be renamed for a gateway's own API (``KEFU_SMS_GATEWAY_FIELDS``), and a
gateway that answers 200 with an error inside the body is recognised by
``KEFU_SMS_GATEWAY_SUCCESS`` (e.g. ``Code=OK``). Any failure raises, so the outbox records it
and retries; the reference lets the gateway refuse a duplicate.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from kefu.channels.outbound_http import ChannelHttpError, http_request
from kefu.core.masking import mask_phone

FIELDS = ("to", "text", "sign_name", "sender_id", "reference")


class SmsGatewayError(ChannelHttpError):
    """The gateway refused the message, or kefu is not configured to reach it."""


def gateway_field_names(spec: str) -> dict[str, str]:
    """``"to=PhoneNumbers,text=Content"`` → kefu's field names mapped to the gateway's."""
    names = {field: field for field in FIELDS}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        ours, _, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if ours not in FIELDS or not theirs:
            raise SmsGatewayError(
                f"KEFU_SMS_GATEWAY_FIELDS: {part.strip()!r} is not <field>=<name> with a field "
                f"of {', '.join(FIELDS)}"
            )
        names[ours] = theirs
    return names


def _dig(document: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def gateway_refusal(document: Any, success: str) -> str | None:
    """Why an answer with a 2xx status still means failure, or None when it is a success.

    With ``success`` (``field=value``, dotted paths for nested fields) the answer must be JSON
    holding that value; without it, a JSON answer with a non-empty ``error`` field fails.
    """
    if success:
        path, _, expected = success.partition("=")
        found = _dig(document, path.strip())
        if found is None or str(found) != expected.strip():
            return f"{path.strip()} is {found!r}, not {expected.strip()!r}"
        return None
    if isinstance(document, dict) and document.get("error"):
        return str(document["error"])[:300]
    return None


class HttpGatewaySmsBackend:
    """Sends each SMS as a JSON POST to the configured gateway; raises on any failure."""

    def send(self, *, to: str, body: str, reference: str) -> None:
        url = settings.KEFU_SMS_GATEWAY_URL
        if not url:
            raise SmsGatewayError("KEFU_SMS_GATEWAY_URL is not set")
        names = gateway_field_names(settings.KEFU_SMS_GATEWAY_FIELDS)
        values = {
            "to": to,
            "text": body,
            "sign_name": settings.KEFU_SMS_SIGN_NAME,
            "sender_id": settings.KEFU_SMS_SENDER_ID,
            "reference": reference,
        }
        payload = {names[key]: value for key, value in values.items() if value}
        headers = {"Idempotency-Key": reference}
        token = settings.KEFU_SMS_GATEWAY_TOKEN
        if token:
            scheme = settings.KEFU_SMS_GATEWAY_AUTH_SCHEME
            headers[settings.KEFU_SMS_GATEWAY_AUTH_HEADER] = (
                f"{scheme} {token}" if scheme else token
            )
        try:
            answer = http_request(
                url,
                method="POST",
                payload=payload,
                headers=headers,
                timeout=settings.KEFU_SMS_GATEWAY_TIMEOUT,
            )
        except ChannelHttpError as exc:
            raise SmsGatewayError(_scrub(str(exc), to)) from None
        refusal = gateway_refusal(answer.json(), settings.KEFU_SMS_GATEWAY_SUCCESS)
        if refusal:
            raise SmsGatewayError(_scrub(f"the gateway refused {reference}: {refusal}", to))


def _scrub(text: str, number: str) -> str:
    # The error is kept in the outbox in clear; a gateway echoing the number must not put the
    # customer's phone there (SEC-1).
    return text.replace(number, mask_phone(number)) if number else text
