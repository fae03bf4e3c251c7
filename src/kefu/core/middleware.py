"""Binds the request id and the client address for the audit trail (SEC-3)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kefu.core.context import request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Accepts a well-formed ``X-Request-ID`` from a proxy, otherwise makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else None
        source_ip = request.META.get("REMOTE_ADDR") or None
        with request_context(request_id=request_id, source_ip=source_ip) as rid:
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response
