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


class ServiceRefusalMiddleware:
    """A refusal a web view did not handle becomes the 403 or 404 page, never a 500.

    The API maps these errors itself; this is the safety net for the server-rendered pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.views import defaults

        from kefu.core.errors import NotFound, PermissionDenied

        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, exception)
        return None
