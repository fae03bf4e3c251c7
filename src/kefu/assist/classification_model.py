"""The ticket classifier itself (TEC-4): two text models, their held-out metrics, the artifact.

:class:`TicketClassifier` holds one :class:`~kefu.assist.text_classifier.IntentClassifier` for
the category (labels: category ids as strings) and, when the examples carry at least two
urgencies, one for the urgency. :func:`classifier_fit` measures both on a stratified held-out
part of the examples, then retrains them on all of them.

Confidence: the text models answer a one-vs-rest decision value, not a probability. A
one-variable logistic fit on the held-out part (decision value → was the answer right) turns it
into the share of suggestions with that value that were right ("87 %"). When the held-out part
is all right or all wrong there is nothing to fit and a fixed slope is used instead.

Nothing here touches the database; :mod:`kefu.assist.classification_services` does.
"""

from __future__ import annotations

import math
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from kefu.assist.embeddings import CachedEmbeddings, default_backend
from kefu.assist.text_classifier import EmbeddingChoice, IntentClassifier

HOLDOUT_SHARE = 0.2
# Fixed logistic slope/intercept when the held-out part cannot be fitted (all right or wrong).
DEFAULT_SCALE = (3.0, 0.0)
# How many confusion pairs the metrics keep per model.
CONFUSION_KEEP = 10
ARTIFACT_FORMAT = 1


class ModelUnavailable(Exception):
    """The artifact cannot be used here (missing file, other format, embeddings missing)."""


@dataclass(frozen=True)
class Example:
    """One training row: the customer's text and the labels an agent settled on."""

    text: str
    category: str  # the category id, as text
    urgency: str
    source: str = "ticket"  # ticket | suggestion


@dataclass(frozen=True)
class Suggested:
    category: str
    category_confidence: float
    urgency: str
    urgency_confidence: float


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    z = math.exp(value)
    return z / (1.0 + z)


@dataclass
class TicketClassifier:
    """The trained bundle stored as the run's artifact (pickled, without the embedding model)."""

    category: IntentClassifier
    urgency: IntentClassifier | None
    urgency_fallback: str
    category_scale: tuple[float, float] = DEFAULT_SCALE
    urgency_scale: tuple[float, float] = DEFAULT_SCALE
    embedding: str | None = None
    format: int = ARTIFACT_FORMAT
    labels: dict[str, list[str]] = field(default_factory=dict)

    def attach_embeddings(self) -> None:
        """Put the process's embedding backend back after loading (it is never pickled)."""
        if self.embedding is None:
            return
        backend = default_backend()
        if backend is None or backend.name != self.embedding:
            raise ModelUnavailable(
                f"the model was trained with the {self.embedding} embeddings, which are not "
                "installed here; train again"
            )
        for model in (self.category, self.urgency):
            if model is not None:
                model.features.backend = backend

    def detach_embeddings(self) -> None:
        for model in (self.category, self.urgency):
            if model is not None:
                model.features.backend = None

    def suggest(self, texts: Sequence[str]) -> list[Suggested]:
        categories, category_scores = self.category.decision(texts)
        if self.urgency is not None:
            urgencies, urgency_scores = self.urgency.decision(texts)
        else:
            urgencies = np.asarray([self.urgency_fallback] * len(texts), dtype=object)
            urgency_scores = np.full(len(texts), math.inf)
        a, b = self.category_scale
        ua, ub = self.urgency_scale
        return [
            Suggested(
                category=str(cat),
                category_confidence=_sigmoid(a * float(cs) + b),
                urgency=str(urg),
                urgency_confidence=1.0 if math.isinf(us) else _sigmoid(ua * float(us) + ub),
            )
            for cat, cs, urg, us in zip(
                categories, category_scores, urgencies, urgency_scores, strict=True
            )
        ]


def stratified_holdout(
    labels: Sequence[str], *, share: float = HOLDOUT_SHARE, seed: int = 0
) -> tuple[list[int], list[int]]:
    """(train indices, held-out indices): about ``share`` of every label held out, at least one
    of each label with two or more rows, and always at least one of each label left to train."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    train: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        rows = list(rng.permutation(by_label[label]))
        take = min(max(1, round(len(rows) * share)), len(rows) - 1)
        held += [int(i) for i in rows[:take]]
        train += [int(i) for i in rows[take:]]
    return sorted(train), sorted(held)


def label_metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy overall and per true label, and the most frequent confusions."""
    per: dict[str, dict[str, float]] = {}
    for label in sorted(set(truth)):
        rows = [p == t for t, p in zip(truth, predicted, strict=True) if t == label]
        per[label] = {"n": len(rows), "correct": sum(rows), "accuracy": sum(rows) / len(rows)}
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    right = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return {
        "n": len(truth),
        "accuracy": right / len(truth) if truth else 0.0,
        "per_label": per,
        "confusion": [
            {"true": t, "predicted": p, "n": n}
            for (t, p), n in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))[
                :CONFUSION_KEEP
            ]
        ],
    }


