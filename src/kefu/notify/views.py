"""The notification list page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kefu.notify.selectors import notifications_for
from kefu.notify.services import notification_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notify/list.html", {"notifications": notifications_for(user=request.user)[:100]}
    )


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    ids = notifications_for(user=request.user, unread_only=True).values_list("pk", flat=True)
    notification_mark_read(user=request.user, notification_ids=list(ids[:1000]))
    return redirect("notifications")
