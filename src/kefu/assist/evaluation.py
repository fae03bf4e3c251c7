"""Offline evaluation of the assist text models on TSV files (``kefu assist eval``, issue 8).

TSV with a header row, UTF-8, tab-separated, no quoting: ``text`` and ``label`` for the intent
and FAQ tasks (label ``oos`` = out of scope), ``text_a``, ``text_b`` and ``label`` (1 = same
meaning, 0 = not) for pairs. Training uses the train file only.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kefu.assist.text_classifier import OOS, FaqMatcher, IntentClassifier, PairClassifier

TASKS: dict[str, tuple[str, ...]] = {
    "intent": ("text", "label"),
    "faq": ("text", "label"),
    "pairs": ("text_a", "text_b", "label"),
}
LATENCY_QUERIES = 300


class DatasetError(ValueError):
    """A TSV file that cannot be used (missing, empty, a column missing, a bad label)."""


def read_tsv(path: str | Path, task: str) -> list[dict[str, str]]:
    if task not in TASKS:
        raise DatasetError(f"unknown task {task!r} (choose from {', '.join(TASKS)})")
    columns = TASKS[task]
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise DatasetError(f"{path}: the file is empty")
            header = [h.strip() for h in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}")
            index = [header.index(c) for c in columns]
            rows = []
            for number, fields in enumerate(reader, start=2):
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) <= max(index):
                    raise DatasetError(f"{path}: line {number} has too few fields")
                rows.append({c: fields[i].strip() for c, i in zip(columns, index, strict=True)})
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None
    if not rows:
        raise DatasetError(f"{path}: no data rows")
    if task == "pairs" and any(r["label"] not in ("0", "1") for r in rows):
        raise DatasetError(f"{path}: pair labels must be 0 or 1")
    return rows


def _p95_ms(predict_one: Callable[[Any], object], queries: Sequence[Any]) -> float:
    timings = []
    for query in queries[:LATENCY_QUERIES]:
        start = time.perf_counter()
        predict_one(query)
        timings.append((time.perf_counter() - start) * 1000)
    return round(float(np.percentile(timings, 95)), 2) if timings else 0.0


def evaluate(task: str, train: list[dict[str, str]], test: list[dict[str, str]]) -> dict[str, Any]:
    """Train on ``train``, score on ``test``; one JSON-ready dict."""
    result: dict[str, Any] = {"task": task, "n_train": len(train), "n": len(test)}
    if task == "pairs":
        pairs = [(r["text_a"], r["text_b"]) for r in train]
        test_pairs = [(r["text_a"], r["text_b"]) for r in test]
        y_test = np.asarray([int(r["label"]) for r in test])
        start = time.perf_counter()
        pair_model = PairClassifier().fit(pairs, [int(r["label"]) for r in train])
        result["train_seconds"] = round(time.perf_counter() - start, 2)
        result["accuracy"] = round(float((pair_model.predict(test_pairs) == y_test).mean()), 4)
        result["p95_ms"] = _p95_ms(lambda p: pair_model.predict([p]), test_pairs)
        result["embeddings"] = pair_model.uses_embeddings
        return result
    texts = [r["text"] for r in train]
    labels = [r["label"] for r in train]
    test_texts = [r["text"] for r in test]
    truth = np.asarray([r["label"] for r in test], dtype=object)
    start = time.perf_counter()
    if task == "intent":
        intent = IntentClassifier().fit(texts, labels)
        result["train_seconds"] = round(time.perf_counter() - start, 2)
        predicted = np.asarray([p.label for p in intent.predict(test_texts)], dtype=object)
        result["accuracy"] = round(float((predicted == truth).mean()), 4)
        result["p95_ms"] = _p95_ms(lambda t: intent.predict([t]), test_texts)
        result["embeddings"] = intent.uses_embeddings
        return result
    if task != "faq":
        raise DatasetError(f"unknown task {task!r} (choose from {', '.join(TASKS)})")
    faq = FaqMatcher().fit(texts, labels)
    result["train_seconds"] = round(time.perf_counter() - start, 2)
    predicted = np.asarray([p.label for p in faq.predict(test_texts)], dtype=object)
    inscope = truth != OOS
    answered = predicted != OOS
    result["accuracy_in_scope"] = (
        round(float((predicted[inscope] == truth[inscope]).mean()), 4) if inscope.any() else None
    )
    result["oos_recall"] = (
        round(float((~answered[~inscope]).mean()), 4) if (~inscope).any() else None
    )
    result["answered_precision"] = (
        round(float((predicted[answered] == truth[answered]).mean()), 4) if answered.any() else None
    )
    result["threshold"] = round(faq.threshold, 4)
    result["p95_ms"] = _p95_ms(lambda t: faq.predict([t]), test_texts)
    result["embeddings"] = faq.backend is not None
    return result


def evaluate_files(task: str, train_path: str | Path, test_path: str | Path) -> dict[str, Any]:
    train = read_tsv(train_path, task)
    test = read_tsv(test_path, task)
    try:
        return evaluate(task, train, test)
    except ValueError as exc:  # e.g. a single label in the train file
        raise DatasetError(f"{train_path}: {exc}") from None
