"""The script library pages (话术库, SCR-1, SCR-4): /knowledge/scripts/.

Everyone on staff reads the active scripts by stage; trainers, QA specialists and managers add,
edit, deactivate and reactivate them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import KefuError
from kefu.core.web import explain
from kefu.knowledge import services
from kefu.knowledge.models import Script, ScriptStage
from kefu.knowledge.selectors import script_get, scripts

PAGE_LIMIT = 500


class ScriptFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        choices=[("", gettext_lazy("Every stage")), *ScriptStage.choices],
        required=False,
    )
    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)
    inactive = forms.BooleanField(label=gettext_lazy("Show deactivated"), required=False)


class ScriptForm(forms.Form):
    """A script as a trainer writes it."""

    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=ScriptStage.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_LIMIT)
    text = forms.CharField(
        label=gettext_lazy("Script"),
        max_length=services.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    replaces = forms.CharField(
        label=gettext_lazy("Replaces (wording to avoid)"),
        max_length=services.REPLACES_LIMIT,
        required=False,
    )
    category = forms.CharField(
        label=gettext_lazy("Quality category"),
        max_length=services.CATEGORY_LIMIT,
        required=False,
        help_text=gettext_lazy("The quality-rule category it answers, e.g. shirking."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _refusal(form: forms.Form, error: KefuError) -> None:
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields and field != "version" else None, explain(error))


@login_required
@permission_required("knowledge.view_script", raise_exception=True)
def script_list(request: HttpRequest) -> HttpResponse:
    form = ScriptFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = list(
        scripts(
            user=request.user,
            stage=data.get("stage", ""),
            query=data.get("q", ""),
            include_inactive=bool(data.get("inactive")),
        )[:PAGE_LIMIT]
    )
    labels = dict(ScriptStage.choices)
    groups = [
        {"stage": stage, "label": labels[stage], "rows": [r for r in rows if r.stage == stage]}
        for stage in ScriptStage.values
    ]
    return render(
        request,
        "knowledge/scripts.html",
        {
            "form": form,
            "groups": [group for group in groups if group["rows"]],
            "may_change": request.user.has_perm("knowledge.change_script"),
            "may_add": request.user.has_perm("knowledge.add_script"),
        },
    )


@login_required
@permission_required("knowledge.add_script", raise_exception=True)
def script_new(request: HttpRequest) -> HttpResponse:
    form = ScriptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.script_create(
                actor=request.user,
                stage=data["stage"],
                title=data["title"],
                text=data["text"],
                category=data["category"],
                replaces=data["replaces"],
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Script added to the library."))
            return redirect("knowledge-scripts")
    return render(
        request,
        "knowledge/script_form.html",
        {"form": form, "script": None},
        status=422 if form.is_bound and form.errors else 200,
    )


def _script_or_404(request: HttpRequest, script_id: int) -> Script:
    script = script_get(user=request.user, script_id=script_id)
    if script is None:
        raise Http404(_("No such script."))
    return script


@login_required
@permission_required("knowledge.change_script", raise_exception=True)
def script_edit(request: HttpRequest, script_id: int) -> HttpResponse:
    script = _script_or_404(request, script_id)
    initial = {name: getattr(script, name) for name in services.EDITABLE}
    initial["version"] = script.version
    form = ScriptForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.script_update(
                actor=request.user,
                script=script,
                changes={name: data[name] for name in services.EDITABLE},
                version=data["version"],
            )
        except KefuError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Script saved."))
            return redirect("knowledge-scripts")
    return render(
        request,
        "knowledge/script_form.html",
        {"form": form, "script": script},
        status=422 if form.is_bound and form.errors else 200,
    )


@require_POST
@login_required
@permission_required("knowledge.change_script", raise_exception=True)
def script_active(request: HttpRequest, script_id: int) -> HttpResponse:
    script = _script_or_404(request, script_id)
    active = request.POST.get("active") == "1"
    try:
        services.script_set_active(actor=request.user, script=script, active=active)
    except KefuError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Script reactivated.") if active else _("Script deactivated."))
    return redirect("knowledge-scripts")
