"""Search over published knowledge articles and active FAQ entries (TEC-5, TEC-6).

Tokens: jieba words for Han text, lower-cased latin words, and character bigrams of Han runs
(so "退款" finds "申请退款流程"). Scores are BM25 (bm25s, low-level API with our own tokens).
Ranking weight: an FAQ's question and similar questions, and an article's title, are indexed
three times; answers and bodies once. One index per process, keyed by a content stamp read with
one cheap query per search and rebuilt when the content changed (no hooks into other modules).
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import bm25s  # type: ignore[import-untyped]
import jieba  # type: ignore[import-untyped]
from django.db.models import Count, Max, Q

from kefu.knowledge.models import Article, ArticleState, Faq, FaqSimilarQuestion

FIELD_BOOST = 3
MAX_QUERY = 200
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


_lock = threading.Lock()
_current: SearchIndex | None = None


def current_index() -> SearchIndex:
    """The process's index, rebuilt when the content stamp changed."""
    global _current
    stamp = content_stamp()
    if _current is not None and _current.stamp == stamp:
        return _current
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = build_index(stamp)
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
