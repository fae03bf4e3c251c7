"""Worker tasks of the ticket classification (TEC-4); huey finds them through
:mod:`kefu.assist.tasks`, which imports this module.

* :func:`suggest_for_ticket` / :func:`suggest_for_contact` — a suggestion for a new ticket or
  contact, queued once the creating transaction commits (:func:`suggest_after_commit`);
* :func:`suggest_missed` — every ten minutes, contacts and tickets of the last day that have
  customer text but no suggestion (calls get their text from the transcript later; a worker
  that was down lost its queue);
* :func:`train_weekly` — the weekly training on Monday at 03:30 UTC (huey's crontab
  clock), one ``ClassifierRun`` row per run whatever happens (STYLE 9).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.core.taskruns import recorded_run
from kefu.core.timeutils import now

logger = logging.getLogger(__name__)

SWEEP_HOURS = 24
SWEEP_BATCH = 200


@db_task(retries=1, retry_delay=30)
def suggest_for_ticket(ticket_id: int) -> str:
    """Suggest a category and urgency for one ticket; a ticket deleted meanwhile is skipped."""
    from kefu.assist.classification_services import classification_suggest
    from kefu.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    return "suggested" if classification_suggest(ticket=ticket) is not None else "no model"


@db_task(retries=1, retry_delay=30)
def suggest_for_contact(contact_id: int) -> str:
    """Suggest a category and urgency for one contact; one deleted meanwhile is skipped."""
    from kefu.assist.classification_services import classification_suggest
    from kefu.channels.models import Contact

    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return "gone"
    return "suggested" if classification_suggest(contact=contact) is not None else "none"


def _queue(task: Callable[[int], object], object_id: int) -> None:
    try:
        task(object_id)
    except Exception:
        logger.exception("could not queue the classification of %s", object_id)


def suggest_after_commit(*, ticket_id: int | None = None, contact_id: int | None = None) -> None:
    """Queue the suggestion for a new ticket or contact once the transaction commits."""
    if ticket_id is not None:
        transaction.on_commit(lambda: _queue(suggest_for_ticket, ticket_id))
    if contact_id is not None:
        transaction.on_commit(lambda: _queue(suggest_for_contact, contact_id))


def suggest_missed(*, since: dt.datetime, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Suggestions for tickets and contacts created since ``since`` without one; counts."""
    from kefu.assist.classification_services import active_classifier, classification_suggest
    from kefu.channels.models import Contact, ContactMessage, ContactSegment, Speaker
    from kefu.tickets.models import Ticket

    counts = {"tickets": 0, "contacts": 0}
    if active_classifier() is None:
        return counts
    tickets = Ticket.objects.filter(
        created_at__gte=since, classification_suggestions__isnull=True
    ).order_by("created_at", "id")[:limit]
    for ticket in tickets:
        counts["tickets"] += classification_suggest(ticket=ticket) is not None
    spoke = ContactMessage.objects.filter(speaker=Speaker.CUSTOMER).values("contact_id")
    said = ContactSegment.objects.filter(speaker=Speaker.CUSTOMER).values("contact_id")
    contacts = (
        Contact.objects.filter(created_at__gte=since, classification_suggestions__isnull=True)
        .filter(Q(pk__in=spoke) | Q(pk__in=said))
        .order_by("created_at", "id")[:limit]
    )
    for contact in contacts:
        counts["contacts"] += classification_suggest(contact=contact) is not None
    return counts


@db_periodic_task(crontab(minute="*/10"))
def suggest_missed_recent() -> None:
    """Safety net: the last day's tickets and contacts with text but no suggestion."""
    from kefu.assist.models import ClassifierRun

    if not ClassifierRun.objects.filter(is_active=True).exists():
        return  # nothing to suggest with: no run row every ten minutes
    with recorded_run("assist.classification_suggest_missed") as run:
        run.counts.update(suggest_missed(since=now() - dt.timedelta(hours=SWEEP_HOURS)))


TRAINING_QUEUED_KEY = "kefu:assist:classifier-training-queued"
TRAINING_QUEUED_SECONDS = 3600
"""How long a queued "Train now" blocks another one (a worker that died frees it after this)."""


def queue_training(actor_id: int | None = None) -> bool:
    """Queue one training on request; ``False`` when one is already queued or running (repeated
    clicks on "Train now" do not stack trainings on the worker)."""
    if not cache.add(TRAINING_QUEUED_KEY, actor_id or 0, timeout=TRAINING_QUEUED_SECONDS):
        return False
    try:
        train_now(actor_id)
    except Exception:
        cache.delete(TRAINING_QUEUED_KEY)
        raise
    return True


@db_task()
def train_now(actor_id: int | None = None) -> int:
    """Train on request (the "Train now" button / API); the new run's id."""
    from kefu.accounts.models import User
    from kefu.assist.classification_services import classifier_train

    try:
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        return classifier_train(actor=actor).pk
    finally:
        cache.delete(TRAINING_QUEUED_KEY)


@db_periodic_task(crontab(day_of_week="1", hour="3", minute="30"))
def train_weekly() -> None:
    """The weekly training (TEC-4); the ClassifierRun row records its outcome."""
    from kefu.assist.classification_services import classifier_train

    with recorded_run("assist.classifier_train") as run:
        trained = classifier_train()
        run.counts.update(
            {
                "version": trained.version,
                "examples": trained.examples,
                "trained": int(trained.status == "trained"),
            }
        )
