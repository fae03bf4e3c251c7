"""The outbox and notifications, for administrators to see what was sent and what failed."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin import ReadOnlyAdmin
from kefu.core.masking import mask_email, mask_phone
from kefu.notify.models import Notification, OutboundChannel, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    """Customer addresses are personal data: shown masked, never searched (SEC-1)."""

    list_display = [
        "created_at",
        "channel",
        "masked_address",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["subject"]
    exclude = ["to_address"]
    readonly_fields = ["masked_address"]

    @admin.display(description="to")
    def masked_address(self, message: OutboundMessage) -> str:
        if message.channel == OutboundChannel.SMS:
            return mask_phone(message.to_address)
        return mask_email(message.to_address)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    show_full_result_count = False
