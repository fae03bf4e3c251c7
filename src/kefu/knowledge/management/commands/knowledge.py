"""``kefu knowledge faq-import FILE --user NAME [--dry-run]`` and ``kefu knowledge faq-export
FILE``: FAQ entries from and to Excel (TEC-2, TEC-5; see :mod:`kefu.knowledge.faq_excel`).

The import runs as the named user (an FAQ editor, whose name goes into the audit trail). Each
problem is printed on standard error as ``row N, COLUMN: reason``; with any problem nothing is
written and the exit code is 2.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.knowledge.faq_excel import faq_export, faq_import


class Command(BaseCommand):
    help = "Knowledge base: import and export FAQ entries as Excel (TEC-2, TEC-5)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("faq-import", help="import FAQ entries from an xlsx file")
        imp.add_argument("file", help="path of the .xlsx file")
        imp.add_argument("--user", required=True, help="username the import is done as")
        imp.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        exp = sub.add_parser("faq-export", help="export every FAQ entry to an xlsx file")
        exp.add_argument("file", help="path of the .xlsx file to write")

    def _fail(self, action: str, message: str) -> None:
        self.stderr.write(f"kefu knowledge {action}: {message}")
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        path = options["file"]
        if action == "faq-export":
            data = faq_export()
            try:
                with open(path, "wb") as handle:
                    handle.write(data)
            except OSError as exc:
                self._fail(action, f"cannot write {path}: {exc.strerror or exc}")
            self.stdout.write(f"wrote {path}")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            self._fail(action, f"no user {options['user']}")
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            self._fail(action, f"cannot read {path}: {exc.strerror or exc}")
        try:
            result = faq_import(actor=user, data=raw, dry_run=options["dry_run"])
        except (InvalidInput, PermissionDenied) as exc:
            self._fail(action, str(exc))
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.reason}")
            self._fail(action, f"{len(result.errors)} error(s); nothing written")
        prefix = "dry run: would have " if result.dry_run else ""
        self.stdout.write(f"{prefix}created {result.created}, updated {result.updated}")
