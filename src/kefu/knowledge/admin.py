"""The script library on the configuration site: read-only (edits go through the library pages,
so each is versioned and audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.knowledge.models import Script


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "stage", "category", "source", "is_active", "version", "updated_at"]
    list_filter = ["stage", "source", "is_active"]
    search_fields = ["title", "text", "replaces"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
