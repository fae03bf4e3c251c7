"""Configuration screens of web chat (TEC-7): widgets (where chats go, which sites may embed
them, open hours) and agents' concurrent-chat limits. Imported by ``channels/admin.py``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.audit.admin_support import AuditedModelAdmin
from kefu.channels.models import AgentPresence, ChatWidget


class ChatWidgetForm(forms.ModelForm):
    class Meta:
        model = ChatWidget
        fields = [
            "key",
            "name",
            "team",
            "required_skill",
            "priority",
            "allowed_origins",
            "greeting",
            "calendar",
            "enabled",
        ]
        help_texts = {
            "key": _('Used in the embed tag: data-widget="…". Letters, digits, - and _.'),
            "allowed_origins": _(
                "Sites that may use the widget, one per line or separated by spaces, e.g. "
                "https://shop.example.com. Leave empty to allow any site."
            ),
            "greeting": _("Shown when the visitor opens the chat."),
        }

    def clean_allowed_origins(self) -> str:
        origins = str(self.cleaned_data.get("allowed_origins") or "").split()
        for origin in origins:
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
            ):
                raise forms.ValidationError(
                    _("%(origin)s is not an origin like https://shop.example.com"),
                    params={"origin": origin},
                )
        return "\n".join(origin.rstrip("/") for origin in origins)


@admin.register(ChatWidget)
class ChatWidgetAdmin(AuditedModelAdmin):
    form = ChatWidgetForm
    list_display = ["name", "key", "team", "required_skill", "priority", "enabled", "embed_tag"]
    list_filter = ["enabled", "team"]
    search_fields = ["name", "key"]

    @admin.display(description=_("Embed tag"))
    def embed_tag(self, widget: ChatWidget) -> str:
        return format_html(
            '<code>&lt;script src="…/chat/widget.js" data-widget="{}" async&gt;&lt;/script&gt;</code>',
            widget.key,
        )


@admin.register(AgentPresence)
class AgentPresenceAdmin(AuditedModelAdmin):
    """Agents set their status in the chat console; here a lead may change the limit."""

    list_display = ["user", "status", "max_chats", "changed_at", "last_seen_at"]
    list_filter = ["status"]
    fields = ["user", "status", "max_chats", "changed_at", "last_seen_at"]
    readonly_fields = ["user", "status", "changed_at", "last_seen_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # created by the agent's first visit to the chat console
