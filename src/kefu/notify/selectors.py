"""Reading a user's notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kefu.notify.models import Notification


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user).select_related("ticket")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")
