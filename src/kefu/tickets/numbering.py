"""Human-readable ticket numbers: local creation date plus a per-day sequence (20261127-000123)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from kefu.core.timeutils import local_date
from kefu.tickets.models import TicketNumberSequence


def format_ticket_number(day: dt.date, sequence: int) -> str:
    return f"{day:%Y%m%d}-{sequence:06d}"


def ticket_number_next(moment: dt.datetime) -> str:
    """Take the next number of ``moment``'s local day; call inside the creating transaction.

    The UPDATE holds the day's row lock until commit, so concurrent creators queue and no
    number is issued twice; a rolled-back creation gives its number back.
    """
    day = local_date(moment)
    if not TicketNumberSequence.objects.filter(day=day).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                TicketNumberSequence.objects.create(day=day, last=1)
        except IntegrityError:
            # Another creator inserted the day's row first; take the next number after theirs.
            TicketNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
    last = TicketNumberSequence.objects.values_list("last", flat=True).get(day=day)
    return format_ticket_number(day, last)
