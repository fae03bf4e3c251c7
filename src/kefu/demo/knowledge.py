"""The demo center's knowledge base (issue 8, TEC-5, TEC-2): articles and FAQ entries.

Everything is written through the knowledge services, so each article has its versions and
every write is in the audit trail: categories (``category_create``), articles (created by their
owner, submitted by the owner, published by a reviewer), FAQ entries with their similar
questions (``faq_create``, by the trainer) and some "was this helpful?" feedback.

So the review queue shows something, a few articles end in other states (drafts, one in review,
one archived) and two published articles are backdated: their quarterly review date passed.
That backdating is the one direct write (there is no service to publish in the past).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import transaction

from kefu.accounts.models import User
from kefu.core.timeutils import local_date, now
from kefu.demo.knowledge_content import ARTICLES, CATEGORY_PATHS, FAQS, DemoArticle
from kefu.knowledge.article_services import (
    article_create,
    article_feedback,
    article_transition,
    article_update,
)
from kefu.knowledge.faq_services import category_create, faq_create
from kefu.knowledge.models import Article, ArticleState, Faq, KnowledgeCategory

EDITOR = "trainer1"  # keeps the FAQ and reviews articles (trainer role)
REVIEWERS = {"complaint": "qa1"}  # complaint-handling articles are reviewed by QA
OVERDUE_DAYS = (12, 30)  # how long ago the review dates of the ``overdue`` articles passed
# "Was this helpful?": (article key, helpful votes, unhelpful votes) by staff and visitors.
FEEDBACK = (
    ("refund-time", 9, 1),
    ("return-7days", 7, 2),
    ("warranty-policy", 5, 0),
    ("price-protection", 4, 3),
    ("install-service", 6, 1),
    ("invoice-electronic", 3, 1),
    ("delivery-standard", 4, 0),
    ("complaint-process", 2, 2),
)


def demo_knowledge_exists() -> bool:
    return Faq.objects.filter(question=FAQS[0].question).exists()


def seed_demo_knowledge() -> None:
    """Create the demo categories, articles and FAQ entries, once (a repeat does nothing).

    Uses the demo's people (``admin``, ``trainer1``, ``qa1``, ``complaint1``, team leads and
    agents); anyone missing is stood in for by ``admin``.
    """
    if demo_knowledge_exists():
        return
    with transaction.atomic():
        people = {user.username: user for user in User.objects.filter(is_active=True)}
        admin = people["admin"]

        def person(username: str) -> User:
            return people.get(username, admin)

        editor = person(EDITOR)
        categories = _seed_categories(editor)
        articles = {item.key: _seed_article(item, categories, person) for item in ARTICLES}
        for faq in FAQS:
            article = articles.get(faq.article) if faq.article else None
            faq_create(
                actor=editor,
                question=faq.question,
                answer=faq.answer,
                similar_questions=faq.similar,
                category=categories[faq.category],
                channels=faq.channels,
                article=article,
                is_active=faq.active,
            )
        _backdate_reviews([articles[item.key] for item in ARTICLES if "overdue" in item.flags])
        _seed_feedback(articles, people)


def _seed_categories(actor: User) -> dict[str, KnowledgeCategory]:
    categories: dict[str, KnowledgeCategory] = {}
    for order, path in enumerate(CATEGORY_PATHS):
        category = category_create(actor=actor, path=path)
        assert category is not None
        if category.order != order:
            KnowledgeCategory.objects.filter(pk=category.pk).update(order=order)
        categories[path] = category
    return categories


def _seed_article(
    item: DemoArticle,
    categories: dict[str, KnowledgeCategory],
    person: Callable[[str], User],
) -> Article:
    owner = person(item.owner)
    reviewer = person(REVIEWERS.get(item.type, EDITOR))
    article = article_create(
        actor=owner,
        title=item.title,
        body=item.first_body,
        type=item.type,
        category=categories[item.category],
        tags=item.tags,
        is_public=item.is_public,
        note="初稿",
    )
    if item.first_body != item.body:
        article = article_update(
            actor=owner,
            article=article,
            changes={"body": item.body},
            version=article.version,
            note="补充" + item.body.rsplit("\n## ", 1)[1].split("\n", 1)[0].strip(),
        )
    if item.state == ArticleState.DRAFT:
        return article
    article = article_transition(actor=owner, article=article, to=ArticleState.IN_REVIEW)
    if item.state == ArticleState.IN_REVIEW:
        return article
    article = article_transition(
        actor=reviewer, article=article, to=ArticleState.PUBLISHED, comment="内容核对无误"
    )
    if item.state == ArticleState.ARCHIVED:
        article = article_transition(
            actor=reviewer, article=article, to=ArticleState.ARCHIVED, comment="活动已结束"
        )
    return article


def _backdate_reviews(articles: list[Article]) -> None:
    """Published a quarter and more ago: the review date passed (the review queue, TEC-5)."""
    today = local_date(now())
    for article, days in zip(articles, OVERDUE_DAYS * len(articles), strict=False):
        review_by = today - dt.timedelta(days=days)
        published_at = now() - dt.timedelta(days=90 + days)
        Article.objects.filter(pk=article.pk).update(review_by=review_by, published_at=published_at)


def _seed_feedback(articles: dict[str, Article], people: dict[str, User]) -> None:
    agents = sorted(
        (user for name, user in people.items() if name.startswith("agent")),
        key=lambda user: user.username,
    )
    for key, helpful, unhelpful in FEEDBACK:
        article = articles.get(key)
        if article is None or article.state != ArticleState.PUBLISHED:
            continue
        votes = [True] * helpful + [False] * unhelpful
        for index, vote in enumerate(votes):
            if index < len(agents) and index % 2 == 0:
                article_feedback(article=article, helpful=vote, user=agents[index])
            else:
                visitor = hashlib.sha256(f"demo-visitor-{key}-{index}".encode()).hexdigest()
                comment = "" if vote else "没有说清楚我的情况，还是转了人工"
                article_feedback(article=article, helpful=vote, visitor=visitor, comment=comment)
