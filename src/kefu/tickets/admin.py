"""Configuration of the category tree (咨询 / 投诉 / 售后 and their subcategories)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from kefu.audit.admin_support import AuditedModelAdmin
from kefu.tickets.models import Category


class CategoryForm(forms.ModelForm):
    """A subcategory sits under a node of its own root; the tree has no cycles."""

    class Meta:
        model = Category
        fields = ["code", "name", "root", "parent", "sort_order", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        parent, root = cleaned.get("parent"), cleaned.get("root")
        if parent is not None:
            if parent.root != root:
                self.add_error(
                    "root", f"the parent {parent} belongs to {parent.get_root_display()}"
                )
            node = parent
            while node is not None:
                if self.instance.pk and node.pk == self.instance.pk:
                    self.add_error("parent", "a category cannot sit under itself")
                    break
                node = node.parent
        return cleaned


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    form = CategoryForm
    list_display = ["code", "name", "root", "parent", "sort_order", "is_active"]
    list_filter = ["root", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
