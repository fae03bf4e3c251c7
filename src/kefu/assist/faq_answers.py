"""Which FAQ entry answers a customer's question (TEC-2), for the FAQ bot and agent assist.

The one entry point is :func:`answer_question`: it ranks the active FAQ entries usable on a
channel by the best similarity of the question to each entry's standard question and similar
questions (相似问法), and says what the bot should do:

* ``answer`` — the best entry is confident enough to be given as the answer;
* ``choices`` — not sure: offer the best (up to three) entries to choose from;
* ``out_of_scope`` — nothing close: hand off to a person instead of answering wrongly.

:func:`faq_matches` gives the ranked entries without a decision (agent assist shows them all).
The model is built per process from the database and rebuilt when the FAQ content changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from django.db.models import Count, Max, Q
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from kefu.knowledge.models import Faq, FaqSimilarQuestion
from kefu.knowledge.search import tokenize

ANSWER_AT = 0.6
"""Similarity from which the best entry is given as the answer."""
CHOICES_AT = 0.3
"""Similarity from which entries are offered as choices; below it the question is out of scope."""
MAX_QUESTION = 500

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
class _Model:
    stamp: tuple[Any, ...]
    faq_ids: list[int] = field(default_factory=list)  # one per row of ``matrix``
    questions: dict[int, str] = field(default_factory=dict)
    channels: dict[int, tuple[str, ...]] = field(default_factory=dict)
    vectorizer: Any = None
    matrix: Any = None


def _stamp() -> tuple[Any, ...]:
    faqs = Faq.objects.aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True)), at=Max("updated_at")
    )
    similar = FaqSimilarQuestion.objects.aggregate(n=Count("id"), m=Max("id"))
    return (*faqs.values(), *similar.values())


def _build(stamp: tuple[Any, ...]) -> _Model:
    model = _Model(stamp=stamp)
    texts: list[str] = []
    for faq in Faq.objects.filter(is_active=True).only("id", "question", "channels"):
        model.questions[faq.pk] = faq.question
        model.channels[faq.pk] = tuple(faq.channels or ())
        model.faq_ids.append(faq.pk)
        texts.append(faq.question)
    for faq_id, text in FaqSimilarQuestion.objects.filter(faq__is_active=True).values_list(
        "faq_id", "text"
    ):
        model.faq_ids.append(faq_id)
        texts.append(text)
    if texts:
        model.vectorizer = TfidfVectorizer(
            analyzer=tokenize, sublinear_tf=True, norm="l2", min_df=1
        )
        model.matrix = model.vectorizer.fit_transform(texts)
    return model


_lock = threading.Lock()
_current: _Model | None = None


def _model() -> _Model:
    global _current
    stamp = _stamp()
    if _current is not None and _current.stamp == stamp:
        return _current
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = _build(stamp)
        return _current


def faq_matches(text: str, *, channel: str = "", limit: int = 5) -> list[FaqCandidate]:
    """Active FAQ entries for ``channel`` (all channels when empty), most similar first."""
    model = _model()
    text = text.strip()[:MAX_QUESTION]
    if not text or model.vectorizer is None:
        return []
    similarity = (model.matrix @ model.vectorizer.transform([text]).T).toarray().ravel()
    best: dict[int, float] = {}
    for row in np.argsort(-similarity):
        score = float(similarity[row])
        if score <= 0:
            break
        faq_id = model.faq_ids[row]
        allowed = model.channels.get(faq_id, ())
        if channel and allowed and channel not in allowed:
            continue
        if faq_id not in best:
            best[faq_id] = score
            if len(best) >= limit:
                break
    return [FaqCandidate(faq_id, model.questions[faq_id], score) for faq_id, score in best.items()]


def answer_question(question: str, *, channel: str = "", limit: int = 3) -> FaqAnswer:
    """What the bot should do with ``question`` on ``channel`` (see the module docstring)."""
    candidates = faq_matches(question, channel=channel, limit=limit)
    confidence = candidates[0].score if candidates else 0.0
    if confidence >= ANSWER_AT:
        return FaqAnswer("answer", candidates, confidence)
    if confidence >= CHOICES_AT:
        return FaqAnswer("choices", candidates, confidence)
    return FaqAnswer("out_of_scope", [], confidence)
