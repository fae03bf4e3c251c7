"""SLA screens: the at-risk queue, compliance per milestone; clock rows for the ticket page."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.timeutils import now
from kefu.sla.models import Clock
from kefu.sla.selectors import clocks_at_risk, live_state, milestone_compliance


def clock_rows(clocks: list[Clock], moment: dt.datetime) -> list[dict[str, object]]:
    rows = []
    for clock in clocks:
        state = live_state(clock, moment)
        left = None
        if clock.stopped_at is None and clock.due_at and state != "paused":
            left = clock.due_at - moment
        rows.append(
            {
                "clock": clock,
                "state": state,
                "left": left,
                "overdue": left is not None and left.total_seconds() < 0,
            }
        )
    return rows


@login_required
def at_risk(request: HttpRequest) -> HttpResponse:
    hours = 4
    if request.GET.get("hours", "").isdigit():
        hours = min(max(int(request.GET["hours"]), 1), 72)
    moment = now()
    clocks = list(clocks_at_risk(user=request.user, horizon=dt.timedelta(hours=hours))[:200])
    return render(request, "sla/at_risk.html", {"rows": clock_rows(clocks, moment), "hours": hours})


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    days = 30 if request.GET.get("days") == "30" else 7
    rows = milestone_compliance(days=days)
    chart = [{"label": f"{row.rule} {row.title}", "met_percent": row.met_percent} for row in rows]
    return render(request, "sla/compliance.html", {"rows": rows, "days": days, "chart": chart})
