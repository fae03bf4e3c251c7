"""Forms of the complaint screens: registration, each stage's record, departments, notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.complaints.models import RectificationType, Severity
from kefu.complaints.services import EVIDENCE_KINDS
from kefu.complaints.stages import ComplaintStage
from kefu.core.forms import DayField
from kefu.customers.models import ContactChannel
from kefu.notify.models import NoticeKind, OutboundChannel
from kefu.tickets.models import Category, CategoryRoot

TEXTAREA = {"rows": 3}


def complaint_types() -> Any:
    return Category.objects.filter(
        root=CategoryRoot.COMPLAINT, parent__isnull=False, is_active=True
    ).order_by("sort_order", "code")


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class ComplaintRegisterForm(forms.Form):
    """CMP-1: type, severity, key demands, departments, received time and channel."""

    ticket = forms.CharField(required=False, widget=forms.HiddenInput)
    phone = forms.CharField(label=_("Customer phone"), required=False, max_length=40)
    email = forms.CharField(label=_("Customer e-mail"), required=False, max_length=254)
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    type = forms.ModelChoiceField(
        label=_("Complaint type"), queryset=Category.objects.none(), empty_label=None
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        help_text=_(
            "General: solved within 1 h; major: handled within 48 h with departments (CMP-5)."
        ),
    )
    channel = forms.ChoiceField(label=_("Received through"), choices=ContactChannel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now (or the ticket's creation when raising a ticket)."),
    )
    demands = forms.CharField(
        label=_("Key demands of the customer"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Responsible departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_customer = forms.BooleanField(
        label=_("Send the need-confirmation letter to the customer (HND-5)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, raising: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raising = raising
        _set_queryset(self, "type", complaint_types())
        _set_queryset(self, "departments", Department.objects.filter(is_active=True))
        if raising:
            for name in ("phone", "email", "customer_name"):
                del self.fields[name]
            self.fields["channel"].required = False

    def clean_received_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("received_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.raising and not (data.get("phone") or data.get("email")):
            raise forms.ValidationError(
                _("Enter the customer's phone or e-mail, so the complaint has a customer.")
            )
        return data


class StageForm(forms.Form):
    """The record of one stage move; which fields count depends on ``to`` (see the service)."""

    to = forms.ChoiceField(choices=ComplaintStage.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    findings = forms.CharField(
        label=_("Investigation findings"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "recording: CALL-20261128-0012"}),
        help_text=_(
            "One per line: kind: reference — note. Kinds: recording, ticket, log, document, other."
        ),
    )
    plan = forms.CharField(
        label=_("Preliminary plan"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    final_solution = forms.CharField(
        label=_("Final solution"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    action = forms.CharField(
        label=_("Rectification action"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    type = forms.ChoiceField(
        label=_("Rectification type"),
        required=False,
        choices=[("", "—"), *RectificationType.choices],
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    due = DayField(label=_("Due"), required=False)
    result = forms.CharField(
        label=_("Rectification result"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    notify_customer = forms.BooleanField(label=_("Tell the customer"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "owner", User.objects.filter(is_active=True).order_by("username"))

    def clean_evidence(self) -> list[dict[str, str]]:
        items = []
        for number, line in enumerate(str(self.cleaned_data.get("evidence") or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            kind, sep, rest = line.partition(":")
            if not sep:
                kind, sep, rest = line.partition("：")
            kind = kind.strip().lower()
            if not sep or kind not in EVIDENCE_KINDS:
                raise forms.ValidationError(
                    _("Line %(number)s: start with one of %(kinds)s and a colon.")
                    % {"number": number, "kinds": ", ".join(EVIDENCE_KINDS)}
                )
            ref, _dash, note = rest.partition("—")
            items.append({"kind": kind, "ref": ref.strip(), "note": note.strip()})
        return items

    def record(self) -> dict[str, Any]:
        data = self.cleaned_data
        owner = data.get("owner")
        due = data.get("due")
        return {
            "note": data.get("note", ""),
            "reason": data.get("reason", ""),
            "findings": data.get("findings", ""),
            "evidence": data.get("evidence") or [],
            "plan": data.get("plan", ""),
            "final_solution": data.get("final_solution", ""),
            "action": data.get("action", ""),
            "type": data.get("type", ""),
            "owner": owner.pk if owner else None,
            "due": due.isoformat() if due else None,
            "result": data.get("result", ""),
        }


# The record fields each target stage shows (CMP-2…4); the service checks which are required.
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    ComplaintStage.INVESTIGATING: ("note",),
    ComplaintStage.PLAN_PROPOSED: ("findings", "evidence", "plan", "notify_customer"),
    ComplaintStage.SOLVED: ("final_solution", "notify_customer"),
    ComplaintStage.RECTIFYING: ("action", "type", "owner", "due"),
    ComplaintStage.CLOSED: ("result", "notify_customer"),
    ComplaintStage.WITHDRAWN: ("reason",),
}


class DepartmentAskForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    request = forms.CharField(
        label=_("What the department should check or do"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "department", Department.objects.filter(is_active=True))


class DepartmentReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply of the department"), max_length=4000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Notice"), choices=NoticeKind.choices)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Customer's preferred")), *OutboundChannel.choices],
    )
    progress = forms.CharField(
        label=_("Progress so far (for a progress update)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("active", _("Open (not closed)")), ("", _("All")), *ComplaintStage.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices]
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            ("", _("All")),
            *[(category.code, category.name) for category in complaint_types()],
        ]


class PeriodForm(forms.Form):
    start = DayField(label=_("From"), required=False)
    end = DayField(label=_("To"), required=False)
