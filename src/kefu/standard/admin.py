"""Standard profiles are changed by importing a new version; the screens only show them."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin import ReadOnlyAdmin
from kefu.standard.models import ProfileVersion, StandardProfile


@admin.register(StandardProfile)
class StandardProfileAdmin(ReadOnlyAdmin):
    list_display = ["name", "title"]


@admin.register(ProfileVersion)
class ProfileVersionAdmin(ReadOnlyAdmin):
    list_display = ["profile", "number", "note", "created_at", "created_by"]
    list_filter = ["profile"]
