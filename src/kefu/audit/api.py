"""Read-only access to the operation trail for managers and administrators (SEC-3)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from kefu.audit.selectors import access_event_list, audit_event_list
from kefu.core.pagination import bounded_count
from kefu.core.schemas import InputSchema, LocalDateTime, ObjectId

router = Router(tags=["audit"])


class AuditQuery(InputSchema):
    actor_id: ObjectId | None = None
    verb: str | None = Field(default=None, max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=64)
    since: LocalDateTime | None = None
    until: LocalDateTime | None = None
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=200)


def _page(events: Any, page: int, size: int, fields: list[str]) -> dict[str, Any]:
    start = (page - 1) * size
    items = [
        {field: getattr(event, field) for field in fields} for event in events[start : start + size]
    ]
    count, exact = bounded_count(events)
    return {"items": items, "count": count, "count_exact": exact, "page": page, "page_size": size}


AUDIT_FIELDS = [
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "source_ip",
]
ACCESS_FIELDS = [
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "object_type",
    "object_id",
    "object_repr",
    "fields",
    "purpose",
    "request_id",
    "source_ip",
]


@router.get("/events", response=dict[str, Any])
def audit_events(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    events = audit_event_list(
        user=request.user,
        actor_id=query.actor_id,
        verb=query.verb,
        object_type=query.object_type,
        object_id=query.object_id,
        since=query.since,
        until=query.until,
    )
    return _page(events, query.page, query.page_size, AUDIT_FIELDS)


@router.get("/access-events", response=dict[str, Any])
def access_events(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    events = access_event_list(
        user=request.user,
        actor_id=query.actor_id,
        object_type=query.object_type,
        object_id=query.object_id,
        since=query.since,
        until=query.until,
    )
    return _page(events, query.page, query.page_size, ACCESS_FIELDS)
