"""The audit browser for managers: who did what to which object, when (SEC-3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.audit.selectors import access_event_list, audit_event_list
from kefu.core.errors import PermissionDenied as KefuPermissionDenied
from kefu.core.forms import DayField

PAGE_SIZE = 50
# 20,000 events deep; narrow the filters to go further back.
MAX_PAGE = 400


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Actor"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("Anyone"),
    )
    verb = forms.CharField(label=_("Action"), max_length=64, required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)
    log = forms.ChoiceField(
        label=_("Log"),
        choices=[("changes", _("Changes")), ("access", _("Access to personal data"))],
        required=False,
    )


def _day(day: dt.date | None, plus: int = 0) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(
        day + dt.timedelta(days=plus), dt.time(), tzinfo=timezone.get_current_timezone()
    )


@login_required
def audit_browser(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    actor = data.get("actor")
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    events: Any
    try:
        if data.get("log") == "access":
            events = access_event_list(
                user=request.user,
                actor_id=actor.pk if actor else None,
                object_type=data.get("object_type") or None,
                object_id=data.get("object_id") or None,
                since=_day(data.get("since")),
                until=_day(data.get("until"), plus=1),
            ).select_related("actor")
        else:
            events = audit_event_list(
                user=request.user,
                actor_id=actor.pk if actor else None,
                verb=data.get("verb") or None,
                object_type=data.get("object_type") or None,
                object_id=data.get("object_id") or None,
                since=_day(data.get("since")),
                until=_day(data.get("until"), plus=1),
            ).select_related("actor")
    except KefuPermissionDenied:
        raise PermissionDenied from None
    start = (page - 1) * PAGE_SIZE
    rows = list(events[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/browser.html",
        {
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "access": data.get("log") == "access",
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "query": query.urlencode(),
        },
    )
