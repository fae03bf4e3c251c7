"""Service refusals explained to people in their language (the API keeps the English detail)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kefu.core.errors import (
    Conflict,
    InvalidInput,
    KefuError,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
)


def explain(error: KefuError) -> str:
    """A message for the web page; falls back to the service's own words."""
    if isinstance(error, StaleVersion):
        return _(
            "Someone else changed this since you opened it; nothing was changed. "
            "Check the latest state and try again."
        )
    if isinstance(error, TransitionNotAllowed):
        return _("This status change is not allowed from the current status.")
    if isinstance(error, Conflict) and error.field == "solution":
        return _("Record the solution in the service record first (CLS-3).")
    if isinstance(error, Conflict) and error.field == "department":
        return _("Route the ticket to a department before waiting on it (ORG-2).")
    if isinstance(error, PermissionDenied):
        return _("Your role does not allow this.")
    if isinstance(error, NotFound):
        return _("It does not exist or is not visible to you.")
    if isinstance(error, InvalidInput) and error.field:
        return _("Please check “%(field)s”: %(detail)s") % {
            "field": error.field,
            "detail": error.message,
        }
    return error.message
