"""Scorecards on the admin site (QA-1). A version is never edited once saved: a changed
scorecard is a new version (:func:`kefu.quality.services.scorecard_new_version`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.quality.models import Scorecard, ScorecardItem


class ScorecardItemInline(admin.TabularInline):
    model = ScorecardItem
    extra = 0
    fields = ["order", "dimension", "title", "weight", "kind", "rule_category", "fatal"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "pass_mark", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [ScorecardItemInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScorecardItem)
class ScorecardItemAdmin(admin.ModelAdmin):
    list_display = ["title", "scorecard", "dimension", "kind", "rule_category", "weight", "fatal"]
    list_filter = ["dimension", "kind", "fatal"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
