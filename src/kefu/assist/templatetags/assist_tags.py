"""Template tags of agent assist: the classification suggestion panel (TEC-4) on the ticket and
contact pages, whose includes have no view code of their own."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.assist.classification_selectors import suggestion_for
from kefu.assist.classification_services import may_decide
from kefu.assist.models import SuggestionDecision
from kefu.tickets.models import Category, Urgency

register = template.Library()


@register.inclusion_tag("assist/_classification_panel.html", takes_context=True)
def classification_panel(
    context: template.Context, ticket: Any = None, contact: Any = None
) -> dict[str, Any]:
    """The latest suggestion of the ticket or contact, with Confirm / Correct for an agent who
    may edit it; nothing is shown when there is no suggestion."""
    suggestion = suggestion_for(ticket=ticket, contact=contact)
    user = context.get("user")
    request = context.get("request")
    if user is None and request is not None:
        user = request.user
    pending = suggestion is not None and suggestion.decision == SuggestionDecision.PENDING
    if suggestion is not None:
        # The selector leaves the target out; the permission check needs it.
        suggestion.ticket = ticket
        suggestion.contact = contact
    decides = bool(pending and suggestion is not None and may_decide(user, suggestion))
    return {
        "suggestion": suggestion,
        "pending": pending,
        "may_decide": decides,
        "categories": list(
            Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
        )
        if decides
        else [],
        "urgencies": Urgency.choices,
        "current_category": getattr(ticket, "category_id", None),
        "current_urgency": getattr(ticket, "urgency", ""),
        "csrf_token": context.get("csrf_token"),
        "panel_id": f"classification-{'ticket' if ticket is not None else 'contact'}",
    }
