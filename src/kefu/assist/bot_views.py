"""/assist/bot/: the FAQ bot's deflection report (TEC-2) for team leads, managers and admins.

The deflection rate against the standard's target, per channel, per day and week, and the
questions the bot could not answer, each with a link to add an FAQ entry for it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from kefu.assist.bot_selectors import deflection_report, may_read_bot_report
from kefu.assist.models import BotChannel
from kefu.core.errors import InvalidInput


@login_required
@require_GET
def bot_report_page(request: HttpRequest) -> HttpResponse:
    """The deflection report; ``start``, ``end`` (dates) and ``channel`` filter it."""
    if not may_read_bot_report(request.user):
        raise PermissionDenied
    filters = {name: request.GET.get(name, "")[:16] for name in ("start", "end", "channel")}
    error = None
    try:
        report = deflection_report(**filters)
    except InvalidInput as exc:
        error = exc
        report = deflection_report()
    new_faq = reverse("knowledge-faq-new")
    unanswered = [
        {**item, "new_faq": f"{new_faq}?{urlencode({'question': item['question'][:300]})}"}
        for item in report.unanswered
    ]
    return render(
        request,
        "assist/bot_report.html",
        {
            "report": report,
            "unanswered": unanswered,
            "channels": BotChannel.choices,
            "by_channel": [
                (dict(BotChannel.choices).get(key, key), rates)
                for key, rates in report.by_channel.items()
            ],
            "filters": filters,
            "error": error,
        },
        status=422 if error else 200,
    )


urlpatterns: list[URLPattern] = [
    path("bot/", bot_report_page, name="assist-bot-report"),
]
