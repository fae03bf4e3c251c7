"""``kefu bench core|web --tickets N`` and ``kefu bench sla --open-tickets N``, in a fresh store.

The measuring run happens in a child process whose environment points at a new temporary data
dir and, when ``KEFU_DATABASE_URL`` is set, at a new PostgreSQL database created for the run
and dropped afterwards. One JSON object is printed on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(
        _with_database(url, "postgres").replace("postgresql+psycopg", "postgresql"), autocommit=True
    ) as conn:
        conn.execute(statement)


class Command(BaseCommand):
    help = (
        "Benchmarks: `kefu bench core|web --tickets N`, `kefu bench sla`, `kefu bench channels`, "
        "`kefu bench qa`, `kefu bench assist`, `kefu bench faq-scale` print one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "suite", choices=["core", "sla", "web", "channels", "qa", "assist", "faq-scale"]
        )
        parser.add_argument("--tickets", type=int, default=100_000, help="core: tickets to seed")
        parser.add_argument(
            "--open-tickets", type=int, default=100_000, help="sla: open tickets to seed"
        )
        parser.add_argument(
            "--customers", type=int, default=None, help="default: tickets / 10, at most 100,000"
        )
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--calls", type=int, default=400, help="channels: CTI calls to post")
        parser.add_argument("--mails", type=int, default=500, help="channels: mails to receive")
        parser.add_argument(
            "--chat-messages", type=int, default=100, help="channels: chat messages to time"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the data dir / database afterwards"
        )
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["suite"] == "qa":  # no data store: the labelled set ships in the package
            from kefu.bench.qa import run_qa_benchmark

            self.stdout.write(json.dumps(run_qa_benchmark(), ensure_ascii=False))
            return
        if options["suite"] == "assist":  # no data store: public corpora from ../shared/data
            from kefu.bench.assist import run_assist_benchmark

            self.stdout.write(json.dumps(run_assist_benchmark(), ensure_ascii=False))
            return
        if options["suite"] == "faq-scale":  # 10,000 FAQs built from ../shared/data
            from kefu.bench.faq_scale import run_faq_scale_benchmark

            self.stdout.write(json.dumps(run_faq_scale_benchmark(), ensure_ascii=False))
            return
        tickets = options["tickets"]
        if tickets < 1 or options["open_tickets"] < 1:
            raise CommandError("--tickets and --open-tickets must be at least 1")
        customers = options["customers"] or max(100, min(100_000, tickets // 10))
        if options["inner"]:
            if options["suite"] == "channels":
                from kefu.bench.channels import run_channels_benchmark

                result = run_channels_benchmark(
                    calls=options["calls"],
                    mails=options["mails"],
                    chat_messages=options["chat_messages"],
                )
            elif options["suite"] == "sla":
                from kefu.bench.sla import run_sla_benchmark

                result = run_sla_benchmark(open_tickets=options["open_tickets"])
            elif options["suite"] == "web":
                from kefu.bench.web import run_web_benchmark

                result = run_web_benchmark(
                    tickets=tickets, customers=customers, samples=options["samples"]
                )
            else:
                from kefu.bench.core import run_core_benchmark

                result = run_core_benchmark(
                    tickets=tickets, customers=customers, samples=options["samples"]
                )
            self.stdout.write(json.dumps(result))
            return
        self._run_fresh(tickets, customers, options)

    def _run_fresh(self, tickets: int, customers: int, options: dict[str, Any]) -> None:
        data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
        env = os.environ.copy()
        env["KEFU_DATA_DIR"] = str(data_dir)
        env.pop("KEFU_SECRET_KEY", None)
        env.pop("KEFU_FIELD_KEYS", None)
        env["KEFU_ENV"] = "development"
        database_url = os.environ.get("KEFU_DATABASE_URL", "").strip()
        fresh_db = None
        if database_url:
            fresh_db = f"kefu_bench_{int(time.time())}_{os.getpid()}"
            _admin_sql(database_url, f'CREATE DATABASE "{fresh_db}"')
            env["KEFU_DATABASE_URL"] = _with_database(database_url, fresh_db)
        command = [
            sys.executable,
            "-m",
            "kefu",
            "bench",
            options["suite"],
            "--inner",
            "--tickets",
            str(tickets),
            "--open-tickets",
            str(options["open_tickets"]),
            "--customers",
            str(customers),
            "--samples",
            str(options["samples"]),
            "--calls",
            str(options["calls"]),
            "--mails",
            str(options["mails"]),
            "--chat-messages",
            str(options["chat_messages"]),
        ]

        try:
            completed = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False
            )
        finally:
            if not options["keep"]:
                if fresh_db:
                    _admin_sql(database_url, f'DROP DATABASE IF EXISTS "{fresh_db}" WITH (FORCE)')
                shutil.rmtree(data_dir, ignore_errors=True)
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr[-4000:])
            raise CommandError("the benchmark run failed")
        self.stdout.write(completed.stdout.strip().splitlines()[-1])
