"""Every write of the ticket classification (TEC-4): train, suggest, confirm, correct.

* :func:`classifier_train` learns category and urgency from the center's own resolved and
  closed tickets plus the agents' decided suggestions (a correction's final values are the
  labels), measures a stratified held-out part, retrains on everything, writes the artifact
  atomically under ``<data dir>/assist/`` and activates the run. Every call leaves a
  :class:`ClassifierRun` row: ``trained``, ``skipped`` (too few examples, with the reason) or
  ``failed`` (with the error) — STYLE 9.
* :func:`classification_suggest` records a pending suggestion for a new ticket or contact from
  the active model; without an active model it does nothing.
* :func:`classification_confirm` / :func:`classification_correct` record the agent's decision
  (once: :data:`SUGGESTION_TRANSITIONS`) and apply it to the ticket through
  :func:`kefu.tickets.services.ticket_update`, so the timeline, audit trail and SLA clocks
  follow as for any edit. A contact has no category of its own: its decision is only recorded
  and feeds the next training.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from kefu.assist.classification_model import (
    Example,
    ModelUnavailable,
    TicketClassifier,
    artifact_read,
    artifact_write,
    classifier_fit,
)
from kefu.assist.models import (
    ClassificationSuggestion,
    ClassifierRun,
    ClassifierRunStatus,
    SuggestionDecision,
)
from kefu.assist.text_classifier import EmbeddingChoice
from kefu.audit.services import audit_record
from kefu.channels.models import Contact, ContactMessage, ContactSegment, Speaker
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.state_machine import check_transition
from kefu.core.timeutils import now
from kefu.tickets.models import Category, Ticket, Urgency
from kefu.tickets.states import TicketStatus

logger = logging.getLogger(__name__)

MIN_EXAMPLES = 30
"""Fewer usable examples than this: the run is skipped."""
MIN_PER_LABEL = 2
"""A category with fewer examples is left out of training (it cannot be held out)."""
MAX_EXAMPLES = 20_000
"""The newest examples only: training time stays bounded on a large center."""
TEXT_LIMIT = 2_000
"""Characters of the customer's text used (subject + description / first message)."""
ARTIFACT_FOLDER = "assist"
KEEP_ARTIFACTS = 5
"""Model files of the newest trained runs kept on disk; older ones are removed."""

SUGGESTION_TRANSITIONS: dict[str, frozenset[str]] = {
    SuggestionDecision.PENDING: frozenset(
        {SuggestionDecision.CONFIRMED, SuggestionDecision.CORRECTED}
    ),
    SuggestionDecision.CONFIRMED: frozenset(),
    SuggestionDecision.CORRECTED: frozenset(),
}
"""A suggestion is decided once; a second decision answers 409."""

TRAINING_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


# -- texts ------------------------------------------------------------------------------------


def _joined(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())[:TEXT_LIMIT]


def ticket_text(ticket: Ticket) -> str:
    """What the customer asked: the subject and the description (the first message)."""
    return _joined(ticket.subject, ticket.description)


def contact_text(contact: Contact) -> str:
    """The contact's subject and the customer's first message, or the first customer lines
    of the transcript for a call; empty when the customer has said nothing yet."""
    message = (
        ContactMessage.objects.filter(contact=contact, speaker=Speaker.CUSTOMER)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
        .first()
    )
    if message:
        return _joined(contact.subject, message)
    lines = list(
        ContactSegment.objects.filter(contact=contact, speaker=Speaker.CUSTOMER)
        .order_by("start", "id")
        .values_list("text", flat=True)[:10]
    )
    if lines:
        return _joined(contact.subject, " ".join(lines))
    return ""


# -- training ---------------------------------------------------------------------------------


