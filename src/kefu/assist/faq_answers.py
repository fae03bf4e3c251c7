"""Which FAQ entry answers a customer's question (TEC-2), for the FAQ bot and agent assist.

The one entry point is :func:`answer_question`: it ranks the active FAQ entries usable on a
channel and says what the bot should do:

* ``answer`` — the best entry is confident enough to be given as the answer;
* ``choices`` — not sure: offer the best (up to three) entries to choose from;
* ``out_of_scope`` — nothing close: hand off to a person instead of answering wrongly.

:func:`faq_matches` gives the ranked entries without a decision (agent assist shows them all).

**Model.** A :class:`kefu.assist.text_classifier.FaqMatcher` trained on the active entries
(each entry one label; its standard question and similar questions 相似问法 the examples;
USE embeddings when the optional package is installed): a one-vs-rest SVM up to 300 entries,
nearest-neighbour retrieval above. Two thresholds on its score, chosen by 3-fold
cross-validation on the FAQ set itself, with 20 % of the entries held out of each fold entirely
so that their questions play "out of scope":

* answer: the matcher's threshold — best cross-validated accuracy while at least
  ``ANSWER_OOS_RECALL`` (80 %) of the held-out entries' questions are not answered;
* choices: the threshold that keeps the right entry among the offered three for the most
  questions while at least ``CHOICES_OOS_RECALL`` (50 %) of the held-out questions still go to
  a person.

Sets with fewer than ``MIN_CV_FAQS`` entries or ``MIN_CV_QUESTIONS`` questions use plain
similarity (max cosine over an entry's questions) with the fixed thresholds 0.6 / 0.3.
Scores are mapped onto one scale for every model: ``confidence ≥ ANSWER_AT`` ⇔ answer,
``≥ CHOICES_AT`` ⇔ choices (piecewise linear between the learned thresholds, clipped to 0–1).

**Runtime.** The model is never built inside a request when it is big. It is built by the huey
task :func:`kefu.assist.faq_tasks.build_faq_model` and written atomically to
``DATA_DIR/models/faq-<stamp hash>.pickle``; the content stamp (counts and last change of the
FAQ entries and similar questions) is read with one cheap query per request. Every process
loads the file for the current stamp; while it does not exist yet the request enqueues the task
(once per process and stamp) and keeps serving the previous model. With no model at all (fresh
install) a set of at most ``SYNC_BUILD_MAX`` entries is built in the request; a bigger one is
answered from the BM25 search index (``choices`` only) until the task has finished. A
periodic task (every 5 minutes) rebuilds when the stamp changed and nobody asked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Q

from kefu.assist.embeddings import EmbeddingBackend, default_backend
from kefu.assist.faq_retrieval import FaqRetriever
from kefu.assist.text_classifier import OOS, FaqMatcher
from kefu.knowledge.models import Faq, FaqSimilarQuestion

logger = logging.getLogger(__name__)

ANSWER_AT = 0.6
"""Confidence from which the best entry is given as the answer."""
CHOICES_AT = 0.3
"""Confidence from which entries are offered as choices; below it the question is out of scope."""
MAX_QUESTION = 500
ANSWER_OOS_RECALL = 0.8
CHOICES_OOS_RECALL = 0.5
MIN_CV_FAQS = 10
KNN_ABOVE = 300
"""More active entries than this: retrieval instead of the SVM (see FaqMatcher)."""
MIN_CV_QUESTIONS = 30
SYNC_BUILD_MAX = 500
"""Largest FAQ set built inside a request when no model file exists yet."""
MODEL_VERSION = 1
"""Bump when the pickled layout changes: older files are then ignored."""
KEEP_FILES = 2

AnswerKind = Literal["answer", "choices", "out_of_scope"]


@dataclass(frozen=True)
class FaqCandidate:
    faq_id: int
    question: str
    score: float


@dataclass(frozen=True)
class FaqAnswer:
    kind: AnswerKind
    candidates: list[FaqCandidate]
    confidence: float

    @property
    def best(self) -> FaqCandidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass
class FaqModel:
    """What one build produces (pickled; the embedding backend is re-attached on load)."""

    stamp: tuple[Any, ...]
    questions: dict[int, str] = field(default_factory=dict)
    channels: dict[int, tuple[str, ...]] = field(default_factory=dict)
    scorer: FaqMatcher | FaqRetriever | None = None
    answer_at: float = ANSWER_AT
    choices_at: float = CHOICES_AT
    method: str = "none"
    embeddings: bool = False
    version: int = MODEL_VERSION

    def confidence(self, score: float) -> float:
        """``score`` on the common scale (see the module docstring)."""
        gap = max(self.answer_at - self.choices_at, 1e-6)
        xs = [self.choices_at - gap, self.choices_at, self.answer_at, self.answer_at + 4 / 3 * gap]
        return float(np.interp(score, xs, [0.0, CHOICES_AT, ANSWER_AT, 1.0]))

    def ranked(self, text: str, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (faq id, raw score), best first."""
        if self.scorer is None:
            return []
        if isinstance(self.scorer, FaqMatcher):
            rows = self.scorer.rank([text], k)[0]
        else:
            rows = self.scorer.top([text], k)[0]
        return [(int(label), score) for label, score in rows]


