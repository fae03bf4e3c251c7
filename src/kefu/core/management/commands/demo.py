"""``kefu demo``: migrate, seed a demo center once, then serve the web app and the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from kefu.demo.seeding import (
    DEMO_PASSWORD,
    demo_center_exists,
    demo_logins_by_role,
    seed_demo_center,
)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = "Run a demo contact center: migrate, seed once, serve web + worker, print logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the demo data and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"kefu demo: data directory {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_center_exists():
            self.stdout.write("demo center already seeded; reusing it")
        else:
            self.stdout.write("seeding the demo center (once)…")
            with tqdm(total=5000, unit="ticket", disable=None, desc="tickets") as bar:
                seed_demo_center(progress=bar.update)
        self._print_logins(options["host"], options["port"])
        if options["no_serve"]:
            return
        # Links in messages to customers (portal codes) must point at this demo.
        base = f"http://{self._shown(options['host'])}:{options['port']}"
        if not settings.KEFU_PORTAL_BASE_URL:
            settings.KEFU_PORTAL_BASE_URL = base
        environment = {"KEFU_PORTAL_BASE_URL": settings.KEFU_PORTAL_BASE_URL, **os.environ}
        worker = subprocess.Popen([sys.executable, "-m", "kefu", "worker"], env=environment)
        # The server re-raises a SIGTERM it caught once it has shut down; with the default
        # handler that would end this process at once and leave the worker running, so a
        # SIGTERM becomes SystemExit here and the worker is stopped below.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            call_command("serve", host=options["host"], port=options["port"])
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    @staticmethod
    def _shown(host: str) -> str:
        return "127.0.0.1" if host in ("0.0.0.0", "::") else host

    def _print_logins(self, host: str, port: int) -> None:
        shown_host = self._shown(host)
        self.stdout.write("")
        self.stdout.write(f"kefu demo center: http://{shown_host}:{port}/")
        self.stdout.write(f"  API docs:      http://{shown_host}:{port}/api/v1/docs")
        self.stdout.write(f"  configuration: http://{shown_host}:{port}/admin/")
        self.stdout.write(f"  customer portal: http://{shown_host}:{port}/portal/")
        self.stdout.write(
            f"  web chat as a customer: http://{shown_host}:{port}/chat/preview/demo/"
            " (answered at /chat/console/ by the agents of 二组（在线）)"
        )
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for role, usernames in demo_logins_by_role():
            self.stdout.write(f"  {role:<22} {', '.join(usernames)}")
        self.stdout.write("")