def training_examples(*, limit: int = MAX_EXAMPLES) -> tuple[list[Example], int]:
    """(examples, how many come from agents' decisions), newest first.

    A decided suggestion's final category and urgency are the labels of its ticket or contact
    (so a correction teaches the next model); a resolved or closed ticket without one is
    labelled with its own category and urgency. Inactive categories are left out.
    """
    active = set(Category.objects.filter(is_active=True).values_list("pk", flat=True))
    examples: list[Example] = []
    decided_tickets: set[int] = set()
    decided = (
        ClassificationSuggestion.objects.exclude(decision=SuggestionDecision.PENDING)
        .filter(final_category__isnull=False)
        .select_related("ticket", "contact")
        .order_by("-decided_at", "-id")[:limit]
    )
    seen_contacts: set[int] = set()
    for suggestion in decided:
        if suggestion.ticket_id is not None:
            if suggestion.ticket_id in decided_tickets:
                continue
            decided_tickets.add(suggestion.ticket_id)
            assert suggestion.ticket is not None
            text = ticket_text(suggestion.ticket)
        else:
            assert suggestion.contact is not None
            if suggestion.contact_id in seen_contacts:
                continue
            seen_contacts.add(suggestion.contact.pk)
            text = contact_text(suggestion.contact)
        if text and suggestion.final_category_id in active and suggestion.final_urgency:
            examples.append(
                Example(
                    text,
                    str(suggestion.final_category_id),
                    suggestion.final_urgency,
                    "suggestion",
                )
            )
    from_decisions = len(examples)
    tickets = (
        Ticket.objects.filter(status__in=TRAINING_STATUSES, category_id__in=active)
        .exclude(pk__in=decided_tickets)
        .order_by("-resolved_at", "-id")
        .values_list("subject", "description", "category_id", "urgency")[
            : max(0, limit - from_decisions)
        ]
    )
    for subject, description, category_id, urgency in tickets:
        text = _joined(subject, description)
        if text:
            examples.append(Example(text, str(category_id), urgency))
    return examples, from_decisions


def _usable_examples(examples: list[Example]) -> tuple[list[Example], str]:
    """Drop categories with too few examples; the reason to skip, or ``""``."""
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.category] = counts.get(example.category, 0) + 1
    kept = [e for e in examples if counts[e.category] >= MIN_PER_LABEL]
    categories = {e.category for e in kept}
    if len(kept) < MIN_EXAMPLES:
        return kept, (
            f"{len(kept)} usable examples (resolved or closed tickets and decided suggestions "
            f"whose category has at least {MIN_PER_LABEL}); at least {MIN_EXAMPLES} are needed"
        )
    if len(categories) < 2:
        return kept, "the examples cover fewer than two categories with enough tickets each"
    return kept, ""


def _next_version() -> int:
    return (ClassifierRun.objects.aggregate(v=Max("version"))["v"] or 0) + 1


