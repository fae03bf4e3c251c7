"""``kefu seed --tickets N --customers M``: add synthetic volume for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kefu.demo.seeding import load_staff, seed_volume


class Command(BaseCommand):
    help = "Add synthetic customers and tickets (bulk, fast) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=10_000)
        parser.add_argument("--customers", type=int, default=0)
        parser.add_argument("--days", type=int, default=365, help="spread creation over N days")
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed for repeatable data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tickets, customers, days = options["tickets"], options["customers"], options["days"]
        if tickets < 0 or customers < 0 or days < 1:
            raise CommandError("--tickets and --customers must be ≥ 0 and --days ≥ 1")
        if tickets and not load_staff().teams:
            raise CommandError(
                "no teams yet: run `kefu demo` (or create teams) before seeding volume"
            )
        started = time.perf_counter()
        with (
            tqdm(total=customers, unit="customer", disable=None, desc="customers") as customer_bar,
            tqdm(total=tickets, unit="ticket", disable=None, desc="tickets") as ticket_bar,
        ):
            result = seed_volume(
                tickets=tickets,
                customers=customers,
                days=days,
                seed=options["seed"],
                progress=ticket_bar.update,
                customer_progress=customer_bar.update,
            )

        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"seeded {result['tickets']} tickets and {result['customers']} customers "
            f"in {elapsed:.1f} s"
        )
