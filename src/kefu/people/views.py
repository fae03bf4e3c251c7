"""The training plan page (TRN-2): /people/training/ — a month's topics; trainers and managers
add topics and mark them done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.core.errors import KefuError
from kefu.core.templatetags.kefu_tags import person
from kefu.core.timeutils import local_date, now
from kefu.core.web import explain
from kefu.people import services
from kefu.people.selectors import training_months, training_topics


def parse_month(value: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month, or None when it is not one."""
    return services.month_parse(value)


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (an ``<input type="month">``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date:
        text = super().clean(value)
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return month


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person(obj)


class TrainingTopicForm(forms.Form):
    month = MonthField(label=gettext_lazy("Month"))
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=services.TITLE_LIMIT)
    detail = forms.CharField(
        label=gettext_lazy("Detail"),
        max_length=services.DETAIL_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text=gettext_lazy("No team and no agent: the whole center."),
    )
    agents = PersonChoiceField(
        label=gettext_lazy("Agents"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )


@login_required
@permission_required("people.view_trainingtopic", raise_exception=True)
def training_plan(request: HttpRequest) -> HttpResponse:
    today = local_date(now())
    month = parse_month(request.GET.get("month", "")) or today.replace(day=1)
    may_add = request.user.has_perm("people.add_trainingtopic")
    form = TrainingTopicForm(initial={"month": f"{month:%Y-%m}"}) if may_add else None
    return _render_plan(request, month, form)


def _render_plan(
    request: HttpRequest, month: dt.date, form: TrainingTopicForm | None, status: int = 200
) -> HttpResponse:
    months = training_months(user=request.user)
    if month not in months:
        months = sorted({*months, month}, reverse=True)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "people/training.html",
        {
            "month": month,
            "months": months,
            "previous": previous,
            "following": following,
            "topics": training_topics(user=request.user, month=month),
            "form": form,
            "may_change": request.user.has_perm("people.change_trainingtopic"),
        },
        status=status,
    )


@require_POST
@login_required
@permission_required("people.add_trainingtopic", raise_exception=True)
def training_topic_new(request: HttpRequest) -> HttpResponse:
    form = TrainingTopicForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.training_topic_create(
                actor=request.user,
                month=data["month"],
                title=data["title"],
                detail=data["detail"],
                teams=list(data["teams"]),
                agents=list(data["agents"]),
            )
        except KefuError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, explain(error))
        else:
            messages.success(request, _("Topic added to the training plan."))
            return redirect(f"{reverse('people-training')}?month={topic.month:%Y-%m}")
    month = parse_month(str(request.POST.get("month", ""))) or local_date(now()).replace(day=1)
    return _render_plan(request, month, form, status=422)


@require_POST
@login_required
@permission_required("people.change_trainingtopic", raise_exception=True)
def training_topic_done(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = training_topics(user=request.user).filter(pk=topic_id).first()
    if topic is None:
        raise Http404(_("No such training topic."))
    try:
        services.training_topic_done(actor=request.user, topic=topic)
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Training marked done."))
    return redirect(f"{reverse('people-training')}?month={topic.month:%Y-%m}")