def _record_run(**values: Any) -> ClassifierRun:
    """The run's row under the next version number; a concurrent run taking the same number
    makes this one retry with the next."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                activate = values.get("status") == ClassifierRunStatus.TRAINED
                if activate:
                    ClassifierRun.objects.filter(is_active=True).update(is_active=False)
                run = ClassifierRun.objects.create(
                    version=_next_version(), is_active=activate, **values
                )
                audit_record(
                    actor=values.get("trained_by"),
                    verb="classifier.train",
                    target=run,
                    after={
                        "version": run.version,
                        "status": run.status,
                        "examples": run.examples,
                        "active": run.is_active,
                    },
                )
                return run
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _prune_artifacts(data_dir: Path) -> None:
    """Remove the model files of all but the newest trained runs (never the active one)."""
    old = (
        ClassifierRun.objects.filter(status=ClassifierRunStatus.TRAINED, is_active=False)
        .exclude(artifact="")
        .order_by("-version")[KEEP_ARTIFACTS:]
    )
    for run in old:
        (data_dir / run.artifact).unlink(missing_ok=True)


def classifier_train(
    *, actor: Any = None, embedding: EmbeddingChoice = "auto", limit: int = MAX_EXAMPLES
) -> ClassifierRun:
    """Train the classifier on the center's own tickets and activate it; the run's row.

    ``embedding`` is the dense-feature choice of the text models ("auto": the multilingual
    USE vectors when installed; ``None``: TF-IDF only, as the tests use). ``limit`` caps the
    examples (the newest are used).
    """
    actor = actor if getattr(actor, "pk", None) else None
    started = now()
    clock = time.perf_counter()
    data_dir = Path(settings.DATA_DIR)
    path: Path | None = None
    try:
        examples, from_decisions = training_examples(limit=limit)
        usable, reason = _usable_examples(examples)
        if reason:
            return _record_run(
                status=ClassifierRunStatus.SKIPPED,
                message=reason,
                trained_by=actor,
                examples=len(usable),
                corrections=from_decisions,
                seconds=time.perf_counter() - clock,
                started_at=started,
                finished_at=now(),
            )
        classifier, metrics = classifier_fit(usable, embedding=embedding)
        relative = f"{ARTIFACT_FOLDER}/classifier-{uuid.uuid4().hex}.pkl"
        path = data_dir / relative
        artifact_write(classifier, path)
        corrections = sum(1 for e in usable if e.source == "suggestion")
        run = _record_run(
            status=ClassifierRunStatus.TRAINED,
            message="",
            trained_by=actor,
            examples=len(usable),
            corrections=corrections,
            metrics=metrics,
            artifact=relative,
            seconds=time.perf_counter() - clock,
            started_at=started,
            finished_at=now(),
        )
    except Exception as exc:
        logger.exception("training the ticket classifier failed")
        if path is not None:
            path.unlink(missing_ok=True)
        return _record_run(
            status=ClassifierRunStatus.FAILED,
            message=f"{type(exc).__name__}: {exc}"[:4000],
            trained_by=actor,
            seconds=time.perf_counter() - clock,
            started_at=started,
            finished_at=now(),
        )
    _prune_artifacts(data_dir)
    return run


# -- the active model -------------------------------------------------------------------------

_loaded: dict[str, TicketClassifier] = {}
_loaded_lock = threading.Lock()


def active_classifier() -> tuple[ClassifierRun, TicketClassifier] | None:
    """The active run and its model (read once per process and run), or None."""
    run = ClassifierRun.objects.filter(is_active=True).first()
    if run is None or not run.artifact:
        return None
    with _loaded_lock:
        model = _loaded.get(run.artifact)  # the file name is unique to the run
        if model is None:
            try:
                model = artifact_read(Path(settings.DATA_DIR) / run.artifact)
            except ModelUnavailable:
                logger.exception("the active classifier v%s cannot be loaded", run.version)
                return None
            _loaded.clear()  # one model in memory: the active one
            _loaded[run.artifact] = model
    return run, model


# -- suggestions ------------------------------------------------------------------------------


def classification_suggest(
    *, ticket: Ticket | None = None, contact: Contact | None = None
) -> ClassificationSuggestion | None:
    """A pending suggestion for the ticket or contact (exactly one of them) from the active
    model; None without an active model or without customer text. A ticket or contact that
    already has a suggestion keeps it (the task may run twice): the check is repeated with the
    ticket or contact row locked, so the task and the sweep racing for the same one leave one
    suggestion."""
    if (ticket is None) == (contact is None):
        raise InvalidInput("give a ticket or a contact, not both", field="ticket")
    mine = Q(ticket=ticket) if ticket is not None else Q(contact=contact)
    existing = ClassificationSuggestion.objects.filter(mine).first()
    if existing is not None:
        return existing
    loaded = active_classifier()
    if loaded is None:
        return None
    run, model = loaded
    text = ticket_text(ticket) if ticket is not None else contact_text(contact)  # type: ignore[arg-type]
    if not text:
        return None
    suggested = model.suggest([text])[0]
    category = Category.objects.filter(pk=int(suggested.category), is_active=True).first()
    urgency = suggested.urgency if suggested.urgency in Urgency.values else ""
    with transaction.atomic():
        if ticket is not None:
            Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        else:
            Contact.objects.select_for_update().filter(pk=contact.pk).first()  # type: ignore[union-attr]
        existing = ClassificationSuggestion.objects.filter(mine).first()
        if existing is not None:  # made meanwhile (the model ran outside the lock)
            return existing
        return ClassificationSuggestion.objects.create(
            ticket=ticket,
            contact=contact,
            run=run,
            category=category,
            category_confidence=round(suggested.category_confidence, 4) if category else 0.0,
            urgency=urgency,
            urgency_confidence=round(suggested.urgency_confidence, 4) if urgency else 0.0,
            created_at=now(),
        )


def _sees(actor: Any, suggestion: ClassificationSuggestion) -> bool:
    """Whether ``actor`` sees the suggestion's ticket or contact."""
    from kefu.channels.screens.selectors import visible_contacts
    from kefu.tickets.selectors import ticket_is_visible

    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if suggestion.ticket_id is not None:
        assert suggestion.ticket is not None
        return ticket_is_visible(actor, suggestion.ticket)
    return visible_contacts(actor).filter(pk=suggestion.contact_id or 0).exists()


