"""JSON over HTTP for the outbound channel adapters (SMS gateway, WeChat API), on the stdlib.

Only ``http`` and ``https`` URLs are called, redirects are refused (a POST must not silently turn
into a GET somewhere else), every call has a timeout, and anything but a 2xx answer raises
:class:`ChannelHttpError` — the outbox records the error and retries with back-off.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

# What an adapter reads of an answer: gateways answer with a few hundred bytes of JSON.
MAX_ANSWER_BYTES = 1024 * 1024
ERROR_SNIPPET = 300


class ChannelHttpError(RuntimeError):
    """The remote side could not be reached or did not accept the request."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes

    def json(self) -> Any:
        """The answer as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def snippet(self) -> str:
        return self.body[:ERROR_SNIPPET].decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer is raised as an HTTPError and reported as a failure


_OPENER = urllib.request.build_opener(_NoRedirect)


def _checked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChannelHttpError(f"not an http(s) URL: {url[:100]!r}")
    return url


def http_request(
    url: str,
    *,
    method: str = "GET",
    payload: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> HttpAnswer:
    """Send one request (``payload`` as JSON when given); a non-2xx answer raises."""
    data = None
    all_headers = {"Accept": "application/json", "User-Agent": "kefu"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    request = urllib.request.Request(
        _checked_url(url), data=data, headers=all_headers, method=method
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            answer = HttpAnswer(response.status, response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        body = exc.read(ERROR_SNIPPET) if exc.fp is not None else b""
        text = body.decode("utf-8", "replace")
        raise ChannelHttpError(f"HTTP {exc.code} from {_host(url)}: {text}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelHttpError(f"could not reach {_host(url)}: {reason}") from None
    if not 200 <= answer.status < 300:
        raise ChannelHttpError(f"HTTP {answer.status} from {_host(url)}: {answer.snippet()}")
    return answer


def _host(url: str) -> str:
    # Errors name the host only: query strings carry secrets (WeChat's access_token).
    return urllib.parse.urlsplit(url).netloc
