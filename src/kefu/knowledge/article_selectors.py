"""Reads of knowledge-base articles (TEC-5), permission-aware: staff see published articles
(also while a revision is drafted) and their own; reviewers see every article. The review queue
lists published articles past their quarterly review date; diffs compare two versions line by
line. An attachment is seen by whoever sees its article (a draft's only by its owner and
reviewers)."""

from __future__ import annotations

import difflib
from typing import Any

from django.db.models import Q, QuerySet

from kefu.core.errors import InvalidInput, NotFound
from kefu.core.timeutils import local_date, now
from kefu.knowledge.article_services import may_edit_article, may_review_articles
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleState,
    ArticleType,
    ArticleVersion,
)


def articles_visible_to(user: Any) -> QuerySet[Article]:
    """Articles ``user`` may read: reviewers all; other staff those with a published version
    (not archived) and their own; nobody signed out."""
    articles = Article.objects.select_related("category", "owner", "published_version")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return articles.none()
    if may_review_articles(user):
        return articles
    published = Q(published_version__isnull=False) & ~Q(state=ArticleState.ARCHIVED)
    return articles.filter(published | Q(owner=user))


def article_list(
    *,
    user: Any,
    type: str = "",
    category: int | str | None = None,
    state: str = "",
    tag: str = "",
) -> QuerySet[Article]:
    """The visible articles, filtered; an unknown type or state is a 422 with the field."""
    articles = articles_visible_to(user)
    if type:
        if type not in ArticleType.values:
            raise InvalidInput(f"one of {', '.join(ArticleType.values)}", field="type")
        articles = articles.filter(type=type)
    if state:
        if state not in ArticleState.values:
            raise InvalidInput(f"one of {', '.join(ArticleState.values)}", field="state")
        articles = articles.filter(state=state)
    if category not in (None, ""):
        try:
            articles = articles.filter(category_id=int(category))
        except (TypeError, ValueError) as error:
            raise InvalidInput("must be a category id", field="category") from error
    if tag:
        # JSON containment is not on SQLite; tags are few, so filter in Python by id.
        ids = [pk for pk, tags in articles.values_list("pk", "tags") if tag in (tags or [])]
        articles = articles.filter(pk__in=ids)
    return articles


def article_get(*, user: Any, article_id: int) -> Article:
    """One visible article, or 404 (also for an invisible one)."""
    article = articles_visible_to(user).filter(pk=article_id).first()
    if article is None:
        raise NotFound("no such article")
    return article


def review_queue(*, user: Any) -> QuerySet[Article]:
    """Published articles whose quarterly review (TEC-5) is overdue, oldest first."""
    today = local_date(now())
    return (
        articles_visible_to(user)
        .filter(state=ArticleState.PUBLISHED, review_by__lt=today)
        .order_by("review_by", "id")
    )


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("created_by").order_by("-number")


def version_diff(*, article: Article, a: int, b: int) -> list[tuple[str, str]]:
    """Rows ``(op, text)`` turning version ``a`` into ``b``, line based (difflib): op is
    ``" "`` (same), ``"-"`` (removed) or ``"+"`` (added); the title is the first line."""
    found = {v.number: v for v in article.versions.filter(number__in=[a, b])}
    for field, number in (("a", a), ("b", b)):
        if number not in found:
            raise InvalidInput("no such version", field=field)
    old, new = found[a], found[b]
    old_lines = [f"# {old.title}", *old.body.splitlines()]
    new_lines = [f"# {new.title}", *new.body.splitlines()]
    rows: list[tuple[str, str]] = []
    for line in difflib.ndiff(old_lines, new_lines):
        op, text = line[:1], line[2:]
        if op in (" ", "-", "+"):
            rows.append((op, text))
    return rows


def _published_attachments(
    rows: QuerySet[ArticleAttachment], article: Article, user: Any
) -> QuerySet[ArticleAttachment]:
    """While a revision of a published article is drafted or in review, readers who may not
    edit it see only the attachments it was published with: one added to the revision waits
    for the review like the revised text (TEC-5)."""
    if (
        article.state == ArticleState.PUBLISHED
        or article.published_at is None
        or may_edit_article(user, article)
    ):
        return rows
    return rows.filter(uploaded_at__lte=article.published_at)


def article_attachments(article: Article, *, user: Any) -> QuerySet[ArticleAttachment]:
    """The attachments of an article ``user`` already may see, oldest first (those of an
    unpublished revision only to its editors)."""
    rows = article.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")
    return _published_attachments(rows, article, user)


def article_attachment_get(*, user: Any, article_id: int, attachment_id: int) -> ArticleAttachment:
    """One attachment of an article ``user`` may see, or 404: an attachment is visible exactly
    when its article is (a draft's attachments only to its owner and reviewers), and one added
    to an unpublished revision of a published article only to its editors."""
    article = article_get(user=user, article_id=article_id)
    rows = ArticleAttachment.objects.filter(article=article, pk=attachment_id)
    attachment = _published_attachments(rows, article, user).select_related("article").first()
    if attachment is None:
        raise NotFound("no such attachment")
    return attachment
