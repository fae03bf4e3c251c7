"""Two workers sweeping at once never act on the same clock twice (PostgreSQL SKIP LOCKED)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from kefu.sla.models import Clock, ClockEvent
from kefu.sla.services import sla_sweep
from kefu.tests_support.factories import make_ticket


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_split_the_due_clocks(agent, customer):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
    for _ in range(12):
        make_ticket(
            actor=agent,
            customer=customer,
            urgency="urgent",
            handling_class="instant",
            assignee=agent,
        )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    due = Clock.objects.filter(next_action_at__lte=later).count()
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            results.append(sla_sweep(limit=3, moment=later))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result["breaches"] for result in results) == due
    assert ClockEvent.objects.filter(kind="breach").count() == due
    assert not Clock.objects.filter(next_action_at__lte=later).exists()