# -- building --------------------------------------------------------------------------------


def content_stamp() -> tuple[Any, ...]:
    """What changes whenever the FAQ content changes (one query per table)."""
    faqs = Faq.objects.aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True)), at=Max("updated_at")
    )
    similar = FaqSimilarQuestion.objects.aggregate(n=Count("id"), m=Max("id"))
    return (*faqs.values(), *similar.values())


def _backend() -> EmbeddingBackend | None:
    return default_backend()


def _choices_threshold(matcher: FaqMatcher) -> float:
    assert matcher.cv is not None
    truth, _pred, conf, top3 = matcher.cv
    finite = np.isfinite(conf)
    inscope = finite & (truth != OOS)
    negative = finite & (truth == OOS)
    if not inscope.any():
        return matcher.threshold
    if not negative.any():
        covered = inscope & top3
        return float(np.quantile(conf[covered], 0.05)) if covered.any() else matcher.threshold
    best: tuple[float, float] | None = None
    for th in np.unique(np.quantile(conf[finite], np.linspace(0, 1, 201))):
        coverage = float(((conf >= th) & top3)[inscope].mean())
        recall = float((conf < th)[negative].mean())
        if recall >= CHOICES_OOS_RECALL and (best is None or coverage > best[1]):
            best = (float(th), coverage)
    return best[0] if best is not None else matcher.threshold


def build_model(stamp: tuple[Any, ...] | None = None) -> FaqModel:
    """Train on the active FAQ entries (see the module docstring)."""
    stamp = content_stamp() if stamp is None else stamp
    model = FaqModel(stamp=stamp)
    texts: list[str] = []
    labels: list[str] = []
    for faq in Faq.objects.filter(is_active=True).only("id", "question", "channels"):
        model.questions[faq.pk] = faq.question
        model.channels[faq.pk] = tuple(faq.channels or ())
        texts.append(faq.question)
        labels.append(str(faq.pk))
    for faq_id, text in FaqSimilarQuestion.objects.filter(faq__is_active=True).values_list(
        "faq_id", "text"
    ):
        texts.append(text)
        labels.append(str(faq_id))
    if not texts:
        return model
    backend = _backend()
    model.embeddings = backend is not None
    if len(model.questions) >= MIN_CV_FAQS and len(texts) >= MIN_CV_QUESTIONS:
        matcher = FaqMatcher(
            embedding=backend,
            pseudo_oos=0.2,
            min_oos_recall=ANSWER_OOS_RECALL,
            knn_above=KNN_ABOVE,
        )
        matcher.fit(texts, labels)
        answer_at = matcher.threshold
        choices_at = min(_choices_threshold(matcher), answer_at)
        matcher.cv = None  # not needed at run time
        if np.isfinite(answer_at) and np.isfinite(choices_at):
            model.scorer, model.method = matcher, matcher.method_used
            model.answer_at, model.choices_at = answer_at, choices_at
            return model
    model.scorer = FaqRetriever(backend, centroid_weight=0.0).fit(texts, labels)
    model.method = "similarity"
    return model


def _set_backend(model: FaqModel, backend: EmbeddingBackend | None) -> None:
    scorer = model.scorer
    if isinstance(scorer, FaqMatcher):
        scorer.backend = backend
        if scorer.classifier is not None:
            scorer.classifier.features.backend = backend
        scorer = scorer.retriever
    if isinstance(scorer, FaqRetriever):
        scorer.backend = backend


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def model_path(stamp: tuple[Any, ...]) -> Path:
    digest = hashlib.sha1(repr((MODEL_VERSION, stamp)).encode()).hexdigest()[:16]
    return models_dir() / f"faq-{digest}.pickle"


