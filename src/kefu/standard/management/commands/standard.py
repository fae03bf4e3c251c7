"""``kefu standard``: review the service standard like code.

kefu standard export [--version N] [--output FILE]
kefu standard import FILE [--note TEXT]
kefu standard rules
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.core.errors import KefuError
from kefu.standard.selectors import (
    DEFAULT_PROFILE,
    profile_current_version,
    profile_get,
    profile_version_get,
    profile_yaml,
    standard_rule_rows,
)
from kefu.standard.services import profile_import_yaml


class Command(BaseCommand):
    help = "Export, import and list the standard profile (YAML; every import is a new version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", default=DEFAULT_PROFILE)
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print a version as YAML")
        export.add_argument("--version", type=int, default=None, help="default: the one in force")
        export.add_argument("--output", default=None, help="write to this file instead of stdout")
        imported = sub.add_parser(
            "import", help="validate a YAML file and save it as a new version"
        )
        imported.add_argument("file")
        imported.add_argument("--note", default="")
        sub.add_parser("rules", help="list every rule, its value and where kefu enforces it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"])(options)
        except KefuError as exc:
            raise CommandError(exc.message) from None

    def _export(self, options: dict[str, Any]) -> None:
        name = options["profile"]
        version = (
            profile_version_get(name, options["version"])
            if options["version"]
            else profile_current_version(name)
        )
        text = profile_yaml(version)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {name} version {version.number} to {options['output']}")
        else:
            self.stdout.write(text, ending="")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        profile = profile_get(options["profile"])
        version = profile_import_yaml(
            actor=None, profile=profile, text=path.read_text(encoding="utf-8"), note=options["note"]
        )
        self.stdout.write(f"saved {profile.name} version {version.number}; it is now in force")

    def _rules(self, options: dict[str, Any]) -> None:
        version = profile_current_version(options["profile"])
        self.stdout.write(f"{version.profile.name} version {version.number}")
        for row in standard_rule_rows(version):
            self.stdout.write(
                f"{row['rule']:<7} {row['key']:<38} {row['value']!s:<22} {row['title']}  [{row['enforced_by']}]"
            )
