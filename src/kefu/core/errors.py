"""Domain errors raised by services and selectors, each with the HTTP status the API maps it to.

Services never return half-done work: they raise one of these before writing anything, or inside
the transaction so that everything written is rolled back.
"""

from __future__ import annotations


class KefuError(Exception):
    """Base of every expected, user-facing failure."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "detail": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(KefuError):
    """A value is missing, malformed or out of range; ``field`` names it."""

    status_code = 422
    code = "invalid"


class NotFound(KefuError):
    status_code = 404
    code = "not_found"


class PermissionDenied(KefuError):
    status_code = 403
    code = "forbidden"


class Conflict(KefuError):
    """The request is well-formed but clashes with the current state of the object."""

    status_code = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class StaleVersion(Conflict):
    """Optimistic concurrency: the client edited an older version than the stored one."""

    code = "stale_version"
