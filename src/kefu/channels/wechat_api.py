"""The WeChat Official Account API for messages that leave kefu (TEC-7).

A reply goes out as a customer-service message (客服消息)::

    POST {api_base}/cgi-bin/message/custom/send?access_token=…
    {"touser": "<openid>", "msgtype": "text", "text": {"content": "…"}}

with an access token fetched from ``{api_base}/cgi-bin/token?grant_type=client_credential``
and kept until shortly before it expires. WeChat answers HTTP 200 even for errors: any
``errcode`` other than 0 raises :class:`WechatApiError`, so the outbox records and retries.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass

from django.conf import settings

from kefu.channels.outbound_http import ChannelHttpError, http_request

# errcodes that mean "this access token is no longer good": fetch a new one and try once more.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Refresh this long before the announced expiry, so a token never dies in flight.
EXPIRY_MARGIN_SECONDS = 300


class WechatApiError(ChannelHttpError):
    """WeChat refused the call (errcode ≠ 0) or kefu is not configured for it."""

    def __init__(self, message: str, *, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


@dataclass
class _CachedToken:
    value: str
    expires_at: float  # time.monotonic()


_tokens: dict[tuple[str, str], _CachedToken] = {}
_tokens_lock = threading.Lock()


def _api_base() -> str:
    return settings.KEFU_WECHAT_API_BASE.rstrip("/")


def _credentials() -> tuple[str, str]:
    app_id, secret = settings.KEFU_WECHAT_APP_ID, settings.KEFU_WECHAT_APP_SECRET
    if not app_id or not secret:
        raise WechatApiError("KEFU_WECHAT_APP_ID and KEFU_WECHAT_APP_SECRET are not set")
    return app_id, secret


def _checked(document: object, what: str) -> dict:
    if not isinstance(document, dict):
        raise WechatApiError(f"WeChat answered {what} with something that is not JSON")
    errcode = document.get("errcode", 0)
    if errcode not in (0, None):
        message = str(document.get("errmsg", ""))[:200]
        raise WechatApiError(f"WeChat refused {what}: {errcode} {message}", errcode=errcode)
    return document


def wechat_access_token(*, refresh: bool = False) -> str:
    """The account's access token, fetched once and reused until shortly before it expires.

    The cache is per process. A lock keeps concurrent senders of one process from fetching
    twice (each fetch invalidates the previous token after WeChat's grace period).
    """
    app_id, secret = _credentials()
    key = (_api_base(), app_id)
    with _tokens_lock:
        cached = _tokens.get(key)
        if cached is not None and not refresh and cached.expires_at > time.monotonic():
            return cached.value
        query = urllib.parse.urlencode(
            {"grant_type": "client_credential", "appid": app_id, "secret": secret}
        )
        answer = http_request(
            f"{_api_base()}/cgi-bin/token?{query}", timeout=settings.KEFU_WECHAT_TIMEOUT
        )
        document = _checked(answer.json(), "the access token request")
        token = document.get("access_token")
        if not isinstance(token, str) or not token:
            raise WechatApiError("WeChat's token answer has no access_token")
        try:
            lifetime = int(document.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200
        keep = max(lifetime - EXPIRY_MARGIN_SECONDS, lifetime // 2)
        _tokens[key] = _CachedToken(token, time.monotonic() + keep)
        return token


def wechat_token_cache_clear() -> None:
    with _tokens_lock:
        _tokens.clear()


def wechat_send_text(*, openid: str, text: str) -> None:
    """Send ``text`` to ``openid`` as a customer-service message; raises on any refusal.

    WeChat only delivers these within 48 hours of the customer's last message to the account
    (errcode 45015 otherwise), which is then recorded as the outbox's error.
    """
    payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
    for attempt in (1, 2):
        token = wechat_access_token(refresh=attempt == 2)
        query = urllib.parse.urlencode({"access_token": token})
        answer = http_request(
            f"{_api_base()}/cgi-bin/message/custom/send?{query}",
            method="POST",
            payload=payload,
            timeout=settings.KEFU_WECHAT_TIMEOUT,
        )
        try:
            _checked(answer.json(), "the customer-service message")
        except WechatApiError as exc:
            if exc.errcode in TOKEN_ERRORS and attempt == 1:
                continue  # the token was revoked early (e.g. fetched elsewhere): once more
            raise
        return
