"""Health check and the landing page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kefu import __version__
from kefu.accounts.selectors import user_roles
from kefu.tickets.selectors import TicketFilters, ticket_list
from kefu.tickets.states import OPEN_STATUSES


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``status: ok`` when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": str(exc)[:200]}, status=503
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor, "version": __version__}
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = ticket_list(
        user=user, filters=TicketFilters(status=sorted(OPEN_STATUSES), assignee_id=user.pk)
    )
    return render(
        request,
        "core/home.html",
        {"roles": sorted(user_roles(user)), "my_open": mine[:20], "my_open_count": mine.count()},
    )
