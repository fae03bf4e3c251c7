"""/assist/classification/: the ticket classifier's page for administrators and managers, and
the agents' confirm / correct buttons of the suggestion panel (TEC-4).

The page lists the training runs, the active model's held-out accuracy per category and
urgency, the live accuracy from agents' decisions (confirmed ÷ decided), the confusion hot
spots, and a "Train now" button that queues a training on the worker.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.assist import classification_selectors as selectors
from kefu.assist.classification_services import classification_confirm, classification_correct
from kefu.assist.classification_tasks import queue_training
from kefu.assist.models import ClassificationSuggestion
from kefu.core.errors import KefuError, NotFound
from kefu.core.errors import PermissionDenied as Refused


def _require_manager(request: HttpRequest) -> None:
    if not selectors.may_manage_classifier(request.user):
        raise PermissionDenied


@login_required
@require_GET
def classification_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    active = selectors.active_run()
    return render(
        request,
        "assist/classification.html",
        {
            "runs": list(selectors.classifier_runs()),
            "active": active,
            "held_out": selectors.held_out_table(active),
            "live": selectors.live_accuracy(),
            "hot_spots": selectors.correction_hot_spots(),
        },
    )


@login_required
@require_POST
def classification_train(request: HttpRequest) -> HttpResponse:
    """Queue a training on the worker; the run appears in the list when it is done."""
    _require_manager(request)
    if queue_training(request.user.pk):
        messages.success(
            request, _("Training queued: the new run appears in the list when it has finished.")
        )
    else:
        messages.info(request, _("A training is already queued or running."))
    return redirect("assist-classification")


def _back(suggestion: ClassificationSuggestion) -> HttpResponse:
    if suggestion.ticket is not None:
        return redirect("ticket-page", number=suggestion.ticket.number)
    return redirect("contact-page", contact_id=suggestion.contact_id)


def _refused(
    request: HttpRequest, suggestion: ClassificationSuggestion, exc: KefuError
) -> HttpResponse:
    """403 / 404 for who may not decide; a conflict or bad choice goes back with its reason."""
    if isinstance(exc, Refused):
        raise PermissionDenied(exc.message)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    messages.error(request, exc.message)
    return _back(suggestion)


def _suggestion(suggestion_id: int) -> ClassificationSuggestion:
    suggestion = selectors.suggestion_get(suggestion_id=suggestion_id)
    if suggestion is None:
        raise Http404
    return suggestion


@login_required
@require_POST
def suggestion_confirm(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion(suggestion_id)
    try:
        classification_confirm(actor=request.user, suggestion=suggestion)
    except KefuError as exc:
        return _refused(request, suggestion, exc)
    messages.success(request, _("Category and urgency confirmed."))
    return _back(suggestion)


@login_required
@require_POST
def suggestion_correct(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion(suggestion_id)
    try:
        classification_correct(
            actor=request.user,
            suggestion=suggestion,
            category=request.POST.get("category", "")[:64],
            urgency=request.POST.get("urgency", "")[:16],
        )
    except KefuError as exc:
        return _refused(request, suggestion, exc)
    messages.success(request, _("Category and urgency corrected."))
    return _back(suggestion)


urlpatterns: list[URLPattern] = [
    path("classification/", classification_page, name="assist-classification"),
    path("classification/train", classification_train, name="assist-classification-train"),
    path(
        "classification/suggestions/<int:suggestion_id>/confirm",
        suggestion_confirm,
        name="assist-suggestion-confirm",
    ),
    path(
        "classification/suggestions/<int:suggestion_id>/correct",
        suggestion_correct,
        name="assist-suggestion-correct",
    ),
]
