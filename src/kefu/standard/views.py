"""The standard page: every rule, its current value, and where kefu enforces it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.standard.selectors import profile_current_version, standard_rule_rows


@login_required
def standard_rules(request: HttpRequest) -> HttpResponse:
    version = profile_current_version()
    return render(
        request,
        "standard/rules.html",
        {"version": version, "rows": standard_rule_rows(version)},
    )
