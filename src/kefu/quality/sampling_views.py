"""The sampling pages under /qa/sampling/ (QA-2): plans with their last runs, the plan form
(the standard's band shown), "run now", the run history with its stats, and the current
workload of each QA specialist. Validation and writes are the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kefu.channels.models import ContactKind
from kefu.core.errors import KefuError, NotFound
from kefu.core.web import explain
from kefu.quality import sampling_selectors as selectors
from kefu.quality.models import SamplingPeriod, SamplingPlan, Scorecard
from kefu.quality.sampling_services import sampling_may_manage, sampling_plan_save, sampling_run

FIELDS = (
    "name",
    "ordinary_percent",
    "agent_minimum",
    "period",
    "include_complaints",
    "include_fatal",
    "channels",
    "scorecard",
    "is_active",
)


class SamplingPlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    ordinary_percent = forms.DecimalField(
        label=gettext_lazy("Share of ordinary contacts (%)"), max_digits=5, decimal_places=2
    )
    agent_minimum = forms.IntegerField(label=gettext_lazy("Minimum per agent and period"))
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=SamplingPeriod.choices)
    include_complaints = forms.BooleanField(label=gettext_lazy("Every complaint"), required=False)
    include_fatal = forms.BooleanField(
        label=gettext_lazy("Every contact with a fatal finding"), required=False
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels (none: all)"),
        choices=ContactKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scorecard = forms.ModelChoiceField(
        label=gettext_lazy("Scorecard"), queryset=Scorecard.objects.filter(is_active=True)
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


def _require_view(request: HttpRequest) -> None:
    if not selectors.sampling_may_view(request.user):
        raise PermissionDenied


def _require_manage(request: HttpRequest) -> None:
    if not sampling_may_manage(request.user):
        raise PermissionDenied


def _plan_or_404(request: HttpRequest, plan_id: int) -> SamplingPlan:
    try:
        return selectors.sampling_plan_get(user=request.user, plan_id=plan_id)
    except NotFound:
        raise Http404 from None


def _run_rows(runs: Any) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        stats = run.stats or {}
        ordinary = (stats.get("considered") or {}).get("ordinary", 0)
        rows.append(
            {
                "run": run,
                "reasons": stats.get("reasons", {}),
                "agents": stats.get("agents", []),
                "ordinary": ordinary,
                "percent": round(100 * run.selected / run.considered, 1) if run.considered else 0,
                "sampled_percent": stats.get("sampled_percent", 0),
            }
        )
    return rows


@login_required
@require_GET
def sampling_page(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    plans = list(selectors.sampling_plan_list(user=request.user))
    runs = list(selectors.sampling_run_list(user=request.user)[: selectors.RECENT_RUNS])
    last: dict[int, Any] = {}
    for run in selectors.sampling_run_list(user=request.user).order_by("plan_id", "-period_start"):
        last.setdefault(run.plan_id, run)
    return render(
        request,
        "quality/sampling.html",
        {
            "plans": [{"plan": plan, "last": last.get(plan.pk)} for plan in plans],
            "runs": _run_rows(runs),
            "workload": selectors.sampling_workload(user=request.user),
            "band": selectors.sampling_band(),
            "may_manage": sampling_may_manage(request.user),
        },
    )


def _plan_form(request: HttpRequest, plan: SamplingPlan | None) -> HttpResponse:
    _require_manage(request)
    if plan is None:
        default = Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()
        initial: dict[str, Any] = {
            "ordinary_percent": 25,
            "agent_minimum": 2,
            "period": SamplingPeriod.WEEK,
            "include_complaints": True,
            "include_fatal": True,
            "is_active": True,
            "scorecard": default,
        }
    else:
        initial = {name: getattr(plan, name) for name in FIELDS}
    form = SamplingPlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FIELDS}
        data["channels"] = list(data["channels"])
        try:
            saved = sampling_plan_save(actor=request.user, plan=plan, **data)
        except KefuError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, explain(error))
        else:
            messages.success(request, _("Sampling plan %(name)s saved.") % {"name": saved.name})
            return redirect("qa-sampling")
    return render(
        request,
        "quality/sampling_plan_form.html",
        {"form": form, "plan": plan, "band": selectors.sampling_band()},
        status=422 if form.errors else 200,
    )


@login_required
def sampling_plan_new(request: HttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@login_required
def sampling_plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manage(request)
    return _plan_form(request, _plan_or_404(request, plan_id))


@login_required
@require_POST
def sampling_plan_run(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manage(request)
    plan = _plan_or_404(request, plan_id)
    raw = (request.POST.get("period_start") or "").strip()
    try:
        start = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, _("The period start must be a date (YYYY-MM-DD)."))
        return redirect("qa-sampling")
    try:
        run = sampling_run(actor=request.user, plan=plan, period_start=start)
    except KefuError as error:
        messages.error(request, explain(error))
        return redirect("qa-sampling")
    messages.success(
        request,
        _("%(added)s new inspections; %(selected)s of %(considered)s contacts selected.")
        % {
            "added": run.stats.get("added", 0),
            "selected": run.selected,
            "considered": run.considered,
        },
    )
    return redirect("qa-sampling-run", run_id=run.pk)


@login_required
@require_GET
def sampling_run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_view(request)
    try:
        run = selectors.sampling_run_get(user=request.user, run_id=run_id)
    except NotFound:
        raise Http404 from None
    return render(request, "quality/sampling_run.html", {"row": _run_rows([run])[0]})


urlpatterns: list[URLPattern] = [
    path("sampling/", sampling_page, name="qa-sampling"),
    path("sampling/plans/new/", sampling_plan_new, name="qa-sampling-plan-new"),
    path("sampling/plans/<int:plan_id>/", sampling_plan_edit, name="qa-sampling-plan-edit"),
    path("sampling/plans/<int:plan_id>/run/", sampling_plan_run, name="qa-sampling-plan-run"),
    path("sampling/runs/<int:run_id>/", sampling_run_page, name="qa-sampling-run"),
]
