"""Configuration screens of the channels: IMAP mailboxes the worker polls for customer e-mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kefu.channels.models import Mailbox


class MailboxForm(forms.ModelForm):
    """The password is write-only: never shown back, kept when the field is left empty."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "team",
            "enabled",
            "poll_seconds",
        ]

    def clean_poll_seconds(self) -> int:
        value = int(self.cleaned_data["poll_seconds"])
        if value < 30:
            raise forms.ValidationError(_("Poll at most every 30 seconds."))
        return value

    def save(self, commit: bool = True) -> Any:
        mailbox = super().save(commit=False)
        new_password = self.cleaned_data.get("password")
        if not new_password and self.instance.pk:
            mailbox.password = Mailbox.objects.get(pk=self.instance.pk).password
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "host",
        "port",
        "security",
        "folder",
        "team",
        "enabled",
        "last_polled_at",
        "has_error",
    ]
    list_filter = ["enabled", "security"]
    search_fields = ["name", "host"]
    readonly_fields = ["uid_validity", "last_uid", "last_polled_at", "last_error"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(MailboxForm.Meta.fields)
        return fields + list(self.readonly_fields) if obj is not None else fields

    @admin.display(boolean=True, description=_("error"))
    def has_error(self, mailbox: Mailbox) -> bool:
        return bool(mailbox.last_error)


# Web chat widgets and agents' chat limits (their screens live with the chat code).
from kefu.channels.chat import admin as _chat_admin  # noqa: E402, F401
