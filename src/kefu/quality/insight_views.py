"""Quality insights and the monthly suggestions pages under /qa/ (QA-3, QA-4, QA-5, IMP-1).

``/qa/insights/``: pass rate by agent and team against the target (below target highlighted),
the trend by month, the most frequent violations and customer topics of a period. The topics
panel (word segmentation, the slow part) comes separately from ``/qa/insights/topics/`` —
fetched by HTMX once the page is shown, or opened as a page by its link without JavaScript —
so the page appears at once.
``/qa/suggestions/``: a month's "script update and training topics" list; accept (edited
first) into the script library or the training plan, dismiss, or draw the month now.
Team leads (their team), QA specialists, trainers, managers and administrators; agents 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.core.errors import InvalidInput, KefuError, PermissionDenied
from kefu.core.forms import DayField
from kefu.core.templatetags.kefu_tags import person
from kefu.core.timeutils import local_date, now
from kefu.core.web import explain
from kefu.knowledge.models import ScriptStage
from kefu.people.views import MonthField, parse_month
from kefu.quality import insight_selectors as insights
from kefu.quality import suggestions as services
from kefu.quality.models import ImprovementSuggestion, SuggestionKind

TREND_MONTHS = 6


class PeriodForm(forms.Form):
    start = DayField(label=gettext_lazy("From"), required=False)
    end = DayField(label=gettext_lazy("To"), required=False)


def _scope(request: HttpRequest) -> list[int] | None:
    try:
        return insights.insight_team_scope(request.user)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error)) from None


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date, int]:
    """The period form of the request, the period shown and the status (422 on a bad one)."""
    form = PeriodForm(request.GET or None)
    status = 200
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif form.is_bound:
        status = 422
    try:
        start, end = insights.insight_period(start, end)
    except InvalidInput as error:
        form.add_error(error.field if error.field in form.fields else None, explain(error))
        start, end = insights.insight_period()
        status = 422
    return form, start, end, status


def _teams(team: list[int] | None) -> list[Team]:
    return list(Team.objects.filter(pk__in=team).order_by("name")) if team else []


@login_required
def insights_page(request: HttpRequest) -> HttpResponse:
    team = _scope(request)
    form, start, end, status = _period(request)
    target = insights.pass_rate_target()  # read once for every panel (QA-4)
    trend_start = start.replace(day=1)
    for _month in range(TREND_MONTHS - 1):
        trend_start = (trend_start - dt.timedelta(days=1)).replace(day=1)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "teams": _teams(team),
        "target": target,
        "overall": insights.pass_rate_overall(start=start, end=end, team=team, target=target),
        "by_agent": insights.pass_rates(
            start=start, end=end, group_by="agent", team=team, target=target
        ),
        "by_team": insights.pass_rates(
            start=start, end=end, group_by="team", team=team, target=target
        ),
        "trend": insights.pass_rates(
            start=trend_start, end=end, group_by="month", team=team, target=target
        ),
        "violations": insights.frequent_violations(start=start, end=end, team=team),
        "period_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "may_see_suggestions": request.user.has_perm("quality.view_improvementsuggestion"),
    }
    return render(request, "quality/insights.html", context, status=status)


@login_required
def insight_topics(request: HttpRequest) -> HttpResponse:
    """The customer-topics panel of a period (QA-3): the fragment for HTMX, or a page of its
    own when opened by its link (no JavaScript). Cached, see
    :func:`~kefu.quality.insight_selectors.customer_topics`."""
    team = _scope(request)
    form, start, end, status = _period(request)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "teams": _teams(team),
        "topics": insights.customer_topics(start=start, end=end, team=team),
        "period_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
    }
    fragment = request.headers.get("HX-Request") == "true"
    template = "quality/insight_topics.html" if fragment else "quality/insight_topics_page.html"
    return render(request, template, context, status=status)


# -- suggestions ----------------------------------------------------------------------------


class DrawForm(forms.Form):
    month = MonthField(label=gettext_lazy("Month"))


class PersonsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person(obj)


class ScriptAcceptForm(forms.Form):
    """A script suggestion as it goes into the library, edited by the trainer (SCR-4)."""

    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=ScriptStage.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Script"), max_length=4_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    replaces = forms.CharField(
        label=gettext_lazy("Replaces (wording to avoid)"), max_length=500, required=False
    )
    category = forms.CharField(
        label=gettext_lazy("Quality category"), max_length=64, required=False
    )


class TrainingAcceptForm(forms.Form):
    """A training suggestion as it goes into the training plan (TRN-2)."""

    month = MonthField(label=gettext_lazy("Training month"))
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Detail"),
        max_length=4_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"), queryset=Team.objects.order_by("name"), required=False
    )
    agents = PersonsField(
        label=gettext_lazy("Agents"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )


def _suggestions_or_403(request: HttpRequest, month: dt.date | None = None) -> Any:
    try:
        return insights.improvement_suggestions(user=request.user, month=month)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error)) from None


@login_required
def suggestions_page(request: HttpRequest) -> HttpResponse:
    default = insights_previous_month()
    month = parse_month(request.GET.get("month", "")) or default
    rows = list(_suggestions_or_403(request, month))
    for row in rows:  # shown, never saved: example text masked (SEC-3)
        row.evidence = insights.mask_evidence(row.evidence)
    months = insights.suggestion_months(user=request.user)
    if month not in months:
        months = sorted({*months, month}, reverse=True)
    return render(
        request,
        "quality/suggestions.html",
        {
            "month": month,
            "months": months,
            "scripts": [row for row in rows if row.kind == SuggestionKind.SCRIPT],
            "trainings": [row for row in rows if row.kind == SuggestionKind.TRAINING],
            "draw_form": DrawForm(initial={"month": f"{month:%Y-%m}"}),
            "may_decide": request.user.has_perm("quality.change_improvementsuggestion"),
            "may_draw": request.user.has_perm("quality.add_improvementsuggestion"),
        },
    )


def insights_previous_month() -> dt.date:
    today = local_date(now())
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_url(month: dt.date) -> str:
    return f"{reverse('qa-suggestions')}?month={month:%Y-%m}"


@require_POST
@login_required
def suggestions_draw(request: HttpRequest) -> HttpResponse:
    _suggestions_or_403(request)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a month as YYYY-MM."))
        return redirect("qa-suggestions")
    month = form.cleaned_data["month"]
    try:
        rows = services.suggestions_draw(actor=request.user, month=month)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error)) from None
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("%(count)d suggestions for the month.") % {"count": len(rows)})
    return redirect(_month_url(month))


def _suggestion_or_404(request: HttpRequest, suggestion_id: int) -> ImprovementSuggestion:
    row = _suggestions_or_403(request).filter(pk=suggestion_id).first()
    if row is None:
        raise Http404(_("No such suggestion."))
    return row


def _accept_form(row: ImprovementSuggestion, data: Any) -> forms.Form:
    evidence = row.evidence if isinstance(row.evidence, dict) else {}
    if row.kind == SuggestionKind.SCRIPT:
        phrases = evidence.get("phrases") or []
        return ScriptAcceptForm(
            data,
            initial={
                "stage": evidence.get("stage") or ScriptStage.OTHER,
                "title": row.title.split("：", 1)[-1],
                "text": evidence.get("replacement") or row.detail,
                "replaces": phrases[0] if phrases else "",
                "category": evidence.get("category", ""),
            },
        )
    following = (row.month + dt.timedelta(days=32)).replace(day=1)
    return TrainingAcceptForm(
        data, initial={"month": f"{following:%Y-%m}", "title": row.title, "text": row.detail}
    )


@login_required
def suggestion_accept(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    row = _suggestion_or_404(request, suggestion_id)
    if not request.user.has_perm("quality.change_improvementsuggestion"):
        raise DjangoPermissionDenied
    form = _accept_form(row, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if row.kind == SuggestionKind.SCRIPT:
                services.suggestion_accept(
                    actor=request.user,
                    suggestion=row,
                    title=data["title"],
                    text=data["text"],
                    stage=data["stage"],
                    category=data["category"],
                    replaces=data["replaces"],
                )
            else:
                services.suggestion_accept(
                    actor=request.user,
                    suggestion=row,
                    title=data["title"],
                    text=data["text"],
                    month=data["month"],
                    teams=list(data["teams"]),
                    agents=list(data["agents"]),
                )
        except KefuError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, explain(error))
        else:
            if row.kind == SuggestionKind.SCRIPT:
                messages.success(request, _("Accepted into the script library."))
            else:
                messages.success(request, _("Accepted into the training plan."))
            return redirect(_month_url(row.month))
    return render(
        request,
        "quality/suggestion_accept.html",
        {"suggestion": row, "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_POST
@login_required
def suggestion_dismiss(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    row = _suggestion_or_404(request, suggestion_id)
    try:
        services.suggestion_dismiss(
            actor=request.user, suggestion=row, reason=str(request.POST.get("reason", ""))[:4000]
        )
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error)) from None
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Suggestion dismissed."))
    return redirect(_month_url(row.month))


urlpatterns: list[URLPattern] = [
    path("insights/", insights_page, name="qa-insights"),
    path("insights/topics/", insight_topics, name="qa-insight-topics"),
    path("suggestions/", suggestions_page, name="qa-suggestions"),
    path("suggestions/draw/", suggestions_draw, name="qa-suggestions-draw"),
    path("suggestions/<int:suggestion_id>/accept/", suggestion_accept, name="qa-suggestion-accept"),
    path(
        "suggestions/<int:suggestion_id>/dismiss/",
        suggestion_dismiss,
        name="qa-suggestion-dismiss",
    ),
]
