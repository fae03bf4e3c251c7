"""Search over published knowledge articles and active FAQ entries (TEC-5, TEC-6).

Tokens: jieba words for Han text, lower-cased latin words, and character bigrams of Han runs
(so "退款" finds "申请退款流程"). Scores are BM25 (bm25s, low-level API with our own tokens).
Ranking weight: an FAQ's question and similar questions, and an article's title, are indexed
three times; answers and bodies once.

Freshness without rebuilding inside a search: one index per process, keyed by a content stamp
(counts and last change of published articles, FAQ entries and similar questions) read with one
cheap query per search. When the stamp changed, the search loads the index file for that stamp
from ``DATA_DIR/models/search-<stamp hash>.pickle`` if one exists; otherwise a small corpus (at
most ``SYNC_DOCS`` documents, well under a second) is rebuilt at once, and a bigger one is
rebuilt in a background thread while the previous index keeps answering (a few seconds for
10,000 FAQs and 1,000 articles). Every build is saved atomically so other processes load it
instead of building again; the worker task :func:`kefu.knowledge.tasks.refresh_search_index`
also builds and saves it every minute when the content changed. A fresh process with no index
at all builds (or loads) it in its first search.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import pickle
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s  # type: ignore[import-untyped]
import jieba  # type: ignore[import-untyped]
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q

from kefu.knowledge.models import Article, ArticleState, Faq, FaqSimilarQuestion

FIELD_BOOST = 3
MAX_QUERY = 200
SYNC_DOCS = 1000
"""Largest corpus (published articles + active FAQs) rebuilt inside a search."""
INDEX_VERSION = 1
KEEP_FILES = 2
logger = logging.getLogger(__name__)
_HAN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_TOKEN_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")

jieba.setLogLevel(60)


def tokenize(text: str) -> list[str]:
    """Words and Han bigrams of ``text`` (the same for documents and queries)."""
    tokens: list[str] = []
    for run in _TOKEN_RUN.findall(text.lower()):
        if _HAN.fullmatch(run):
            tokens.extend(w for w in jieba.cut(run, cut_all=False, HMM=False) if w.strip())
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


@dataclass(frozen=True)
class SearchDoc:
    kind: str  # "article" or "faq"
    id: int
    title: str
    text: str
    is_public: bool = True
    type: str = ""
    category_id: int | None = None
    channels: tuple[str, ...] = ()


@dataclass
class SearchHit:
    kind: str
    id: int
    title: str
    snippet: str
    score: float
    url: str


@dataclass
class SearchIndex:
    """The BM25 index and the documents it holds, in the same order."""

    stamp: tuple[Any, ...]
    docs: list[SearchDoc] = field(default_factory=list)
    retriever: Any = None


def content_stamp() -> tuple[Any, ...]:
    """What changes whenever searchable content changes (one query)."""
    articles = Article.objects.filter(state=ArticleState.PUBLISHED).aggregate(
        n=Count("id"), at=Max("updated_at"), v=Max("published_version_id")
    )
    faqs = Faq.objects.aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True)), at=Max("updated_at")
    )
    similar = FaqSimilarQuestion.objects.aggregate(n=Count("id"), m=Max("id"))
    return (*articles.values(), *faqs.values(), *similar.values())


def build_index(stamp: tuple[Any, ...]) -> SearchIndex:
    docs: list[SearchDoc] = []
    corpus: list[list[str]] = []
    published = Article.objects.filter(
        state=ArticleState.PUBLISHED, published_version__isnull=False
    ).select_related("published_version")
    for article in published:
        version = article.published_version
        assert version is not None
        docs.append(
            SearchDoc(
                "article",
                article.pk,
                version.title,
                version.body,
                article.is_public,
                article.type,
                article.category_id,
            )
        )
        corpus.append(tokenize(version.title) * FIELD_BOOST + tokenize(version.body))
    similar: dict[int, list[str]] = {}
    for faq_id, text in FaqSimilarQuestion.objects.values_list("faq_id", "text"):
        similar.setdefault(faq_id, []).append(text)
    for faq in Faq.objects.filter(is_active=True):
        questions = " ".join([faq.question, *similar.get(faq.pk, [])])
        docs.append(
            SearchDoc(
                "faq",
                faq.pk,
                faq.question,
                faq.answer,
                True,
                "",
                faq.category_id,
                tuple(faq.channels or ()),
            )
        )
        corpus.append(tokenize(questions) * FIELD_BOOST + tokenize(faq.answer))
    index = SearchIndex(stamp=stamp, docs=docs)
    if docs:
        retriever = bm25s.BM25()
        retriever.index([tokens or ["\0"] for tokens in corpus], show_progress=False)
        index.retriever = retriever
    return index


def index_path(stamp: tuple[Any, ...]) -> Path:
    digest = hashlib.sha1(repr((INDEX_VERSION, stamp)).encode()).hexdigest()[:16]
    return Path(settings.DATA_DIR) / "models" / f"search-{digest}.pickle"


def save_index(index: SearchIndex) -> Path:
    """Write atomically (temporary file + rename); keep the newest ``KEEP_FILES`` files."""
    path = index_path(index.stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".search-", suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    files = sorted(path.parent.glob("search-*.pickle"), key=lambda p: p.stat().st_mtime)
    for stale in files[:-KEEP_FILES]:
        stale.unlink(missing_ok=True)
    return path


def load_index(stamp: tuple[Any, ...]) -> SearchIndex | None:
    """The saved index for ``stamp`` (our own file in the data directory), if any."""
    path = index_path(stamp)
    try:
        with open(path, "rb") as handle:
            index = pickle.load(handle)  # our own file (save_index), not user input
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return index if isinstance(index, SearchIndex) and index.stamp == stamp else None


def index_refresh() -> dict[str, int]:
    """Build and save the index for the current content unless its file exists (the task)."""
    stamp = content_stamp()
    if index_path(stamp).exists():
        return {"built": 0}
    index = build_index(stamp)
    save_index(index)
    return {"built": 1, "docs": len(index.docs)}


def _corpus_size(stamp: tuple[Any, ...]) -> int:
    return int(stamp[0] or 0) + int(stamp[4] or 0)  # published articles + active FAQs


_lock = threading.Lock()
_current: SearchIndex | None = None
_building: set[tuple[Any, ...]] = set()


def _build_in_background(stamp: tuple[Any, ...]) -> None:
    def run() -> None:
        global _current
        try:
            index = load_index(stamp) or build_index(stamp)
            if not index_path(stamp).exists():
                save_index(index)
            with _lock:
                _current = index
        except Exception:
            logger.exception("search index rebuild failed")
        finally:
            with _lock:
                _building.discard(stamp)
            connection.close()  # this thread's own database connection

    with _lock:
        if stamp in _building:
            return
        _building.add(stamp)
    threading.Thread(target=run, name="kefu-search-index", daemon=True).start()


def current_index() -> SearchIndex:
    """The index for the current content, or the previous one while a new one is built."""
    global _current
    stamp = content_stamp()
    current = _current
    if current is not None and current.stamp == stamp:
        return current
    loaded = load_index(stamp)
    if loaded is not None:
        with _lock:
            _current = loaded
        return loaded
    if current is not None and _corpus_size(stamp) > SYNC_DOCS:
        _build_in_background(stamp)
        return current
    with _lock:  # first search of the process, or a small corpus: build now
        if _current is None or _current.stamp != stamp:
            _current = build_index(stamp)
            try:
                save_index(_current)
            except OSError:
                logger.exception("could not save the search index")
        return _current


def snippet(text: str, terms: set[str], width: int = 120) -> str:
    """The window of ``text`` around its first matched term, HTML-escaped, terms in <mark>."""
    flat = " ".join(text.split())
    lower = flat.lower()
    positions = [lower.find(t) for t in terms if t and lower.find(t) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    window = flat[start : start + width]
    marks = sorted((t for t in terms if len(t) > 1 or not _HAN.fullmatch(t)), key=len, reverse=True)
    if not marks:
        return html.escape(window)
    pattern = re.compile("|".join(re.escape(t) for t in marks), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(window):
        out.append(html.escape(window[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(window[last:]))
    return ("…" if start else "") + "".join(out)


def search(
    q: str,
    *,
    kind: str = "",
    type: str = "",
    category_ids: set[int] | None = None,
    channel: str = "",
    customer: bool = False,
    limit: int = 20,
) -> list[SearchHit]:
    """Ranked hits for ``q``; ``customer`` shows only public articles and FAQs for ``channel``."""
    terms = tokenize(q[:MAX_QUERY])
    index = current_index()
    if not terms or index.retriever is None:
        return []
    scores = index.retriever.get_scores(terms)
    order = sorted(range(len(index.docs)), key=lambda i: -scores[i])
    hits: list[SearchHit] = []
    for i in order:
        if scores[i] <= 0 or len(hits) >= limit:
            break
        doc = index.docs[i]
        if kind and doc.kind != kind:
            continue
        if type and doc.type != type:
            continue
        if category_ids is not None and doc.category_id not in category_ids:
            continue
        if channel and doc.kind == "faq" and doc.channels and channel not in doc.channels:
            continue
        if customer and not doc.is_public:
            continue
        url = f"/knowledge/{'articles' if doc.kind == 'article' else 'faqs'}/{doc.id}/"
        hits.append(
            SearchHit(
                doc.kind,
                doc.id,
                doc.title,
                snippet(doc.title + " " + doc.text, set(terms)),
                float(scores[i]),
                url,
            )
        )
    return hits


def search_for_customer(q: str, channel: str = "portal", limit: int = 5) -> list[SearchHit]:
    """Public search for the portal FAQ block and the bot (wired by the portal)."""
    return search(q, channel=channel, customer=True, limit=limit)
