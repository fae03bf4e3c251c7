"""``kefu bench web``: server-side render times of the queue page and the ticket page.

Seeds a center of ``tickets`` tickets (the most recent 20,000 with full timelines), then
renders pages through the whole Django stack (middleware, session login, templates) as an
agent, a team lead and a manager would open them, and reports p50/p95 per page.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client

from kefu.accounts.models import User
from kefu.bench.core import analyze, percentile
from kefu.demo.seeding import seed_bulk_customers, seed_people, seed_tickets
from kefu.tickets.models import Ticket

WITH_TIMELINE = 20_000
QUEUE_FILTERS = [
    "",
    "?urgency=urgent",
    "?status=open",
    "?sort=-created_at",
    "?channel=phone",
    "?priority=A",
    "?page=3",
]


def _render(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"benchmark page failed: {url} → {response.status_code}")
    return elapsed


def run_web_benchmark(
    *, tickets: int, customers: int, samples: int = 200, seed: int = 11
) -> dict[str, Any]:
    rng = random.Random(seed)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    staff, _ = seed_people(rng)
    seed_bulk_customers(rng, customers)
    customer_ids = list(range(1, customers + 1))
    bulk = max(0, tickets - WITH_TIMELINE)
    if bulk:
        seed_tickets(
            rng, count=bulk, days=365, staff=staff, customer_ids=customer_ids, timeline=False
        )
    seed_tickets(
        rng,
        count=tickets - bulk,
        days=14,
        staff=staff,
        customer_ids=customer_ids,
        timeline=True,
    )
    seed_seconds = time.perf_counter() - started
    analyze()

    viewers = [
        User.objects.get(username="agent01"),
        User.objects.filter(groups__name="team_lead").order_by("pk")[0],
        User.objects.get(username="admin"),
    ]
    clients = []
    for viewer in viewers:
        client = Client()
        client.force_login(viewer)
        queues = (
            ["mine", "team", "unassigned"] if viewer.username != "admin" else ["all", "unassigned"]
        )
        clients.append((client, viewer, queues))
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    recent = list(
        Ticket.objects.filter(pk__gt=top - WITH_TIMELINE).values_list("number", "team_id")
    )

    # Warm up: templates compiled, caches filled, as on a running server.
    for client, _viewer, queues in clients:
        for queue in queues:
            client.get(f"/queues/{queue}/")
    queue_ms: list[float] = []
    ticket_ms: list[float] = []
    for _ in range(samples):
        client, viewer, queues = rng.choice(clients)
        queue_ms.append(
            _render(client, f"/queues/{rng.choice(queues)}/{rng.choice(QUEUE_FILTERS)}")
        )
        # A ticket the viewer may open: own team's for agents and leads, any for the manager.
        while True:
            number, team_id = rng.choice(recent)
            if viewer.username == "admin" or team_id == viewer.team_id:
                break
        ticket_ms.append(_render(client, f"/tickets/{number}/"))
    return {
        "tickets": Ticket.objects.count(),
        "customers": customers,
        "database": connection.vendor,
        "queue_p50_ms": round(statistics.median(queue_ms), 2),
        "queue_p95_ms": round(percentile(queue_ms, 0.95), 2),
        "ticket_p50_ms": round(statistics.median(ticket_ms), 2),
        "ticket_p95_ms": round(percentile(ticket_ms, 0.95), 2),
        "seed_seconds": round(seed_seconds, 1),
        "samples": samples,
    }
