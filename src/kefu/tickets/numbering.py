"""Human-readable ticket numbers: local creation date plus a per-day sequence (20261127-000123)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction

from kefu.core.timeutils import local_date
from kefu.tickets.models import TicketNumberSequence


def format_ticket_number(day: dt.date, sequence: int) -> str:
    return f"{day:%Y%m%d}-{sequence:06d}"


def _increment(day: dt.date) -> int | None:
    table = connection.ops.quote_name(TicketNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        # One statement (SQLite >= 3.35 and PostgreSQL both support RETURNING).
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def ticket_number_next(moment: dt.datetime) -> str:
    """Take the next number of ``moment``'s local day; call inside a transaction.

    The UPDATE holds the day's row lock until commit, so concurrent creators queue and no
    number is issued twice. ``ticket_create`` normally takes the number in a transaction of
    its own (held for one statement), so a creation that fails afterwards leaves a gap;
    inside a caller's transaction it takes the number last and a rollback gives it back.
    """
    day = local_date(moment)
    last = _increment(day)
    if last is None:
        try:
            with transaction.atomic():
                TicketNumberSequence.objects.create(day=day, last=1)
            last = 1
        except IntegrityError:
            # Another creator inserted the day's row first; take the next number after theirs.
            last = _increment(day)
    assert last is not None
    return format_ticket_number(day, last)