def may_decide(actor: Any, suggestion: ClassificationSuggestion) -> bool:
    """An agent who may edit the ticket (``tickets.change_ticket`` and sees it), or, for a
    contact, who may link tickets to it and sees the contact."""
    return _sees(actor, suggestion) and actor.has_perm("tickets.change_ticket")


def _locked(suggestion: ClassificationSuggestion, actor: Any) -> ClassificationSuggestion:
    current = (
        ClassificationSuggestion.objects.select_for_update(of=("self",))
        .select_related("ticket", "contact", "category")
        .filter(pk=suggestion.pk)
        .first()
    )
    # A suggestion on a ticket or contact the actor does not see is "not found" (its id
    # reveals nothing); one they see but may not edit is refused.
    if current is None or not _sees(actor, current):
        raise NotFound(f"suggestion {suggestion.pk} does not exist")
    if not may_decide(actor, current):
        raise PermissionDenied("you may not classify this ticket or contact")
    return current


def _category(value: Any) -> Category:
    if isinstance(value, Category):
        category: Category | None = value
    elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        category = Category.objects.filter(pk=int(value)).first()
    elif isinstance(value, str) and value:
        category = Category.objects.filter(code=value).first()
    else:
        raise InvalidInput("choose a category", field="category")
    if category is None:
        raise InvalidInput(f"category {value!r} does not exist", field="category")
    if not category.is_active:
        raise InvalidInput(f"category {category} is inactive", field="category")
    return category


def _decide(
    *,
    actor: Any,
    suggestion: ClassificationSuggestion,
    decision: str,
    category: Category,
    urgency: str,
) -> ClassificationSuggestion:
    from kefu.tickets.services import ticket_update

    current = _locked(suggestion, actor)
    check_transition(
        allowed=SUGGESTION_TRANSITIONS,
        current=current.decision,
        target=decision,
        labels=dict(SuggestionDecision.choices),
        noun="suggestion",
    )
    if current.ticket is not None:
        changes: dict[str, Any] = {}
        if current.ticket.category_id != category.pk:
            changes["category"] = category
        if current.ticket.urgency != urgency:
            changes["urgency"] = urgency
        if changes:
            ticket_update(actor=actor, ticket=current.ticket, version=None, changes=changes)
    current.decision = decision
    current.final_category = category
    current.final_urgency = urgency
    current.decided_by = actor
    current.decided_at = now()
    current.save(
        update_fields=["decision", "final_category", "final_urgency", "decided_by", "decided_at"]
    )
    audit_record(
        actor=actor,
        verb=f"classification.{decision}",
        target=current,
        before={"category": current.category_id, "urgency": current.urgency},
        after={"category": category.pk, "urgency": urgency, "decision": decision},
    )
    return current


@transaction.atomic
def classification_confirm(
    *, actor: Any, suggestion: ClassificationSuggestion
) -> ClassificationSuggestion:
    """The agent accepts the suggested category and urgency; the ticket takes them."""
    if suggestion.category_id is None or not suggestion.urgency:
        raise Conflict(
            "this suggestion has no usable category or urgency: correct it instead",
            field="category",
        )
    return _decide(
        actor=actor,
        suggestion=suggestion,
        decision=SuggestionDecision.CONFIRMED,
        category=_category(suggestion.category),
        urgency=suggestion.urgency,
    )


@transaction.atomic
def classification_correct(
    *, actor: Any, suggestion: ClassificationSuggestion, category: Any, urgency: str
) -> ClassificationSuggestion:
    """The agent sets the right category and urgency; the ticket takes them and the next
    training learns them. Choosing exactly what was suggested counts as a confirmation."""
    chosen = _category(category)
    if urgency not in Urgency.values:
        raise InvalidInput(f"urgency: one of {', '.join(Urgency.values)}", field="urgency")
    same = chosen.pk == suggestion.category_id and urgency == suggestion.urgency
    return _decide(
        actor=actor,
        suggestion=suggestion,
        decision=SuggestionDecision.CONFIRMED if same else SuggestionDecision.CORRECTED,
        category=chosen,
        urgency=urgency,
    )
