"""``kefu keys generate``: print a new field-encryption key for KEFU_FIELD_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.config import new_field_key


class Command(BaseCommand):
    help = "Generate a key for KEFU_FIELD_KEYS (prepend it to rotate encryption)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate"])

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(new_field_key())
