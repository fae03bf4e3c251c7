"""``kefu worker``: the huey consumer that runs queued and periodic background tasks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background tasks (huey; SQLite task store in the data dir, or Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        store = "redis" if settings.KEFU.redis_url else settings.HUEY["filename"]
        self.stdout.write(f"kefu worker: {options['workers']} workers, task store {store}")
        listener = None
        if settings.KEFU_INBOUND_SMTP:
            from kefu.channels.email.listener import smtp_listener_start

            # Customer e-mail (docs/email.md): an SMTP listener beside the task consumer.
            listener = smtp_listener_start(settings.KEFU_INBOUND_SMTP)
            self.stdout.write(f"kefu worker: inbound SMTP on {listener.hostname}:{listener.port}")
        try:
            call_command("run_huey", workers=options["workers"], worker_type="thread")
        finally:
            if listener is not None:
                listener.stop()
