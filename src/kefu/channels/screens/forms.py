"""Forms of the staff screens: inbox filters, the contact page's actions, report periods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team
from kefu.channels.models import ContactKind
from kefu.channels.screens.selectors import InboxScope, InboxState
from kefu.core.forms import DayField
from kefu.tickets.forms import category_choices
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import TICKET_NUMBER

SMALL_SELECT = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm"}


class InboxFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Whose"),
        choices=InboxScope.choices,
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("All channels")), *ContactKind.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=InboxState.choices,
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )

    def __init__(self, *args: Any, scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = [(value, label) for value, label in InboxScope.choices if value in scopes]


class LinkTicketForm(forms.Form):
    ticket = forms.CharField(
        label=_("Ticket number"),
        max_length=20,
        widget=forms.TextInput(attrs={**SMALL_INPUT, "placeholder": "20261127-000123"}),
    )

    def clean_ticket(self) -> str:
        number = self.cleaned_data["ticket"].strip()
        if not TICKET_NUMBER.fullmatch(number):
            raise forms.ValidationError(_("A ticket number looks like 20261127-000123."))
        return number


class ContactTicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput(attrs=SMALL_INPUT)
    )
    category = forms.ChoiceField(label=_("Category"), widget=forms.Select(attrs=SMALL_SELECT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={**SMALL_INPUT, "rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("Choose a category")), *category_choices()]


class ContactReplyForm(forms.Form):
    ticket = forms.ChoiceField(label=_("On ticket"), widget=forms.Select(attrs=SMALL_SELECT))
    body = forms.CharField(
        label=_("Reply to the customer"),
        max_length=20_000,
        # data-qa-draft: forbidden phrases flagged while typing (quality/draft_check.js, SCR-2).
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 4, "data-qa-draft": "contact"}
        ),
    )

    def __init__(self, *args: Any, tickets: list[Ticket], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ticket = self.fields["ticket"]
        assert isinstance(ticket, forms.ChoiceField)
        ticket.choices = [(t.number, f"{t.number} {t.subject}") for t in tickets]


class TeamChoiceForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True),
        required=False,
        empty_label=_("Whole center"),
        widget=forms.Select(attrs=SMALL_SELECT),
    )


class AnswerRateForm(TeamChoiceForm):
    start = DayField(label=_("From"), required=False)
    end = DayField(label=_("To"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(SMALL_INPUT)
