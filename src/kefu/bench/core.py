"""``kefu bench core``: ticket list, search and create timings on a freshly seeded center.

Runs inside a process whose settings point at a fresh data dir (and a fresh PostgreSQL
database when ``KEFU_DATABASE_URL`` was given); see ``kefu.core.management.commands.bench``.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.customers.identities import IdentityKind
from kefu.customers.models import CustomerIdentity
from kefu.demo.seeding import seed_bulk_customers, seed_people, seed_tickets
from kefu.tickets.models import Ticket
from kefu.tickets.services import ticket_create
from kefu.tickets.states import TicketStatus


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _timed(call: Any) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(
            f"benchmark request failed: {response.status_code} {response.content[:200]!r}"
        )
    return elapsed


def _create_tickets(count: int, customer_ids: list[int], seed: int) -> float:
    """Create ``count`` tickets through the service layer as one agent; returns the seconds."""
    rng = random.Random(seed)
    agent = User.objects.get(username="agent01")
    started = time.perf_counter()
    for index in range(count):
        ticket_create(
            actor=agent,
            subject=f"基准测试工单 {index}",
            category="consult.product",
            channel="phone",
            customer=rng.choice(customer_ids),
            description="客户咨询冰箱的保修政策。",
        )
    return time.perf_counter() - started


def _writer_process(
    work: Callable[..., Any], args: tuple[Any, ...], start: Any, results: Any
) -> None:
    connection.close()  # a forked child must open its own database connection
    start.wait()
    results.put(work(*args))
    connection.close()


def run_writers(work: Callable[..., Any], args_per_writer: list[tuple[Any, ...]]) -> float:
    """Run ``work(*args)`` in one forked process per argument tuple, all let go at the same
    moment (a server's workers writing at once); returns the seconds until the last finished."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    connection.close()
    processes = [
        context.Process(target=_writer_process, args=(work, args, start, results))
        for args in args_per_writer
    ]
    for process in processes:
        process.start()
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("a benchmark writer failed")
    for _ in processes:
        results.get()
    return elapsed


def _create_concurrently(writers: int, creates: int, customer_ids: list[int], seed: int) -> float:
    """Aggregate creation throughput of ``writers`` processes writing at once (a server's workers)."""
    share = creates // writers
    elapsed = run_writers(
        _create_tickets, [(share, customer_ids, seed + index) for index in range(writers)]
    )
    return share * writers / elapsed


def analyze() -> None:

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # VACUUM also sets the visibility map, which index-only counts rely on.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def run_core_benchmark(
    *,
    tickets: int,
    customers: int,
    samples: int = 200,
    creates: int = 1000,
    seed: int = 7,
    writers: int = 4,
) -> dict[str, Any]:
    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    staff, _ = seed_people(rng)
    seed_bulk_customers(rng, customers)
    customer_ids = list(range(1, customers + 1))
    seed_tickets(
        rng, count=tickets, days=365, staff=staff, customer_ids=customer_ids, timeline=False
    )
    seed_seconds = time.perf_counter() - started
    analyze()

    manager = User.objects.get(username="admin")
    _, key = api_token_create(actor=None, user=manager, name="benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    team_ids = [team.pk for team in staff.teams]
    statuses = [
        TicketStatus.OPEN,
        TicketStatus.NEW,
        TicketStatus.CLOSED,
        TicketStatus.PENDING_CUSTOMER,
    ]

    # Warm up connections and caches the way a running server would be warm.
    for _ in range(5):
        client.get(f"/api/v1/tickets?team_id={team_ids[0]}&status=open&sort=-updated_at")
    list_ms = [
        _timed(
            lambda: client.get(
                f"/api/v1/tickets?team_id={rng.choice(team_ids)}&status={rng.choice(statuses)}"
                "&sort=-updated_at&page_size=50"
            )
        )
        for _ in range(samples)
    ]
    top_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    numbers = [
        number
        for number in (
            Ticket.objects.filter(pk=rng.randint(1, top_id))
            .values_list("number", flat=True)
            .first()
            for _ in range(samples)
        )
        if number
    ]
    number_ms = [
        _timed(lambda number=number: client.get(f"/api/v1/tickets/{number}")) for number in numbers
    ]
    phone_ids = list(
        CustomerIdentity.objects.filter(kind=IdentityKind.PHONE).values_list("pk", flat=True)[
            : max(samples * 20, 1)
        ]
    )
    phones = [
        identity.value
        for identity in CustomerIdentity.objects.filter(
            pk__in=rng.sample(phone_ids, min(samples, len(phone_ids)))
        )
    ]
    phone_ms = [
        _timed(lambda phone=phone: client.get(f"/api/v1/customers?q={phone}")) for phone in phones
    ]

    seeded = Ticket.objects.count()
    create_single_per_s = creates / _create_tickets(creates, customer_ids, seed)
    if writers > 1:
        create_per_s = _create_concurrently(writers, creates, customer_ids, seed)
    else:
        create_per_s = create_single_per_s

    search_ms = number_ms + phone_ms
    return {
        "tickets": seeded,
        "customers": customers,
        "database": connection.vendor,
        "list_p50_ms": round(statistics.median(list_ms), 2),
        "list_p95_ms": round(percentile(list_ms, 0.95), 2),
        "search_p95_ms": round(percentile(search_ms, 0.95), 2),
        "search_number_p95_ms": round(percentile(number_ms, 0.95), 2),
        "search_phone_p95_ms": round(percentile(phone_ms, 0.95), 2),
        "create_per_s": round(create_per_s, 1),
        "create_writers": writers,
        "create_single_writer_per_s": round(create_single_per_s, 1),
        "seed_seconds": round(seed_seconds, 1),
        "samples": samples,
    }
