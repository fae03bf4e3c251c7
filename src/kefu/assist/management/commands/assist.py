"""``kefu assist eval --task intent|faq|pairs --train TRAIN.tsv --test TEST.tsv`` (issue 8).

Trains the assist text model for the task on TRAIN only, scores it on TEST and prints one
JSON object (see :mod:`kefu.assist.evaluation` and docs/assist.md). A bad file is reported
on standard error with exit code 2.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.assist.evaluation import TASKS, DatasetError, evaluate_files


class Command(BaseCommand):
    help = "Agent assist text models: `kefu assist eval` measures them on TSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("eval", help="train on TRAIN, score on TEST, print JSON")
        ev.add_argument("--task", required=True, help=f"one of {', '.join(TASKS)}")
        ev.add_argument("--train", required=True, help="TSV with a header row")
        ev.add_argument("--test", required=True, help="TSV with a header row")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = evaluate_files(options["task"], options["train"], options["test"])
        except DatasetError as exc:
            self.stderr.write(f"kefu assist eval: {exc}")
            raise SystemExit(2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
