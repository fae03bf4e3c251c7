"""The work queues of the agent workspace: which exist for a user, and what each holds.

Every queue is a filter on :func:`kefu.tickets.selectors.ticket_list` that one of the ticket
indexes serves (assignee/team/department/status, newest activity first), so a page and its
count stay fast at a million tickets. Counts stop at ``QUEUE_COUNT_CAP`` ("999+").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.accounts.selectors import user_department_ids, user_sees_all_tickets
from kefu.core.errors import NotFound
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import TicketFilters, ticket_list
from kefu.tickets.states import OPEN_STATUSES

QUEUE_COUNT_CAP = 999
OPEN = tuple(sorted(OPEN_STATUSES))


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    base: TicketFilters
    # Status filter applied when the user chose none (queues of open work show open tickets).
    default_status: tuple[str, ...] | None = OPEN


QUEUE_LABELS: dict[str, Promise] = {
    "mine": _("My tickets"),
    "team": _("My team"),
    "unassigned": _("Unassigned"),
    "department": _("Pending department"),
    "all": _("All tickets"),
}


def user_queues(user: Any) -> list[Queue]:
    """The queues ``user`` works from, in navigation order."""
    queues = [Queue("mine", QUEUE_LABELS["mine"], TicketFilters(assignee_id=user.pk))]
    if user.team_id:
        queues.append(Queue("team", QUEUE_LABELS["team"], TicketFilters(team_id=user.team_id)))
    sees_all = user_sees_all_tickets(user)
    if user.team_id or sees_all:
        base = TicketFilters(unassigned=True, team_id=None if sees_all else user.team_id)
        queues.append(Queue("unassigned", QUEUE_LABELS["unassigned"], base))
    departments = user_department_ids(user)
    if departments:
        queues.append(
            Queue(
                "department",
                QUEUE_LABELS["department"],
                TicketFilters(department_ids=tuple(sorted(departments))),
            )
        )
    if sees_all:
        queues.append(Queue("all", QUEUE_LABELS["all"], TicketFilters(), default_status=None))
    return queues


def queue_get(user: Any, key: str) -> Queue:
    for queue in user_queues(user):
        if queue.key == key:
            return queue
    raise NotFound(f"there is no queue {key!r} for you")


def _combined(queue: Queue, filters: TicketFilters) -> TicketFilters:
    base = queue.base
    return replace(
        filters,
        assignee_id=base.assignee_id if base.assignee_id is not None else filters.assignee_id,
        team_id=base.team_id if base.team_id is not None else filters.team_id,
        unassigned=base.unassigned or filters.unassigned,
        department_ids=base.department_ids,
        status=filters.status or (list(queue.default_status) if queue.default_status else None),
    )


def queue_tickets(
    user: Any, queue: Queue, filters: TicketFilters, sort: str = "-updated_at"
) -> QuerySet[Ticket]:
    """The queue's tickets narrowed by the user's ``filters`` (which cannot widen the queue)."""
    return ticket_list(user=user, filters=_combined(queue, filters), sort=sort)


# Sorts that the (owner, status, updated_at, id) queue indexes deliver in order per status.
_MERGEABLE_SORTS = {"-updated_at": True, "updated_at": False}


def queue_rows(
    user: Any,
    queue: Queue,
    filters: TicketFilters,
    *,
    sort: str = "-updated_at",
    start: int = 0,
    count: int = 26,
) -> list[Ticket]:
    """Rows ``start`` to ``start + count`` of the queue.

    A queue of open work asks for several statuses at once; sorting all of a team's open
    tickets for one page would read every one of them. Instead each status is read in index
    order up to the end of the page, the short lists are merged, and the page's rows are then
    loaded by id: the cost follows the page depth, not the queue length.
    """
    combined = _combined(queue, filters)
    statuses = combined.status or []
    if len(statuses) < 2 or sort not in _MERGEABLE_SORTS or combined.q:
        return list(ticket_list(user=user, filters=combined, sort=sort)[start : start + count])
    unfiltered = ticket_list(user=user, filters=replace(combined, status=None), sort=sort)
    keys: list[tuple[Any, int]] = []
    for status in statuses:
        keys.extend(
            unfiltered.filter(status=status)
            .select_related(None)
            .values_list("updated_at", "id")[: start + count]
        )
    keys.sort(reverse=_MERGEABLE_SORTS[sort])
    wanted = [pk for _moment, pk in keys[start : start + count]]
    loaded = {ticket.pk: ticket for ticket in unfiltered.filter(pk__in=wanted)}
    return [loaded[pk] for pk in wanted if pk in loaded]


def queue_counts(user: Any) -> dict[str, tuple[int, bool]]:
    """Open work per queue, each count stopping at ``QUEUE_COUNT_CAP`` (count, exact)."""
    counts: dict[str, tuple[int, bool]] = {}
    for queue in user_queues(user):
        tickets = queue_tickets(user, replace(queue, default_status=OPEN), TicketFilters())
        counted = tickets.order_by()[: QUEUE_COUNT_CAP + 1].count()
        counts[queue.key] = (min(counted, QUEUE_COUNT_CAP), counted <= QUEUE_COUNT_CAP)
    return counts
