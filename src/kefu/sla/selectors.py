"""Reading clocks: a ticket's clocks with their live state."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.sla.models import Clock
from kefu.tickets.models import Ticket


def ticket_clocks(*, ticket: Ticket) -> QuerySet[Clock]:
    return Clock.objects.filter(ticket=ticket).order_by("started_at", "id")
