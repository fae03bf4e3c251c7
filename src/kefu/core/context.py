"""Per-request facts that the audit trail records: request id and source address.

Set by :class:`kefu.core.middleware.RequestContextMiddleware` for web and API requests; CLI
commands and background tasks leave them empty or set their own with :func:`request_context`.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("kefu_request_id", default="")
source_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kefu_source_ip", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return request_id_var.get()


def current_source_ip() -> str | None:
    return source_ip_var.get()


@contextlib.contextmanager
def request_context(
    *, request_id: str | None = None, source_ip: str | None = None
) -> Iterator[str]:
    """Bind a request id (new if not given) and a source address for the enclosed work."""
    rid = request_id or new_request_id()
    rid_token = request_id_var.set(rid)
    ip_token = source_ip_var.set(source_ip)
    try:
        yield rid
    finally:
        request_id_var.reset(rid_token)
        source_ip_var.reset(ip_token)
