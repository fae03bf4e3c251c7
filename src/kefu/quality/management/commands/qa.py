"""``kefu qa check FILE|-``: the automatic quality check of one transcript, printed as JSON;
``kefu qa sample``: run sampling plans now (:mod:`kefu.quality.sampling_command`, QA-2).

The transcript is ``{"channel", "language", "segments": [{"speaker", "start", "end", "text"}]}``
(see docs/quality.md). Bad JSON or a bad shape is reported on standard error with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from kefu.quality.engine import (
    RuleSet,
    TranscriptError,
    check_transcript,
    default_rule_set,
    transcript_from_data,
)
from kefu.quality.sampling_command import add_sample_parser, handle_sample
from kefu.quality.services import rules_in_force


class Command(BaseCommand):
    help = "Quality inspection: check a transcript against the quality rules (QA-3, SCR-2)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check_parser = sub.add_parser("check", help="check one transcript (JSON)")
        check_parser.add_argument("file", help="path of the transcript, or - for standard input")
        check_parser.add_argument("--indent", type=int, default=None, help="pretty-print")
        add_sample_parser(sub)

    def _fail(self, message: str) -> None:
        self.stderr.write(f"kefu qa check: {message}")
        raise SystemExit(2)

    def _rules(self) -> RuleSet:
        """The rules of the standard profile in force; the defaults on a data directory whose
        database is not set up yet (a check needs no database otherwise)."""
        try:
            return rules_in_force().rule_set
        except DatabaseError:
            return default_rule_set()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sample":
            try:
                self.stdout.write(handle_sample(options))
            except argparse.ArgumentTypeError as exc:
                self.stderr.write(f"kefu qa sample: {exc}")
                raise SystemExit(2) from None
            return
        path = options["file"]
        try:
            if path == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            self._fail(f"cannot read {path}: {exc.strerror or exc}")
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            self._fail("the transcript is not UTF-8 text")
        except json.JSONDecodeError as exc:
            self._fail(f"not JSON: {exc}")
        try:
            transcript = transcript_from_data(data)
        except TranscriptError as exc:
            self._fail(f"invalid transcript: {exc}")
        result = check_transcript(transcript, self._rules())
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=options["indent"]))
