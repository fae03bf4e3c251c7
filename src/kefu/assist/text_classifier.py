"""Text models for agent assist (issue 8): intent classification, FAQ matching, text pairs.

Features (measured on the developer splits of ../shared/data, see docs/assist.md):

* sparse TF-IDF, always on. Chinese: jieba words 1–2-grams ⊕ characters 1–3-grams; English:
  words 1–2-grams ⊕ ``char_wb`` 2–5-grams; sublinear tf, each block scaled by 1/√2. The
  language is chosen per corpus by the share of Han characters;
* optionally the dense 512-d multilingual USE vector (:mod:`kefu.assist.embeddings`), appended
  when the optional package is installed.

:class:`IntentClassifier` and :class:`FaqMatcher` are one-vs-rest ``LinearSVC(C=1)``; the FAQ
matcher answers only above a threshold on the best decision value, chosen by 3-fold
cross-validation on its training rows (rows labelled ``oos`` are the negatives). The intent
classifier's label fuses the SVM's standardised decision values with k-nearest-neighbour
scores (cosine, k = 3) on the same features and on the embedding alone.
:class:`PairClassifier` decides whether two texts mean the same (similarity features →
``HistGradientBoostingClassifier``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

import jieba  # type: ignore[import-untyped]
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import (  # type: ignore[import-untyped]
    KFold,
    StratifiedKFold,
    cross_val_predict,
)
from sklearn.preprocessing import normalize  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from kefu.assist.embeddings import CachedEmbeddings, EmbeddingBackend, default_backend
from kefu.assist.faq_retrieval import FaqRetriever

jieba.setLogLevel(logging.WARNING)

OOS = "oos"
"""Label of an out-of-scope row / answer."""

Language = Literal["zh", "en"]
EmbeddingChoice = EmbeddingBackend | Literal["auto"] | None


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def detect_language(texts: Sequence[str], *, sample: int = 1000) -> Language:
    """``zh`` when at least a fifth of the non-space characters are Han, else ``en``."""
    han = total = 0
    for text in texts[:sample]:
        for ch in text:
            if not ch.isspace():
                total += 1
                han += _is_han(ch)
    return "zh" if total and han / total >= 0.2 else "en"


def jieba_tokens(text: str) -> list[str]:
    return [w for w in jieba.lcut(text.lower()) if w.strip()]


def _resolve(embedding: EmbeddingChoice) -> EmbeddingBackend | None:
    if embedding == "auto":
        return default_backend()
    if embedding is not None and not embedding.available():
        return None
    return embedding


class SparseFeatures:
    """Two TF-IDF blocks (words ⊕ characters), each scaled by 1/√2."""

    def __init__(self, language: Language) -> None:
        self.language = language
        if language == "zh":
            self.vectorizers = [
                TfidfVectorizer(
                    tokenizer=jieba_tokens,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                ),
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
            ]
        else:
            self.vectorizers = [
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ]

    def fit(self, texts: Sequence[str]) -> SparseFeatures:
        for vectorizer in self.vectorizers:
            vectorizer.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        blocks = [v.transform(texts) for v in self.vectorizers]
        return sparse.csr_matrix(sparse.hstack(blocks).tocsr() * (1 / math.sqrt(len(blocks))))


class _Features:
    """Sparse TF-IDF ⊕ (optional) dense embedding × ``dense_weight``."""

    def __init__(
        self, backend: EmbeddingBackend | None, dense_weight: float, l2: bool = False
    ) -> None:
        self.backend = backend
        self.dense_weight = dense_weight
        self.l2 = l2
        self.sparse: SparseFeatures | None = None

    def fit_blocks(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray | None]:
        self.sparse = SparseFeatures(detect_language(texts)).fit(texts)
        return self.blocks(texts)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.combine(*self.fit_blocks(texts))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.combine(*self.blocks(texts))

    def blocks(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray | None]:
        """(sparse TF-IDF rows, unit embedding rows or ``None``), unweighted."""
        assert self.sparse is not None, "fit first"
        dense = None
        if self.backend is not None:
            dense = np.asarray(self.backend.embed(texts), dtype=np.float32)
        return self.sparse.transform(texts), dense

    def combine(self, words: sparse.csr_matrix, dense: np.ndarray | None) -> sparse.csr_matrix:
        """The model's feature rows: ``words`` ⊕ ``dense`` × ``dense_weight``."""
        blocks = [words]
        if dense is not None:
            blocks.append(sparse.csr_matrix(dense * self.dense_weight))
        matrix = sparse.csr_matrix(sparse.hstack(blocks).tocsr())
        return normalize(matrix) if self.l2 else matrix


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    """The best one-vs-rest SVM decision value (higher = surer); not a probability."""


