"""The quality rules page /qa/rules/ (QA-3, SCR-2…5): every rule by kind, forms to add, edit
and remove a forbidden-phrase rule and to change the thresholds, and a "try it" box.

QA specialists, managers and administrators only (others get 403). Each save is a new
standard profile version (:func:`kefu.quality.rules_services.quality_rules_update`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import KefuError
from kefu.core.web import explain
from kefu.quality.engine import DIMENSIONS, check_draft
from kefu.quality.rules_services import (
    FORBIDDEN_DIMENSION,
    SWITCHES,
    THRESHOLDS,
    forbidden_rule_put,
    forbidden_rule_remove,
    quality_rules_may_edit,
    quality_rules_update,
    thresholds_set,
)
from kefu.quality.services import RulesInForce, rules_in_force

KEY_HELP = gettext_lazy("Lower-case letters, digits and _, e.g. shirking.")
LINES_HELP = gettext_lazy("One per line.")


def _require_editor(request: HttpRequest) -> None:
    if not quality_rules_may_edit(request.user):
        raise PermissionDenied


class ForbiddenRuleForm(forms.Form):
    """One forbidden-phrase rule (SCR-2): how it is recognised and what to say instead."""

    key = forms.SlugField(label=gettext_lazy("Key"), max_length=64, help_text=KEY_HELP)
    category = forms.SlugField(label=gettext_lazy("Category"), max_length=64, help_text=KEY_HELP)
    label = forms.CharField(label=gettext_lazy("Label"), max_length=50, required=False)
    standard = forms.CharField(label=gettext_lazy("Standard"), max_length=8, initial="SCR-2")
    phrases = forms.CharField(
        label=gettext_lazy("Phrases (exact)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=LINES_HELP,
    )
    gaps = forms.CharField(
        label=gettext_lazy("Gap patterns (text…text)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=LINES_HELP,
    )
    standalone = forms.CharField(
        label=gettext_lazy("Standalone clauses"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=LINES_HELP,
    )
    examples = forms.CharField(
        label=gettext_lazy("Examples (similarity stage)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=LINES_HELP,
    )
    negations = forms.CharField(
        label=gettext_lazy("Negations"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=LINES_HELP,
    )
    similarity = forms.FloatField(
        label=gettext_lazy("Similarity"), min_value=0.05, max_value=1, initial=0.6
    )
    suggestion = forms.CharField(label=gettext_lazy("Recommended replacement"), max_length=200)
    dimension = forms.ChoiceField(
        label=gettext_lazy("Dimension of a new category"),
        choices=[(name, name) for name in DIMENSIONS],
        initial=FORBIDDEN_DIMENSION,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=150, required=False)

    @classmethod
    def for_rule(cls, rule: dict[str, Any]) -> ForbiddenRuleForm:
        initial = {
            name: "\n".join(value) if isinstance(value, list) else value
            for name, value in rule.items()
        }
        return cls(initial=initial)


class ThresholdsForm(forms.Form):
    """The numeric thresholds (SCR-3, HND-9) and the on/off switches of the voice rules."""

    def __init__(self, *args: Any, rules: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for block, key in THRESHOLDS:
            name = f"{block}.{key}" if block else key
            value = (rules if block is None else rules.get(block, {})).get(key)
            whole = isinstance(value, int) and key not in ("min_seconds",)
            field: forms.Field = (
                forms.IntegerField(min_value=0) if whole else forms.FloatField(min_value=0)
            )
            field.label = name
            field.initial = value
            self.fields[name] = field
        for block in SWITCHES:
            self.fields[f"{block}.enabled"] = forms.BooleanField(
                label=f"{block}.enabled",
                required=False,
                initial=bool(rules.get(block, {}).get("enabled", True)),
            )
        self.fields["note"] = forms.CharField(
            label=gettext_lazy("Note"), max_length=150, required=False
        )


class TryForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Sample sentence"), max_length=2000)


def _page(
    request: HttpRequest,
    rules: RulesInForce,
    *,
    thresholds: ThresholdsForm | None = None,
    try_form: TryForm | None = None,
    findings: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    data = rules.data
    return render(
        request,
        "quality/rules.html",
        {
            "rules": rules,
            "forbidden": data.get("forbidden", []),
            "required": data.get("required", []),
            "empathy": data.get("empathy", {}),
            "speech_rate": data.get("speech_rate", {}),
            "silence": data.get("silence", {}),
            "interruption": data.get("interruption", {}),
            "stages": data.get("stages", {}),
            "thresholds": thresholds or ThresholdsForm(rules=data),
            "try_form": try_form or TryForm(),
            "findings": findings,
        },
        status=status,
    )


def _save(
    request: HttpRequest, new_rules: dict[str, Any], note: str, base_version: int
) -> KefuError | None:
    try:
        version = quality_rules_update(
            actor=request.user, rules=new_rules, note=note, base_version=base_version
        )
    except KefuError as error:
        return error
    messages.success(
        request, _("Saved as standard profile version %(number)s.") % {"number": version.number}
    )
    return None


def _error_text(error: KefuError) -> str:
    text = explain(error)
    return f"{text} ({error.field})" if error.field and error.field not in text else text


@login_required
@require_http_methods(["GET"])
def rules_page(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return _page(request, rules_in_force())


@login_required
@require_http_methods(["GET", "POST"])
def forbidden_rule_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    _require_editor(request)
    rules = rules_in_force()
    existing = next(
        (rule for rule in rules.data.get("forbidden", []) if rule.get("key") == key), None
    )
    if key is not None and existing is None:
        raise Http404
    form = ForbiddenRuleForm.for_rule(existing) if existing else ForbiddenRuleForm()
    error = None
    if request.method == "POST":
        form = ForbiddenRuleForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                changed = forbidden_rule_put(
                    rules.data, values, replaces=key, dimension=values.pop("dimension")
                )
            except KefuError as exc:
                error = exc
            else:
                error = _save(request, changed, values.pop("note"), rules.profile_version)
                if error is None:
                    return redirect("qa-rules")
            if error is not None:
                name = (error.field or "").rsplit(".", 1)[-1]
                if name in form.fields:
                    form.add_error(name, _error_text(error))
                else:
                    form.add_error(None, _error_text(error))
    return render(
        request,
        "quality/rules_form.html",
        {"form": form, "key": key, "rules": rules},
        status=422 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def forbidden_rule_delete(request: HttpRequest, key: str) -> HttpResponse:
    _require_editor(request)
    rules = rules_in_force()
    try:
        changed = forbidden_rule_remove(rules.data, key)
    except KefuError:
        raise Http404 from None
    error = _save(request, changed, request.POST.get("note", "")[:150], rules.profile_version)
    if error is not None:
        messages.error(request, _error_text(error))
    return redirect("qa-rules")


@login_required
@require_POST
def thresholds_edit(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    rules = rules_in_force()
    form = ThresholdsForm(request.POST, rules=rules.data)
    if form.is_valid():
        values = dict(form.cleaned_data)
        note = values.pop("note")
        error = _save(request, thresholds_set(rules.data, values), note, rules.profile_version)
        if error is None:
            return redirect("qa-rules")
        name = (error.field or "").removeprefix("quality_rules.")
        form.add_error(name if name in form.fields else None, _error_text(error))
    return _page(request, rules, thresholds=form, status=422)


@login_required
@require_POST
def rules_try(request: HttpRequest) -> HttpResponse:
    """Check a sample sentence, read as an agent's turn, against the rules in force (SCR-2)."""
    _require_editor(request)
    rules = rules_in_force()
    form = TryForm(request.POST)
    findings = check_draft(form.cleaned_data["text"], rules.rule_set) if form.is_valid() else None
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "quality/rules_try.html",
            {"try_form": form, "findings": findings, "rules": rules},
        )
    return _page(request, rules, try_form=form, findings=findings)


urlpatterns = [
    path("rules/", rules_page, name="qa-rules"),
    path("rules/forbidden/new/", forbidden_rule_edit, name="qa-rules-forbidden-new"),
    path("rules/forbidden/<slug:key>/", forbidden_rule_edit, name="qa-rules-forbidden-edit"),
    path(
        "rules/forbidden/<slug:key>/remove/",
        forbidden_rule_delete,
        name="qa-rules-forbidden-remove",
    ),
    path("rules/thresholds/", thresholds_edit, name="qa-rules-thresholds"),
    path("rules/try/", rules_try, name="qa-rules-try"),
]
