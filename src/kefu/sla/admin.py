"""Clocks are written by the SLA engine only; the screens show them for inspection."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin import ReadOnlyAdmin
from kefu.sla.models import Clock, ClockEvent


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = [
        "ticket",
        "milestone",
        "rule",
        "cycle",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
    ]
    list_filter = ["state", "milestone", "rule"]
    list_select_related = ["ticket"]
    show_full_result_count = False
    raw_id_fields = ["ticket"]


@admin.register(ClockEvent)
class ClockEventAdmin(ReadOnlyAdmin):
    list_display = ["clock", "kind", "step", "action", "occurred_at"]
    list_filter = ["kind", "action"]
    show_full_result_count = False
