"""Configuration of the category tree (咨询 / 投诉 / 售后 and their subcategories)."""

from __future__ import annotations

from django.contrib import admin

from kefu.audit.admin_support import AuditedModelAdmin
from kefu.tickets.models import Category


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "root", "parent", "sort_order", "is_active"]
    list_filter = ["root", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