def _check(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    if len(set(labels)) < 2:
        raise ValueError("at least two different labels are needed")


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Each row minus its mean, divided by its standard deviation (over the classes)."""
    centred = scores - scores.mean(axis=1, keepdims=True)
    return np.asarray(centred / (centred.std(axis=1, keepdims=True) + 1e-9))


def _top_k_mean(
    similarities: np.ndarray, index: np.ndarray, sizes: np.ndarray, k: int
) -> np.ndarray:
    """Per class: the mean of the query's ``k`` highest similarities to the class's rows.

    ``index`` is classes × longest class: the row numbers of each class, padded with the
    column number one past the last row (a column of −inf is appended here)."""
    padded = np.hstack([similarities, np.full((len(similarities), 1), -np.inf)])
    grouped = padded[:, index]  # queries × classes × longest class
    top = min(k, index.shape[1])
    best = np.partition(grouped, index.shape[1] - top, axis=2)[:, :, -top:]
    best[np.isneginf(best)] = 0.0
    return np.asarray(best.sum(axis=2) / np.minimum(sizes, top)[None, :])


class _Neighbours:
    """The training rows of an :class:`IntentClassifier`, for cosine kNN scores per class."""

    def __init__(
        self,
        words: sparse.csr_matrix,
        dense: np.ndarray | None,
        dense_weight: float,
        n_classes: int,
        codes: np.ndarray,
    ) -> None:
        self.words_t = sparse.csr_matrix(words.T, dtype=np.float32)  # features × rows
        self.dense = None if dense is None else np.ascontiguousarray(dense.T, dtype=np.float32)
        self.dense_weight = dense_weight
        self.norms = self._norms(words, dense)
        members = [np.flatnonzero(codes == j) for j in range(n_classes)]
        self.sizes = np.asarray([len(m) for m in members])
        self.index = np.full((n_classes, int(self.sizes.max())), len(codes), dtype=np.int64)
        for j, rows in enumerate(members):
            self.index[j, : len(rows)] = rows

    def _norms(self, words: sparse.csr_matrix, dense: np.ndarray | None) -> np.ndarray:
        squares = np.asarray(words.multiply(words).sum(axis=1), dtype=np.float64).ravel()
        if dense is not None:
            squares += self.dense_weight**2 * np.einsum("ij,ij->i", dense, dense)
        return np.sqrt(np.maximum(squares, 1e-12))

    def similarities(
        self, words: sparse.csr_matrix, dense: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(cosine on sparse ⊕ dense × weight, cosine on the embedding alone) to each row."""
        combined = np.asarray((words @ self.words_t).toarray(), dtype=np.float64)
        embedded = None
        if dense is not None and self.dense is not None:
            embedded = np.asarray(dense @ self.dense, dtype=np.float64)
            combined += self.dense_weight**2 * embedded
        combined /= self._norms(words, dense)[:, None] * self.norms[None, :]
        return combined, embedded

    def scores(self, similarities: np.ndarray, k: int) -> np.ndarray:
        """queries × classes: the mean of the ``k`` best similarities to each class's rows."""
        step = max(1, 4_000_000 // self.index.size)  # bounds the queries × index block
        return np.vstack(
            [
                _top_k_mean(similarities[i : i + step], self.index, self.sizes, k)
                for i in range(0, len(similarities), step)
            ]
        )


class IntentClassifier:
    """Intent / category classifier: LinearSVC on sparse ⊕ dense features, fused with kNN.

    The label is the best class of ``z(SVM decision values) + knn_weight · z(kNN scores on
    the same sparse ⊕ dense features) + dense_knn_weight · z(kNN scores on the embedding
    alone)``, where ``z`` standardises each query's scores over the classes and a class's kNN
    score is the mean cosine similarity of the query to its ``knn_k`` nearest training texts.
    The neighbours add what a linear model misses on rare phrasings and entity names (5-fold
    cross-validation on the train part of the developer splits: SMP2017 92.28 → 92.77 %,
    BANKING77 91.74 → 92.06 %). ``knn_weight = dense_knn_weight = 0`` is the plain SVM. The
    confidence stays the best SVM decision value, so thresholds and calibrations on it (FAQ
    out-of-scope threshold, ticket classifier) keep their meaning.
    """

    chunk_rows = 256
    """Queries per block when scoring neighbours (bounds the similarity matrix in memory)."""

    def __init__(
        self,
        *,
        embedding: EmbeddingChoice = "auto",
        c: float = 1.0,
        dense_weight: float = 1.0,
        knn_k: int = 3,
        knn_weight: float = 0.5,
        dense_knn_weight: float = 0.25,
    ) -> None:
        if knn_k < 1:
            raise ValueError("knn_k must be at least 1")
        self.features = _Features(_resolve(embedding), dense_weight)
        self.c = c
        self.knn_k = knn_k
        self.knn_weight = knn_weight
        self.dense_knn_weight = dense_knn_weight
        self.model: LinearSVC | None = None
        self._neighbours: _Neighbours | None = None

    @property
    def uses_embeddings(self) -> bool:
        return self.features.backend is not None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        _check(texts, labels)
        words, dense = self.features.fit_blocks(list(texts))
        y = np.asarray(labels)
        self.model = LinearSVC(C=self.c).fit(self.features.combine(words, dense), y)
        self._neighbours = None
        if self.knn_weight or self.dense_knn_weight:
            codes = np.searchsorted(self.model.classes_, y)
            self._neighbours = _Neighbours(
                words, dense, self.features.dense_weight, len(self.model.classes_), codes
            )
        return self

    def decision(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(best label, best SVM decision value) per text."""
        if self.model is None:
            raise RuntimeError("the classifier is not fitted")
        words, dense = self.features.blocks(list(texts))
        scores = np.asarray(self.model.decision_function(self.features.combine(words, dense)))
        if scores.ndim == 1:  # two classes: one column, positive = classes_[1]
            scores = np.column_stack([-scores, scores])
        # models pickled before the neighbours existed have no such attribute
        neighbours: _Neighbours | None = getattr(self, "_neighbours", None)
        if neighbours is None or (dense is None) != (neighbours.dense is None):
            best = scores.argmax(axis=1)
        else:
            best = np.empty(len(scores), dtype=np.int64)
            for start in range(0, len(scores), self.chunk_rows):
                rows = slice(start, start + self.chunk_rows)
                fused = _standardised(scores[rows])
                combined, embedded = neighbours.similarities(
                    words[rows], None if dense is None else dense[rows]
                )
                fused += self.knn_weight * _standardised(neighbours.scores(combined, self.knn_k))
                if embedded is not None and self.dense_knn_weight:
                    fused += self.dense_knn_weight * _standardised(
                        neighbours.scores(embedded, self.knn_k)
                    )
                best[rows] = fused.argmax(axis=1)
        return self.model.classes_[best], scores.max(axis=1)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        labels, confidences = self.decision(texts)
        return [Prediction(str(lab), float(c)) for lab, c in zip(labels, confidences, strict=True)]


class FaqMatcher:
    """Matches a question to an FAQ (label) or answers ``oos`` below a learned threshold.

    Two scorers, chosen by the number of FAQs (``method="auto"``):

    * up to ``knn_above`` FAQs (default 300): one-vs-rest ``LinearSVC``, each FAQ one class
      trained on its question and similar questions; score = the best decision value. On
      CLINC150-as-FAQ (150 FAQs) it is more accurate than retrieval (95.4 % vs 93.5 %
      in-scope, measured on the developer split);
    * more FAQs: nearest-neighbour retrieval (:class:`kefu.assist.faq_retrieval.FaqRetriever`):
      score = max similarity over the FAQ's questions + similarity to its centroid.

    ``oos`` rows in the training data are not a class: they are the negatives for the
    threshold. The threshold on the best score maximises 3-fold cross-validated in-scope
    accuracy while keeping cross-validated OOS recall ≥ ``min_oos_recall``. Without ``oos``
    rows, ``pseudo_oos`` > 0 holds that share of the FAQs out of each fold entirely, so their
    questions act as out-of-scope negatives; with neither, it is the value that still answers
    95 % of the correctly matched cross-validated questions. :attr:`cv` keeps the
    cross-validated (truth, prediction, score, truth-in-top-3) arrays for callers choosing
    further thresholds (rows not scored have score −inf). With retrieval, CV scores at most
    ``cv_rows`` in-scope rows (a fixed random sample) plus every ``oos`` row.
    """

    def __init__(
        self,
        *,
        embedding: EmbeddingChoice = "auto",
        c: float = 1.0,
        dense_weight: float = 1.0,
        min_oos_recall: float = 0.6,
        folds: int = 3,
        method: Literal["auto", "svm", "knn"] = "auto",
        knn_above: int = 300,
        pseudo_oos: float = 0.0,
        cv_rows: int = 4000,
    ) -> None:
        self.backend = _resolve(embedding)
        self.c = c
        self.dense_weight = dense_weight
        self.min_oos_recall = min_oos_recall
        self.folds = folds
        self.method = method
        self.knn_above = knn_above
        self.pseudo_oos = pseudo_oos
        self.cv_rows = cv_rows
        self.threshold = -math.inf
        self.classifier: IntentClassifier | None = None
        self.retriever: FaqRetriever | None = None
        self.method_used: Literal["svm", "knn"] = "svm"
        self.cv: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._vectors: tuple[SparseFeatures, Any, np.ndarray | None] | None = None

    def _classifier(self, backend: EmbeddingBackend | None = None) -> IntentClassifier:
        clf = IntentClassifier(
            embedding=backend or self.backend, c=self.c, dense_weight=self.dense_weight
        )
        clf.features.l2 = True
        return clf

    def _fit_scorer(
        self,
        texts: list[str],
        labels: list[str],
        backend: EmbeddingBackend | None,
        rows: Sequence[int] | None = None,
    ) -> IntentClassifier | FaqRetriever:
        """An SVM classifier or a retriever on ``texts``; retrieval reuses the vectors of
        the whole training set (``rows`` = their indices) instead of featurising again."""
        if self.method_used == "knn":
            retriever = FaqRetriever(backend)
            if self._vectors is None or rows is None:
                return retriever.fit(texts, labels)
            features, matrix, dense = self._vectors
            index = np.asarray(rows, dtype=np.int64)
            retriever.sparse_features = features
            return retriever.fit_vectors(
                matrix[index], None if dense is None else dense[index], labels
            )
        return self._classifier(backend).fit(texts, labels)

    def _ranked(
        self, scorer: IntentClassifier | FaqRetriever, x: list[str], rows: list[int]
    ) -> list[list[tuple[str, float]]]:
        if isinstance(scorer, FaqRetriever) and self._vectors is not None and rows:
            _features, matrix, dense = self._vectors
            index = np.asarray(rows, dtype=np.int64)
            scores = scorer.scores_vectors(matrix[index], None if dense is None else dense[index])
            return scorer.top_of(scores, 3)
        return self._top(scorer, [x[i] for i in rows], 3)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> FaqMatcher:
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        x = list(texts)
        y = np.asarray(labels, dtype=object)
        inscope = y != OOS
        n_faqs = len(set(y[inscope]))
        if n_faqs < 2:
            raise ValueError("at least two different FAQs are needed")
        if self.method == "auto":
            self.method_used = "knn" if n_faqs > self.knn_above else "svm"
        else:
            self.method_used = self.method
        cache = CachedEmbeddings(self.backend) if self.backend is not None else None
        self._vectors = None
        if self.method_used == "knn":  # featurise once; the folds take rows of it
            keep_x = [t for t, keep in zip(x, inscope, strict=True) if keep]
            features = SparseFeatures(detect_language(keep_x)).fit(keep_x)
            matrix = sparse.csr_matrix(normalize(features.transform(x)), dtype=np.float32)
            dense = cache.embed(x) if cache is not None else None
            self._vectors = (features, matrix, dense)
        self.threshold = self._cv_threshold(x, y, cache)
        keep_rows = np.flatnonzero(inscope).tolist()
        scorer = self._fit_scorer([x[i] for i in keep_rows], list(y[inscope]), cache, keep_rows)
        self._vectors = None
        if isinstance(scorer, FaqRetriever):
            self.retriever, self.classifier = scorer, None
            scorer.backend = self.backend  # queries are not cached
        else:
            self.classifier, self.retriever = scorer, None
            scorer.features.backend = self.backend
        return self

    def _folds(self, x: list[str], y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        counts = np.unique(y, return_counts=True)[1]
        splitter: StratifiedKFold | KFold
        if counts.min() >= self.folds:
            splitter = StratifiedKFold(self.folds, shuffle=True, random_state=0)
        else:
            splitter = KFold(self.folds, shuffle=True, random_state=0)
        folds = list(splitter.split(x, y))
        if self.pseudo_oos <= 0 or (y == OOS).any():
            return folds
        # hold a share of the FAQs out of each fold entirely: their questions are negatives
        faqs = np.unique(y)
        rng = np.random.default_rng(0)
        held = rng.permutation(faqs)
        per_fold = max(1, round(len(faqs) * self.pseudo_oos))
        if len(faqs) - per_fold < 2:
            return folds
        out = []
        for number, (train_idx, test_idx) in enumerate(folds):
            chosen = set(held[(number * per_fold + np.arange(per_fold)) % len(faqs)].tolist())
            out_rows = np.flatnonzero(np.isin(y, list(chosen)))
            train_idx = np.setdiff1d(train_idx, out_rows)
            test_idx = np.union1d(test_idx, out_rows)
            out.append((train_idx, test_idx))
        return out

    def _cv_threshold(self, x: list[str], y: np.ndarray, cache: EmbeddingBackend | None) -> float:
        pred = np.full(len(x), OOS, dtype=object)
        conf = np.full(len(x), -np.inf)
        truth = y.copy()
        top3 = np.zeros(len(x), dtype=bool)
        seen = np.zeros(len(x), dtype=bool)
        if self.method_used == "knn" and (y != OOS).sum() > self.cv_rows:
            # retrieval CV scores a sample of the in-scope rows (all oos rows): training cost
            rng = np.random.default_rng(0)
            inscope_rows = np.flatnonzero(y != OOS)
            skip = rng.choice(inscope_rows, len(inscope_rows) - self.cv_rows, replace=False)
            seen[skip] = True
        for train_idx, test_idx in self._folds(x, y):
            keep = [i for i in train_idx if y[i] != OOS]
            known = {y[i] for i in keep}
            if len(known) < 2:
                continue
            scored = [int(i) for i in test_idx if not seen[i]]  # pseudo-OOS rows: first fold
            seen[scored] = True
            scorer = self._fit_scorer([x[i] for i in keep], [y[i] for i in keep], cache, keep)
            ranked = self._ranked(scorer, x, scored)
            for i, candidates in zip(scored, ranked, strict=True):
                pred[i], conf[i] = candidates[0]
                top3[i] = y[i] in {label for label, _ in candidates}
                if self.pseudo_oos > 0 and y[i] not in known:
                    truth[i] = OOS  # its FAQ is absent from this fold: unanswerable here
        self.cv = (truth, pred, conf, top3)
        inscope = truth != OOS
        finite = np.isfinite(conf)
        if not finite.any():
            return -math.inf
        if not (~inscope).any():
            right = finite & inscope & (pred == truth)
            return float(np.quantile(conf[right], 0.05)) if right.any() else -math.inf
        best: tuple[float, float] | None = None
        for th in np.unique(np.quantile(conf[finite], np.linspace(0, 1, 401))):
            answered = conf >= th
            accuracy = float((answered & (pred == truth))[inscope].mean())
            recall = float((~answered)[~inscope & finite].mean())
            if recall >= self.min_oos_recall and (best is None or accuracy > best[1]):
                best = (float(th), accuracy)
        if best is None:  # even the strictest candidate misses the recall target
            return float(np.quantile(conf[finite], 0.6))
        return best[0]

    def rank(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` best (FAQ label, score) per text, best first, without the threshold."""
        scorer = self.retriever or self.classifier
        if scorer is None:
            raise RuntimeError("the matcher is not fitted")
        return self._top(scorer, list(texts), k)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        scorer = self.retriever or self.classifier
        if scorer is None:
            raise RuntimeError("the matcher is not fitted")
        labels, confidences = scorer.decision(texts)
        return [
            Prediction(str(lab) if c >= self.threshold else OOS, float(c))
            for lab, c in zip(labels, confidences, strict=True)
        ]

    @staticmethod
    def _top(
        scorer: IntentClassifier | FaqRetriever, texts: list[str], k: int
    ) -> list[list[tuple[str, float]]]:
        """The ``k`` best (label, score) per text from an SVM classifier or a retriever."""
        if not texts:
            return []
        if isinstance(scorer, FaqRetriever):
            return scorer.top(texts, k)
        assert scorer.model is not None
        scores = np.asarray(scorer.model.decision_function(scorer.features.transform(texts)))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        classes = scorer.model.classes_
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [
            [(str(classes[j]), float(row[j])) for j in idx]
            for row, idx in zip(scores, order, strict=True)
        ]


def _levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class PairClassifier:
    """Do two texts mean the same? (e.g. a new question vs. an FAQ's question; BQ corpus).

    Features per pair: TF-IDF cosines (characters 1–3, words), character and word Jaccard,
    length difference and ratio, edit-distance ratio, longest common substring and common
    prefix ratios, embedding cosine and |u−v|, u⊙v (when embeddings are available), plus a
    stacked LogisticRegression over the sparse |a−b|, a⊙b vectors (out-of-fold on train).
    Classifier: HistGradientBoosting.
    """

    def __init__(self, *, embedding: EmbeddingChoice = "auto", max_iter: int = 300) -> None:
        self.backend = _resolve(embedding)
        self.max_iter = max_iter
        self.char_vec: TfidfVectorizer | None = None
        self.word_vec: TfidfVectorizer | None = None
        self.tokens: Any = None
        self.stack: LogisticRegression | None = None
        self.model: HistGradientBoostingClassifier | None = None

    @property
    def uses_embeddings(self) -> bool:
        return self.backend is not None

    def _scalars(self, a: list[str], b: list[str]) -> np.ndarray:
        assert self.char_vec is not None and self.word_vec is not None
        columns: list[Any] = []
        for vec in (self.char_vec, self.word_vec):
            va, vb = vec.transform(a), vec.transform(b)
            columns.append(np.asarray(va.multiply(vb).sum(axis=1)).ravel())
        rows = []
        for x, y in zip(a, b, strict=True):
            cx, cy = set(x), set(y)
            wx, wy = set(self.tokens(x)), set(self.tokens(y))
            longest = max(len(x), len(y), 1)
            shortest = max(min(len(x), len(y)), 1)
            match = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(
                0, len(x), 0, len(y)
            )
            prefix = 0
            for p, q in zip(x, y, strict=False):
                if p != q:
                    break
                prefix += 1
            rows.append(
                [
                    len(cx & cy) / max(1, len(cx | cy)),
                    len(wx & wy) / max(1, len(wx | wy)),
                    abs(len(x) - len(y)),
                    min(len(x), len(y)) / longest,
                    _levenshtein(x, y) / longest,
                    match.size / shortest,
                    prefix / shortest,
                ]
            )
        return np.column_stack([*columns, np.asarray(rows, dtype=float).reshape(len(a), -1)])

    def _sparse_diff(self, a: list[str], b: list[str]) -> sparse.csr_matrix:
        assert self.char_vec is not None and self.word_vec is not None
        blocks = []
        for vec in (self.char_vec, self.word_vec):
            va, vb = vec.transform(a), vec.transform(b)
            blocks += [abs(va - vb), va.multiply(vb)]
        return sparse.csr_matrix(sparse.hstack(blocks).tocsr())

    def _dense(self, a: list[str], b: list[str]) -> np.ndarray:
        if self.backend is None:
            return np.zeros((len(a), 0))
        ea, eb = self.backend.embed(a), self.backend.embed(b)
        return np.hstack([(ea * eb).sum(axis=1, keepdims=True), np.abs(ea - eb), ea * eb])

    def fit(self, pairs: Sequence[tuple[str, str]], labels: Sequence[int]) -> PairClassifier:
        if len(pairs) != len(labels):
            raise ValueError("pairs and labels differ in length")
        y = np.asarray(labels, dtype=int)
        if len(set(y.tolist())) < 2:
            raise ValueError("both labels (0 and 1) are needed")
        a, b = [p[0] for p in pairs], [p[1] for p in pairs]
        language = detect_language(a + b)
        self.tokens = jieba_tokens if language == "zh" else _word_tokens
        texts = a + b
        self.char_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.char_vec.fit(texts)
        self.word_vec = TfidfVectorizer(
            tokenizer=self.tokens, token_pattern=None, lowercase=False, sublinear_tf=True
        ).fit(texts)
        diff = self._sparse_diff(a, b)
        self.stack = LogisticRegression(C=3, max_iter=3000)
        folds = min(5, int(np.bincount(y).min()))
        if folds >= 2:
            stacked = cross_val_predict(self.stack, diff, y, cv=folds, method="predict_proba")[:, 1]
        else:
            stacked = np.full(len(y), 0.5)
        self.stack.fit(diff, y)
        features = np.hstack([self._scalars(a, b), self._dense(a, b), stacked[:, None]])
        self.model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=min(20, max(2, len(y) // 10)),  # small sets can still split
            random_state=0,
        ).fit(features, y)
        return self

    def predict_proba(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probability that each pair means the same."""
        if self.model is None or self.stack is None:
            raise RuntimeError("the classifier is not fitted")
        a, b = [p[0] for p in pairs], [p[1] for p in pairs]
        stacked = self.stack.predict_proba(self._sparse_diff(a, b))[:, 1]
        features = np.hstack([self._scalars(a, b), self._dense(a, b), stacked[:, None]])
        return np.asarray(self.model.predict_proba(features))[:, 1]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return (self.predict_proba(pairs) >= 0.5).astype(int)


def _word_tokens(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if w]
