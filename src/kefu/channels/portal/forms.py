"""Forms of the customer self-service portal (TEC-6): submit a ticket, enter the one-time
code, ask for a new link, reply. Each error names its field in the customer's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.channels.portal.selectors import TYPE_LABELS
from kefu.channels.portal.services import PORTAL_TYPES, REPLY_LIMIT
from kefu.core.errors import InvalidInput
from kefu.customers.identities import IdentityKind, normalize_identity
from kefu.tickets.selectors import TICKET_NUMBER

HONEYPOT = "website"


def _identity(kind: str, value: str, message: Any) -> str:
    try:
        return normalize_identity(kind, value)
    except InvalidInput:
        raise forms.ValidationError(message, code="invalid") from None


class PortalSubmitForm(forms.Form):
    """A new request: who, how to reach them (phone and/or e-mail), what about."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send the link to follow your request by SMS to this number."),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Used when you give no phone number."),
    )
    kind = forms.ChoiceField(
        label=_("Type of request"),
        choices=[(key, TYPE_LABELS[key]) for key in PORTAL_TYPES],
        initial="consult",
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, and what you would like us to do."),
    )
    # Bots fill every field; people never see this one (see the template).
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please tell us your name."), code="required")
        return name

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        return _identity(
            IdentityKind.PHONE, value, _("Enter a valid phone number (digits, optionally +).")
        )

    def clean_email(self) -> str:
        value: str = self.cleaned_data["email"].strip()
        if not value:
            return ""
        return _identity(IdentityKind.EMAIL, value, _("Enter a valid e-mail address."))

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError(_("Please give a short subject."), code="required")
        return subject

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Please describe your request."), code="required")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone_ok = "phone" not in self.errors
        email_ok = "email" not in self.errors
        if phone_ok and email_ok and not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give a mobile phone number or an e-mail address (or both)."))
        return data

    def is_bot(self) -> bool:
        """The honeypot field was filled in: only a program does that."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())


class PortalCodeForm(forms.Form):
    """The 6-digit one-time code from the SMS or e-mail."""

    code = forms.CharField(
        label=_("One-time code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
            }
        ),
        help_text=_("The 6 digits from the message we sent you."),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."), code="invalid")
        return code


class PortalTrackForm(forms.Form):
    """A returning customer: ticket number and the phone or e-mail given with it."""

    number = forms.CharField(
        label=_("Ticket number"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "20260101-000123", "inputmode": "numeric"}),
    )
    contact = forms.CharField(
        label=pgettext_lazy("portal", "Mobile phone or e-mail"),
        max_length=254,
        help_text=_("The one you gave when you contacted us."),
    )

    def clean_number(self) -> str:
        number = str(self.cleaned_data["number"]).strip()
        if not TICKET_NUMBER.fullmatch(number):
            raise forms.ValidationError(
                _("A ticket number looks like 20260101-000123."), code="invalid"
            )
        return number

    def clean_contact(self) -> str:
        value = str(self.cleaned_data["contact"]).strip()
        if "@" in value:
            return _identity(IdentityKind.EMAIL, value, _("Enter a valid e-mail address."))
        return _identity(
            IdentityKind.PHONE, value, _("Enter a valid phone number or e-mail address.")
        )


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=REPLY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_body(self) -> str:
        text = str(self.cleaned_data["body"]).strip()
        if not text:
            raise forms.ValidationError(_("The message is empty."), code="required")
        return text
