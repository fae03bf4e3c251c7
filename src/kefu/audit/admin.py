"""Read-only screens over the operation trail: filter and browse, never change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.audit.models import AccessEvent, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_label", "verb", "object_type", "object_repr", "source_ip"]
    list_filter = ["verb", "object_type", "occurred_at"]
    search_fields = ["actor_label", "object_id", "object_repr", "request_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]
    show_full_result_count = False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "actor_label",
        "object_type",
        "object_repr",
        "purpose",
        "source_ip",
    ]
    list_filter = ["object_type", "occurred_at"]
    search_fields = ["actor_label", "object_id", "object_repr", "request_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
