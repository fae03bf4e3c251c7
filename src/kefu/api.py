"""The HTTP API at /api/v1/: authentication, error format, and the routers of each app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer

from kefu.accounts.services import api_token_authenticate
from kefu.core.errors import KefuError


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer kefu_…`` issued by ``kefu token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese text as characters, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="kefu API",
    version="1",
    description="Tickets, customers and the operation trail of a kefu contact center.",
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)


def _field_of(location: Any) -> str | None:
    parts = [
        str(part) for part in location if part not in ("body", "query", "path", "form", "payload")
    ]
    return ".".join(parts) or None


@api.exception_handler(KefuError)
def kefu_error(request: HttpRequest, exc: KefuError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        problems.append(
            {
                "field": _field_of(error.get("loc", ())),
                "message": str(error.get("msg", "invalid value")),
            }
        )
    first = problems[0] if problems else {"field": None, "message": "invalid request"}
    body = {
        "error": "invalid",
        "detail": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        "field": first["field"],
        "errors": problems,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"error": "unauthenticated", "detail": "log in or send Authorization: Bearer <token>"}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"error": "http", "detail": str(exc)}, status=exc.status_code
    )


def _register_routers() -> None:
    from kefu.accounts.api import router as accounts_router
    from kefu.assist.agent_assist_api import router as agent_assist_router
    from kefu.assist.bot_api import router as bot_router
    from kefu.assist.classification_api import router as classification_router
    from kefu.audit.api import router as audit_router
    from kefu.calendars.api import router as calendars_router
    from kefu.channels.api import router as cti_router
    from kefu.complaints.api import improvements_router
    from kefu.complaints.api import router as complaints_router
    from kefu.customers.api import router as customers_router
    from kefu.knowledge.article_api import router as article_router
    from kefu.knowledge.faq_api import router as faq_router
    from kefu.knowledge.search_api import router as search_router
    from kefu.notify.api import router as notify_router
    from kefu.quality.api import router as quality_router
    from kefu.quality.calibration_api import router as calibration_router
    from kefu.quality.insight_api import router as insight_router
    from kefu.quality.inspection_api import router as inspection_router
    from kefu.quality.rules_api import router as rules_router
    from kefu.quality.sampling_api import router as sampling_router
    from kefu.tickets.api import router as tickets_router

    api.add_router("/", accounts_router)
    api.add_router("/tickets", tickets_router)
    api.add_router("/customers", customers_router)
    api.add_router("/audit", audit_router)
    api.add_router("/calendars", calendars_router)
    api.add_router("/cti", cti_router)
    api.add_router("/notifications", notify_router)
    api.add_router("/complaints", complaints_router)
    api.add_router("/improvements", improvements_router)
    api.add_router("/qa", quality_router)
    api.add_router("/qa/rules", rules_router)
    api.add_router("/qa/inspections", inspection_router)
    api.add_router("/qa/calibrations", calibration_router)
    api.add_router("/qa/sampling", sampling_router)
    api.add_router("/qa/insights", insight_router)
    api.add_router("/knowledge/articles", article_router)
    api.add_router("/knowledge/faqs", faq_router)
    api.add_router("/knowledge/search", search_router)
    api.add_router("/assist/bot", bot_router)
    api.add_router("/assist/classification", classification_router)
    api.add_router("/assist/suggest", agent_assist_router)


_register_routers()
