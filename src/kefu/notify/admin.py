"""The outbox and notifications, for administrators to see what was sent and what failed."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin import ReadOnlyAdmin
from kefu.notify.models import Notification, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "to_address",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["to_address", "subject"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    show_full_result_count = False
