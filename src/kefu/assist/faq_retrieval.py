"""Nearest-neighbour retrieval stage for FAQ matching with many FAQs (issue 8, TEC-2).

A one-vs-rest SVM over 10,000 FAQ labels needs a 10,000 × features coefficient matrix and
10,000 binary fits; it does not scale. :class:`FaqRetriever` instead keeps every question of
every FAQ (the standard question and its similar questions, 相似问法) as one row and scores an
FAQ by the best similarity of the query to any of its questions::

    row score = sparse_weight · cos(TF-IDF) + (1 − sparse_weight) · cos(USE)
    FAQ score = max over the FAQ's rows, plus ``centroid_weight`` · cos(query, FAQ centroid)

The sparse block is :class:`kefu.assist.text_classifier.SparseFeatures` (L2-normalised, float32
CSR); the dense block is the optional multilingual USE vector (float32, unit length). Without
embeddings the score is the sparse cosine alone. Rows are stored grouped by FAQ so the per-FAQ
maximum is one ``np.maximum.reduceat``. Memory: the sparse rows plus 2 KB per question for the
dense vectors (e.g. 30,000 questions → ~60 MB dense).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

from kefu.assist.embeddings import EmbeddingBackend

_CHUNK = 64
"""Queries scored together (bounds the dense query block: features × 64 float32)."""


class FaqRetriever:
    """kNN FAQ scorer: max similarity over each FAQ's questions (see the module docstring)."""

    def __init__(
        self,
        backend: EmbeddingBackend | None,
        *,
        sparse_weight: float = 0.3,
        centroid_weight: float = 0.3,
    ) -> None:
        self.backend = backend
        self.sparse_weight = sparse_weight if backend is not None else 1.0
        self.centroid_weight = centroid_weight
        self.labels: np.ndarray = np.zeros(0, dtype=object)
        self.starts: np.ndarray = np.zeros(0, dtype=np.int64)
        self.sparse_features: Any = None
        self.rows_t: Any = None
        self.rows_dense: np.ndarray | None = None
        self.centroids_t: Any = None
        self.centroid_dense: np.ndarray | None = None

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, features: Any = None
    ) -> FaqRetriever:
        """Index ``texts`` (one FAQ question each) under their ``labels`` (FAQ ids).

        ``features``: an already fitted sparse featurizer to reuse; by default a new
        :class:`SparseFeatures` is fitted on ``texts``.
        """
        from kefu.assist.text_classifier import SparseFeatures, detect_language

        if len(texts) != len(labels) or not texts:
            raise ValueError("texts and labels must be non-empty and of equal length")
        texts = list(texts)
        self.sparse_features = features or SparseFeatures(detect_language(texts)).fit(texts)
        rows = self.sparse_rows(texts)
        dense = self.backend.embed(texts) if self.backend is not None else None
        return self.fit_vectors(rows, dense, labels)

    def sparse_rows(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """L2-normalised float32 TF-IDF rows of ``texts``."""
        if self.sparse_features is None:
            raise RuntimeError("the retriever has no sparse features")
        matrix = normalize(self.sparse_features.transform(list(texts)))
        return sparse.csr_matrix(matrix, dtype=np.float32)

    def fit_vectors(
        self, rows: sparse.csr_matrix, dense: np.ndarray | None, labels: Sequence[str]
    ) -> FaqRetriever:
        """Index precomputed rows (``sparse_rows`` / embeddings, same order as ``labels``);
        cross-validation folds reuse the vectors of one featurisation."""
        y = np.asarray(labels, dtype=object)
        order = np.argsort(y, kind="stable")
        y = y[order]
        rows = sparse.csr_matrix(rows[order], dtype=np.float32)
        change = np.flatnonzero(y[1:] != y[:-1]) + 1
        self.starts = np.concatenate([[0], change]).astype(np.int64)
        self.labels = y[self.starts]
        counts = np.diff(np.append(self.starts, len(y)))
        group = sparse.csr_matrix(
            (
                np.ones(len(y), dtype=np.float32),
                (np.repeat(np.arange(len(self.labels)), counts), np.arange(len(y))),
            ),
            shape=(len(self.labels), len(y)),
        )
        self.rows_t = sparse.csr_matrix(rows.T)
        self.centroids_t = sparse.csr_matrix(normalize(group @ rows).astype(np.float32).T)
        if self.backend is not None and dense is not None:
            ordered = np.asarray(dense, dtype=np.float32)[order]
            self.rows_dense = ordered
            self.centroid_dense = normalize(group @ ordered).astype(np.float32)
        else:
            self.rows_dense = self.centroid_dense = None
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(n texts × n FAQs) scores, FAQs in the order of :attr:`labels`."""
        texts = list(texts)
        dense = None
        if self.backend is not None and self.rows_dense is not None:
            dense = np.asarray(self.backend.embed(texts), dtype=np.float32)
        return self.scores_vectors(self.sparse_rows(texts), dense)

    def scores_vectors(self, queries: sparse.csr_matrix, dense: np.ndarray | None) -> np.ndarray:
        """:meth:`scores` for precomputed query vectors."""
        out = np.empty((queries.shape[0], len(self.labels)), dtype=np.float32)
        for start in range(0, queries.shape[0], _CHUNK):
            chunk = slice(start, start + _CHUNK)
            out[chunk] = self._scores(queries[chunk], None if dense is None else dense[chunk])
        return out

    def _scores(self, queries: sparse.csr_matrix, dense: np.ndarray | None) -> np.ndarray:
        sw = self.sparse_weight
        # queries (CSR) × transposed rows (CSR, term → questions): an inverted-index product
        rows = np.asarray((queries @ self.rows_t).toarray(), dtype=np.float32) * sw
        cent = np.asarray((queries @ self.centroids_t).toarray(), dtype=np.float32) * sw
        if dense is not None and self.rows_dense is not None:
            assert self.centroid_dense is not None
            rows += (1 - sw) * (dense @ self.rows_dense.T)
            cent += (1 - sw) * (dense @ self.centroid_dense.T)
        best = np.maximum.reduceat(rows, self.starts, axis=1)
        return np.asarray(best + self.centroid_weight * cent)

    def top(self, texts: Sequence[str], k: int = 1) -> list[list[tuple[str, float]]]:
        """The ``k`` best (label, score) per text, best first."""
        texts = list(texts)
        out: list[list[tuple[str, float]]] = []
        for start in range(0, len(texts), _CHUNK):  # never a texts × FAQs matrix
            out += self.top_of(self.scores(texts[start : start + _CHUNK]), k)
        return out

    def top_of(self, scores: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """The ``k`` best (label, score) per row of a :meth:`scores` matrix."""
        k = min(k, scores.shape[1])
        out = []
        for row in scores:
            idx = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
            idx = idx[np.argsort(-row[idx], kind="stable")]
            out.append([(str(self.labels[i]), float(row[i])) for i in idx])
        return out

    def decision(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(best label, best score) per text."""
        texts = list(texts)
        labels = np.empty(len(texts), dtype=object)
        values = np.empty(len(texts), dtype=np.float64)
        for start in range(0, len(texts), _CHUNK):
            scores = self.scores(texts[start : start + _CHUNK])
            best = scores.argmax(axis=1)
            labels[start : start + len(best)] = self.labels[best]
            values[start : start + len(best)] = scores[np.arange(len(best)), best]
        return labels, values
