"""The ``kefu`` console script: Django's management commands with kefu's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    from kefu.config import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kefu", *(sys.argv[1:] if argv is None else argv)])
    except ConfigurationError as exc:
        print(f"kefu: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
