"""Quality work the worker runs (huey discovers this module by its name): the automatic check
of every contact once it ends and of every ticket handled only in writing once it is resolved
(QA-1, QA-3), and a periodic safety net for missed ones."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.core.taskruns import recorded_run
from kefu.core.timeutils import now

# huey finds periodic tasks in the modules named tasks: these hold the daily sampling (QA-2),
# the appeal-window finalizer (QA-2) and the monthly suggestions (QA-5).
from kefu.quality import insight_tasks, inspection_tasks, sampling_tasks  # noqa: F401

logger = logging.getLogger(__name__)

# The safety net looks back this far and checks at most this many contacts per run.
SWEEP_HOURS = 24
SWEEP_BATCH = 50


@db_task(retries=2, retry_delay=30)
def check_contact(contact_id: int) -> str:
    """Check one contact (again); a contact deleted meanwhile is skipped."""
    from kefu.channels.models import Contact
    from kefu.quality.services import contact_auto_check

    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return "gone"
    contact_auto_check(contact=contact)
    return "checked"


def _queue(contact_id: int) -> None:
    try:
        check_contact(contact_id)
    except Exception:
        logger.exception("could not queue the quality check of contact %s", contact_id)


def contact_check_after_commit(contact_id: int) -> None:
    """Queue the check of a contact that has just ended, once the transaction commits."""
    transaction.on_commit(lambda: _queue(contact_id))


def contacts_check_missed(*, since: dt.datetime, limit: int = SWEEP_BATCH) -> int:
    """Check ended contacts since ``since`` that have no automatic check; how many."""
    from kefu.channels.models import Contact, ContactState
    from kefu.quality.services import contact_auto_check

    missed = list(
        Contact.objects.filter(
            state=ContactState.ENDED, ended_at__gte=since, auto_check__isnull=True
        ).order_by("ended_at", "id")[:limit]
    )
    for contact in missed:
        contact_auto_check(contact=contact)
    return len(missed)


@db_periodic_task(crontab(minute="*/10"))
def check_missed_contacts() -> None:
    """Safety net: ended contacts of the last day whose check was lost (worker down, …)."""
    with recorded_run("quality.check_missed_contacts") as run:
        since = now() - dt.timedelta(hours=SWEEP_HOURS)
        run.counts["checked"] = contacts_check_missed(since=since)


@db_task(retries=2, retry_delay=30)
def check_ticket(ticket_id: int) -> str:
    """Check one resolved ticket's written replies (again); a ticket deleted meanwhile, or one
    with contacts or no public staff reply, is skipped."""
    from kefu.quality.services import ticket_auto_check
    from kefu.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    return "checked" if ticket_auto_check(ticket=ticket) is not None else "skipped"


def _queue_ticket(ticket_id: int) -> None:
    try:
        check_ticket(ticket_id)
    except Exception:
        logger.exception("could not queue the quality check of ticket %s", ticket_id)


def ticket_check_after_commit(ticket_id: int) -> None:
    """Queue the check of a ticket that has just been resolved, once the transaction commits."""
    transaction.on_commit(lambda: _queue_ticket(ticket_id))


def tickets_check_missed(*, since: dt.datetime, limit: int = SWEEP_BATCH) -> int:
    """Check tickets resolved since ``since`` that get a check of their own but have none, or
    one older than their last resolution (reopened and resolved again); how many.

    Resolving a ticket sets its ``updated_at``, so the range on ``updated_at`` with the status
    uses the ticket queue index (ticket_status_queue_idx); no job walks all tickets.
    """
    from kefu.quality.services import ticket_auto_check, tickets_for_auto_check
    from kefu.tickets.states import TicketStatus

    missed = list(
        tickets_for_auto_check()
        .filter(
            Q(auto_check__isnull=True) | Q(auto_check__checked_at__lt=F("resolved_at")),
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            updated_at__gte=since,
            resolved_at__gte=since,
        )
        .order_by("updated_at", "id")[:limit]
    )
    for ticket in missed:
        ticket_auto_check(ticket=ticket)
    return len(missed)


@db_periodic_task(crontab(minute="*/10"))
def check_missed_tickets() -> None:
    """Safety net: tickets resolved in the last day whose check was lost (worker down, …)."""
    with recorded_run("quality.check_missed_tickets") as run:
        since = now() - dt.timedelta(hours=SWEEP_HOURS)
        run.counts["checked"] = tickets_check_missed(since=since)