def _scale(scores: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Logistic fit of 'right' on the decision value; the fixed scale without both outcomes."""
    if right.all() or not right.any():
        return DEFAULT_SCALE
    fit = LogisticRegression(C=1.0).fit(scores.reshape(-1, 1), right.astype(int))
    slope = float(fit.coef_[0][0])
    if slope <= 0:  # a higher decision value must never mean less confidence
        return DEFAULT_SCALE
    return slope, float(fit.intercept_[0])


def _usable(labels: Sequence[str]) -> bool:
    return len(set(labels)) >= 2


def classifier_fit(
    examples: Sequence[Example], *, embedding: EmbeddingChoice = "auto", seed: int = 0
) -> tuple[TicketClassifier, dict[str, Any]]:
    """Measure on a held-out part, then train on everything; (classifier, metrics).

    The caller has already checked that every category has two or more examples and that
    there are at least two categories.
    """
    texts = [e.text for e in examples]
    categories = [e.category for e in examples]
    urgencies = [e.urgency for e in examples]
    backend = default_backend() if embedding == "auto" else embedding
    shared = CachedEmbeddings(backend) if backend is not None and backend.available() else None

    def model() -> IntentClassifier:
        return IntentClassifier(embedding=shared)

    train, held = stratified_holdout(categories, seed=seed)
    train_texts = [texts[i] for i in train]
    held_texts = [texts[i] for i in held]
    metrics: dict[str, Any] = {"holdout": len(held), "train": len(train)}

    cat_model = model().fit(train_texts, [categories[i] for i in train])
    cat_pred, cat_scores = cat_model.decision(held_texts)
    cat_truth = [categories[i] for i in held]
    metrics["category"] = label_metrics(cat_truth, [str(p) for p in cat_pred])
    category_scale = _scale(np.asarray(cat_scores, dtype=float), cat_pred == np.asarray(cat_truth))

    urgency_scale = DEFAULT_SCALE
    urg_train = [urgencies[i] for i in train]
    if _usable(urg_train):
        urg_model = model().fit(train_texts, urg_train)
        urg_pred, urg_scores = urg_model.decision(held_texts)
        urg_truth = [urgencies[i] for i in held]
        metrics["urgency"] = label_metrics(urg_truth, [str(p) for p in urg_pred])
        urgency_scale = _scale(
            np.asarray(urg_scores, dtype=float), urg_pred == np.asarray(urg_truth)
        )

    final_urgency: IntentClassifier | None = None
    if _usable(urgencies):
        final_urgency = model().fit(texts, urgencies)
    classifier = TicketClassifier(
        category=model().fit(texts, categories),
        urgency=final_urgency,
        urgency_fallback=Counter(urgencies).most_common(1)[0][0],
        category_scale=category_scale,
        urgency_scale=urgency_scale,
        embedding=backend.name if shared is not None and backend is not None else None,
        labels={"category": sorted(set(categories)), "urgency": sorted(set(urgencies))},
    )
    classifier.detach_embeddings()
    metrics["embedding"] = classifier.embedding
    return classifier, metrics


def artifact_write(classifier: TicketClassifier, path: Path) -> None:
    """Pickle atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    classifier.detach_embeddings()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".classifier-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(classifier, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def artifact_read(path: Path) -> TicketClassifier:
    """The classifier stored at ``path`` (written by this module only: kefu's own data dir)."""
    try:
        with path.open("rb") as source:
            # Only kefu writes this folder of its own data directory.
            classifier = pickle.load(source)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise ModelUnavailable(f"cannot read the model {path.name}: {exc}") from None
    if not isinstance(classifier, TicketClassifier) or classifier.format != ARTIFACT_FORMAT:
        raise ModelUnavailable(f"{path.name} is not a classifier of this kefu version")
    classifier.attach_embeddings()
    return classifier
