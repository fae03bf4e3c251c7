"""The call on the agent's desk: a small panel that pops up while the phone rings (ACC-2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.channels.selectors import current_call, screen_pop


@login_required
@require_GET
def current_call_panel(request: HttpRequest) -> HttpResponse:
    """Polled by the workspace every few seconds: empty while no call is on the user's desk
    (an empty 200, not a 204, so a panel of a call that just ended is cleared)."""
    if not request.user.has_perm("channels.view_contact"):
        return HttpResponse("")
    contact = current_call(agent=request.user)
    if contact is None:
        return HttpResponse("")
    return render(
        request,
        "channels/_current_call.html",
        {"contact": contact, "pop": screen_pop(contact)},
    )
