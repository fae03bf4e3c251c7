"""Retrieval stage of FAQ matching (issue 8 item 9): nearest neighbours over the questions."""

from __future__ import annotations

import numpy as np
import pytest

from kefu.assist.faq_retrieval import FaqRetriever
from kefu.assist.text_classifier import OOS, FaqMatcher

FAQS = {
    "refund": ["how do i get a refund", "i want my money back", "refund my order please"],
    "password": ["i forgot my password", "reset my password", "cannot log in, lost password"],
    "delivery": ["where is my parcel", "when will my order arrive", "track my delivery"],
    "invoice": ["i need an invoice", "send me a receipt", "download my invoice"],
    "card_lost": ["i lost my card", "my card was stolen", "block my lost card"],
    "address": ["change my delivery address", "wrong shipping address", "update my address"],
}
NEGATIVES = ["what is the capital of france", "tell me a joke", "play some jazz music"]


def _flatten() -> tuple[list[str], list[str]]:
    texts = [t for texts in FAQS.values() for t in texts]
    labels = [label for label, texts in FAQS.items() for _ in texts]
    return texts, labels


def test_retriever_scores_by_best_question_and_centroid() -> None:
    texts, labels = _flatten()
    retriever = FaqRetriever(None, centroid_weight=0.0).fit(texts, labels)
    assert retriever.sparse_weight == 1.0  # no embeddings: sparse cosine only
    assert list(retriever.labels) == sorted(FAQS)
    scores = retriever.scores(["reset my password"])
    assert scores.shape == (1, len(FAQS)) and scores.dtype == np.float32
    best = retriever.top(["reset my password"], k=2)[0]
    assert best[0][0] == "password" and best[0][1] == pytest.approx(1.0, abs=1e-5)
    assert best[0][1] >= best[1][1]
    with_centroid = FaqRetriever(None, centroid_weight=1.0).fit(texts, labels)
    label, score = with_centroid.decision(["where is my parcel"])
    assert label[0] == "delivery" and 1.0 < score[0] <= 2.0


def test_retriever_needs_fit() -> None:
    with pytest.raises(RuntimeError):
        FaqRetriever(None).scores(["x"])


def test_matcher_switches_to_retrieval_above_knn_above() -> None:
    texts, labels = _flatten()
    svm = FaqMatcher(embedding=None).fit(texts + NEGATIVES, labels + [OOS] * len(NEGATIVES))
    knn = FaqMatcher(embedding=None, knn_above=3).fit(
        texts + NEGATIVES, labels + [OOS] * len(NEGATIVES)
    )
    assert svm.method_used == "svm" and svm.retriever is None
    assert knn.method_used == "knn" and knn.classifier is None and knn.retriever is not None
    assert knn.predict(["i lost my card yesterday"])[0].label == "card_lost"
    ranked = knn.rank(["track my parcel delivery"], k=3)[0]
    assert ranked[0][0] == "delivery" and len(ranked) == 3
    assert np.isfinite(knn.threshold)


def test_pseudo_oos_holds_whole_faqs_out_for_the_threshold() -> None:
    texts, labels = _flatten()
    matcher = FaqMatcher(embedding=None, pseudo_oos=0.2, knn_above=3).fit(texts, labels)
    assert matcher.cv is not None
    truth, _pred, conf, _top3 = matcher.cv
    assert (truth == OOS).any() and (truth != OOS).any()  # held-out FAQs became negatives
    assert np.isfinite(conf).all()  # every row scored exactly once
