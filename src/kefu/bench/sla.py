"""``kefu bench sla``: finding due clocks among all, processing breaches, computing deadlines.

Runs in a fresh data store (see the bench command). N open tickets get the clocks the default
profile starts for them; one batch of clocks is made due now and swept.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction

from kefu.bench.core import analyze, percentile
from kefu.calendars.selectors import calendar_clock
from kefu.core.timeutils import now
from kefu.demo.bulk import BulkInserter, next_id, reset_sequences
from kefu.demo.seeding import seed_bulk_customers, seed_people, seed_tickets
from kefu.sla.models import Clock, ClockState
from kefu.sla.services import sla_due_clocks, sla_sweep
from kefu.standard.selectors import profile_current_version
from kefu.tickets.models import Ticket
from kefu.tickets.states import OPEN_STATUSES

FIRST_RESPONSE = {
    "urgent": ("first_response_urgent", 3600),
    "normal": ("first_response_normal", 4 * 3600),
    "consult": ("first_response_consult", 86400),
}


def _seed_clocks(due_now: int, rng: random.Random) -> int:
    """Give every open ticket its first-response and record clocks, a batch of them due now."""
    version = profile_current_version()
    titles = {m["key"]: (m["rule"], m["title"]) for m in version.document["milestones"]}
    inserter = BulkInserter(Clock)
    clock_id = next_id(Clock)
    moment = now()
    rows: list[dict[str, Any]] = []
    made = 0
    tickets = (
        Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", "urgency").order_by("pk")
    )
    for ticket_id, urgency in tickets.iterator(chunk_size=10_000):
        for key, seconds in (FIRST_RESPONSE[urgency], ("record_complete", 7200)):
            if made < due_now:
                started = moment - dt.timedelta(seconds=seconds + 60)  # already past due
            else:
                started = moment + dt.timedelta(minutes=rng.uniform(1, 600))  # due later
            due = started + dt.timedelta(seconds=seconds)
            rule, title = titles[key]
            rows.append(
                {
                    "id": clock_id,
                    "ticket_id": ticket_id,
                    "milestone": key,
                    "rule": rule,
                    "title": title,
                    "profile_version_id": version.pk,
                    "calendar": "24x7",
                    "target": f"{seconds // 60}m",
                    "cycle": 1,
                    "state": ClockState.RUNNING,
                    "started_at": started,
                    "counting_since": started,
                    "due_at": due,
                    "warn_at": started + dt.timedelta(seconds=seconds * 0.8),
                    "remaining_seconds": float(seconds),
                    "paused_at": None,
                    "paused_seconds": 0.0,
                    "stopped_at": None,
                    "met_at": None,
                    "warned_at": None,
                    "breached_at": None,
                    "escalation_level": 0,
                    "next_action_at": due
                    if made < due_now
                    else started + dt.timedelta(seconds=seconds * 0.8),
                    "version": 1,
                }
            )
            clock_id += 1
            made += 1
        if len(rows) >= 10_000:
            with transaction.atomic():
                inserter.insert(rows)
            rows.clear()
    with transaction.atomic():
        inserter.insert(rows)
        reset_sequences(Clock)
    return made


def run_sla_benchmark(
    *, open_tickets: int, due_now: int = 5000, due_samples: int = 100_000, seed: int = 11
) -> dict[str, Any]:
    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    staff, _ = seed_people(rng)
    customers = max(100, min(50_000, open_tickets // 20))
    seed_bulk_customers(rng, customers)
    started = time.perf_counter()
    seed_tickets(
        rng,
        count=open_tickets,
        days=2,
        staff=staff,
        customer_ids=list(range(1, customers + 1)),
        timeline=False,
    )
    Ticket.objects.exclude(status__in=OPEN_STATUSES).update(
        status="open", resolved_at=None, closed_at=None, cancelled_at=None
    )
    clocks = _seed_clocks(due_now, rng)
    seed_seconds = time.perf_counter() - started
    analyze()

    moment = now()
    find_ms = []
    for _ in range(50):
        began = time.perf_counter()
        with transaction.atomic():
            found = len(sla_due_clocks(moment, 500))

        find_ms.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    totals = sla_sweep(limit=500, moment=moment)
    sweep_seconds = time.perf_counter() - began

    clock = calendar_clock("office")
    base = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    starts = [
        base + dt.timedelta(minutes=rng.randrange(0, 340 * 24 * 60)) for _ in range(due_samples)
    ]
    seconds = [rng.choice((3600, 4 * 3600, 8 * 3600, 3 * 8 * 3600)) for _ in range(due_samples)]
    clock.add(starts[0], seconds[0])  # build the cumulative window once, as a running server has
    began = time.perf_counter()
    for start, duration in zip(starts, seconds, strict=True):
        clock.add(start, duration)
    due_calc_per_s = due_samples / (time.perf_counter() - began)

    return {
        "open_tickets": Ticket.objects.filter(status__in=OPEN_STATUSES).count(),
        "clocks": clocks,
        "database": connection.vendor,
        "sweep_find_ms": round(statistics.median(find_ms), 2),
        "sweep_find_p95_ms": round(percentile(find_ms, 0.95), 2),
        "found_per_batch": found,
        "breaches": totals["breaches"],
        "breaches_per_s": round(totals["breaches"] / sweep_seconds, 1),
        "due_calc_per_s": round(due_calc_per_s, 1),
        "seed_seconds": round(seed_seconds, 1),
    }
