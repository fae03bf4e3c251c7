"""The in-app notification list of the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from kefu.core.pagination import bounded_count
from kefu.core.schemas import InputSchema, ObjectId
from kefu.notify.selectors import notifications_for
from kefu.notify.services import notification_mark_read

router = Router(tags=["notifications"])


class NotificationQuery(InputSchema):
    unread: bool = False
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)


class MarkReadIn(InputSchema):
    ids: list[ObjectId] = Field(min_length=1, max_length=500)


@router.get("", response=dict[str, Any])
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    notifications = notifications_for(user=request.user, unread_only=query.unread)
    start = (query.page - 1) * query.page_size
    items = [
        {
            "id": item.pk,
            "kind": item.kind,
            "title": item.title,
            "body": item.body,
            "ticket": item.ticket.number if item.ticket else None,
            "created_at": item.created_at,
            "read_at": item.read_at,
        }
        for item in notifications[start : start + query.page_size]
    ]
    count, exact = bounded_count(notifications)
    return {"items": items, "count": count, "count_exact": exact}


@router.post("/read", response=dict[str, Any])
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, Any]:
    return {"marked": notification_mark_read(user=request.user, notification_ids=payload.ids)}
