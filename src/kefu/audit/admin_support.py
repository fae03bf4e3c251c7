"""Configuration screens write the operation trail too (SEC-3): a mixin for ModelAdmins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from kefu.audit.services import audit_record, changed_fields, model_snapshot

NEVER_LOGGED = {"password"}


def _fields(obj: models.Model) -> list[str]:
    return [field.name for field in obj._meta.concrete_fields if field.name not in NEVER_LOGGED]


class AuditedModelAdmin(admin.ModelAdmin):
    """Records every add, change and delete made through the admin, in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = model_snapshot(stored, _fields(stored)) if stored else {}
        super().save_model(request, obj, form, change)
        after = model_snapshot(obj, _fields(obj))
        if change:
            old, new = changed_fields(before, after)
            if new:
                verb = f"{obj._meta.model_name}.admin_change"
                audit_record(actor=request.user, verb=verb, target=obj, before=old, after=new)
        else:
            verb = f"{obj._meta.model_name}.admin_add"
            audit_record(actor=request.user, verb=verb, target=obj, after=after)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        many = {
            field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
            for field in obj._meta.many_to_many
        }
        if many and change:
            verb = f"{obj._meta.model_name}.admin_change_relations"
            audit_record(actor=request.user, verb=verb, target=obj, after=many)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = model_snapshot(obj, _fields(obj))
        verb = f"{obj._meta.model_name}.admin_delete"
        audit_record(actor=request.user, verb=verb, target=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
