"""Configuration screens for staff, teams and departments."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from kefu.accounts.models import ApiToken, Department, Team, User
from kefu.audit.admin_support import AuditedModelAdmin
from kefu.audit.services import audit_record


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "employee_number",
        "team",
        "skill_level",
        "is_active",
    ]
    list_filter = ["team", "skill_level", "groups", "is_active"]
    search_fields = ["username", "display_name", "employee_number"]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's password screen does not pass through save_model: audit it here."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(
                    actor=request.user,
                    verb="user.admin_set_password",
                    target=user,
                    after={"password": "changed"},
                )
        return response

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "kefu",
            {
                "fields": (
                    "display_name",
                    "employee_number",
                    "team",
                    "skill_level",
                    "certification_level",
                )
            },
        ),
    )


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "lead", "is_active"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "is_active"]
    filter_horizontal = ["members"]
    search_fields = ["name", "code"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_filter = ["revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued with `kefu token create` so that the secret is shown exactly once.
        return False