def save_model(model: FaqModel) -> Path:
    """Write atomically (temporary file + rename) and keep the newest ``KEEP_FILES`` files."""
    path = model_path(model.stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    _set_backend(model, None)  # the backend holds a lock and the loaded network
    try:
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".faq-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(model, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        _set_backend(model, _backend() if model.embeddings else None)
    old = sorted(path.parent.glob("faq-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP_FILES:]:
        stale.unlink(missing_ok=True)
    return path


def load_model(path: Path) -> FaqModel | None:
    """The model in ``path`` (our own file in the data directory), or ``None`` if unusable."""
    try:
        with open(path, "rb") as handle:
            model = pickle.load(handle)  # our own file (save_model), not user input
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    if not isinstance(model, FaqModel) or model.version != MODEL_VERSION:
        return None
    backend = _backend() if model.embeddings else None
    if model.embeddings and backend is None:
        return None  # built with embeddings that are no longer installed
    _set_backend(model, backend)
    return model


def faq_model_build(*, force: bool = False) -> dict[str, Any]:
    """Build and save the model for the current content unless its file exists (the task)."""
    stamp = content_stamp()
    path = model_path(stamp)
    if path.exists() and not force:
        return {"built": 0}
    model = build_model(stamp)
    save_model(model)
    return {"built": 1, "faqs": len(model.questions)}


# -- serving ---------------------------------------------------------------------------------

_lock = threading.Lock()
_current: FaqModel | None = None
_requested: set[tuple[Any, ...]] = set()


def _request_build(stamp: tuple[Any, ...]) -> None:
    """Enqueue the build task once per process and stamp (runs at once in immediate mode)."""
    if stamp in _requested:
        return
    _requested.add(stamp)
    from kefu.assist.faq_tasks import build_faq_model

    try:
        build_faq_model()
    except Exception:  # the queue being down must not break answering
        logger.exception("could not enqueue the FAQ model build")


def _latest_file() -> FaqModel | None:
    files = sorted(models_dir().glob("faq-*.pickle"), key=lambda p: p.stat().st_mtime)
    for path in reversed(files):
        model = load_model(path)
        if model is not None:
            return model
    return None


def current_model() -> FaqModel | None:
    """The model to answer with now (see "Runtime"); ``None`` → answer from BM25 search."""
    global _current
    stamp = content_stamp()
    current = _current
    if current is not None and current.stamp == stamp:
        return current
    with _lock:
        if _current is not None and _current.stamp == stamp:
            return _current
        path = model_path(stamp)
        if not path.exists():
            _request_build(stamp)
        if path.exists():
            loaded = load_model(path)
            if loaded is not None:
                _current = loaded
                return loaded
        if _current is not None:
            return _current  # stale while the task builds the new one
        _current = _latest_file()
        if _current is not None:
            return _current
        if Faq.objects.filter(is_active=True).count() <= SYNC_BUILD_MAX:
            _current = build_model(stamp)
            save_model(_current)
            return _current
        return None


def reset() -> None:
    """Forget the process's model (tests; a new file is then loaded)."""
    global _current
    with _lock:
        _current = None
        _requested.clear()


def _allowed(channels: tuple[str, ...], channel: str) -> bool:
    return not channel or not channels or channel in channels


def _from_search(text: str, channel: str, limit: int) -> list[FaqCandidate]:
    from kefu.knowledge.search import search

    hits = search(text, kind="faq", channel=channel, limit=limit)
    return [FaqCandidate(hit.id, hit.title, CHOICES_AT) for hit in hits]


def faq_matches(text: str, *, channel: str = "", limit: int = 5) -> list[FaqCandidate]:
    """Active FAQ entries for ``channel`` (all channels when empty), most similar first; score =
    confidence on the common scale (0–1)."""
    text = text.strip()[:MAX_QUESTION]
    if not text:
        return []
    model = current_model()
    if model is None:
        return _from_search(text, channel, limit)
    n = len(model.questions)
    found: list[FaqCandidate] = []
    for k in (min(n, max(limit * 20, 200)), n):
        found = []
        for faq_id, score in model.ranked(text, k):
            if faq_id in model.questions and _allowed(model.channels.get(faq_id, ()), channel):
                found.append(FaqCandidate(faq_id, model.questions[faq_id], model.confidence(score)))
                if len(found) >= limit:
                    return found
        if k >= n:
            break
    return found


def answer_question(question: str, *, channel: str = "", limit: int = 3) -> FaqAnswer:
    """What the bot should do with ``question`` on ``channel`` (see the module docstring)."""
    candidates = faq_matches(question, channel=channel, limit=limit)
    confidence = candidates[0].score if candidates else 0.0
    if confidence >= ANSWER_AT:
        return FaqAnswer("answer", candidates, confidence)
    if confidence >= CHOICES_AT:
        return FaqAnswer("choices", candidates, confidence)
    return FaqAnswer("out_of_scope", [], confidence)
