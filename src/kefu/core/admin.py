"""The worker's periodic runs: when, how long, what they did, what failed."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin import ReadOnlyAdmin
from kefu.core.models import TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "finished_at", "outcome", "counts"]
    list_filter = ["name", "outcome"]
    show_full_result_count = False
