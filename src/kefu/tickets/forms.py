"""Web forms of the agent workspace; validation messages follow the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, Team, User
from kefu.core.forms import DayField
from kefu.customers.models import ContactChannel
from kefu.tickets.models import Category, HandlingClass, Priority, Urgency
from kefu.tickets.selectors import SORT_FIELDS, TicketFilters
from kefu.tickets.states import TicketStatus

SORT_CHOICES = [
    ("-updated_at", _("Latest activity")),
    ("updated_at", _("Oldest activity")),
    ("-created_at", _("Newest")),
    ("created_at", _("Oldest")),
    ("priority", _("Priority A first")),
    ("-number", _("Number, descending")),
]
assert all(key in SORT_FIELDS for key, _label in SORT_CHOICES)


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *list(choices)]


def category_choices() -> list[tuple[str, str]]:
    return [
        (category.code, str(category))
        for category in Category.objects.filter(is_active=True).order_by(
            "root", "sort_order", "code"
        )
    ]


class QueueFilterForm(forms.Form):
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=TicketStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=_blank(Urgency.choices, _("Any urgency")), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=_blank(Priority.choices, _("Any priority")), required=False
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_blank(ContactChannel.choices, _("Any channel")), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Anyone"),
    )
    created_from = DayField(label=_("Created from"), required=False)
    created_to = DayField(label=_("Created to"), required=False)
    q = forms.CharField(label=_("Text"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = _blank(category_choices(), _("Any category"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return data

    def ticket_filters(self, tz: dt.tzinfo) -> TicketFilters:
        data = self.cleaned_data

        def day_start(day: dt.date | None, plus: int = 0) -> dt.datetime | None:
            if day is None:
                return None
            return dt.datetime.combine(day + dt.timedelta(days=plus), dt.time(), tzinfo=tz)

        return TicketFilters(
            status=list(data.get("status") or []) or None,
            urgency=data.get("urgency") or None,
            priority=data.get("priority") or None,
            category=data.get("category") or None,
            channel=data.get("channel") or None,
            assignee_id=data["assignee"].pk if data.get("assignee") else None,
            created_from=day_start(data.get("created_from")),
            created_to=day_start(data.get("created_to"), plus=1),
            q=data.get("q") or None,
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    public = forms.BooleanField(required=False)


class RecordForm(forms.Form):
    """The service record (HND-10) and the solution (CLS-3)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    base = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    need_points = forms.CharField(
        label=_("Need points"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferences = forms.CharField(
        label=_("Preferences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    special_requirements = forms.CharField(
        label=_("Special requirements"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    solution = forms.CharField(
        label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    customer_feedback = forms.CharField(
        label=_("Customer feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


RECORD_FIELDS = (
    "need_points",
    "preferences",
    "special_requirements",
    "solution",
    "customer_feedback",
)
ROUTING_FIELDS = ("assignee", "team", "department")


class RoutingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    base = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Nobody"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("No team"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("No department"),
    )


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(choices=TicketStatus.choices)


class TicketCreateForm(forms.Form):
    phone = forms.CharField(label=_("Customer phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Customer e-mail"), required=False, max_length=254)
    customer_name = forms.CharField(
        label=_("Customer name"),
        required=False,
        max_length=100,
        help_text=_("Needed only when no customer has this phone or e-mail yet."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ChoiceField(label=_("Category"))
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactChannel.choices, initial=ContactChannel.PHONE
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.B)
    handling_class = forms.ChoiceField(
        label=_("Handling"), choices=HandlingClass.choices, initial=HandlingClass.INSTANT
    )
    need_points = forms.CharField(
        label=_("Need points"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = _blank(category_choices(), _("Choose a category"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip():
            raise forms.ValidationError(
                _("Enter the customer's phone or e-mail, so the ticket has a customer.")
            )
        return data
