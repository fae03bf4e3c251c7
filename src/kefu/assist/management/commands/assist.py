"""``kefu assist eval|train`` (issue 8).

``kefu assist eval --task intent|faq|pairs --train TRAIN.tsv --test TEST.tsv`` trains the
assist text model for the task on TRAIN only, scores it on TEST and prints one JSON object
(see :mod:`kefu.assist.evaluation` and docs/assist.md). A bad file is reported on standard
error with exit code 2.

``kefu assist train [--no-embeddings]`` trains the ticket classifier (TEC-4) on the center's
resolved tickets and agents' decisions and prints the run as JSON (docs/classification.md);
exit code 0 when trained, 2 when skipped (too few tickets), 1 when it failed.
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
        tr = sub.add_parser("train", help="train the ticket classifier (TEC-4), print JSON")
        tr.add_argument(
            "--no-embeddings",
            action="store_true",
            help="TF-IDF features only, even when the sentence embeddings are installed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            self._train(no_embeddings=options["no_embeddings"])
            return
        try:
            result = evaluate_files(options["task"], options["train"], options["test"])
        except DatasetError as exc:
            self.stderr.write(f"kefu assist eval: {exc}")
            raise SystemExit(2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _train(self, *, no_embeddings: bool) -> None:
        from kefu.assist.classification_services import classifier_train
        from kefu.assist.models import ClassifierRunStatus

        run = classifier_train(embedding=None if no_embeddings else "auto")
        summary = {
            "version": run.version,
            "status": run.status,
            "message": run.message,
            "examples": run.examples,
            "corrections": run.corrections,
            "active": run.is_active,
            "seconds": round(run.seconds, 2),
            "category_accuracy": run.metrics.get("category", {}).get("accuracy"),
            "urgency_accuracy": run.metrics.get("urgency", {}).get("accuracy"),
            "holdout": run.metrics.get("holdout"),
            "artifact": run.artifact,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if run.status == ClassifierRunStatus.SKIPPED:
            raise SystemExit(2)
        if run.status == ClassifierRunStatus.FAILED:
            raise SystemExit(1)
