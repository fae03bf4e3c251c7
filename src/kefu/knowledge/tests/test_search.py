"""Search ranking, Chinese partial words, filters, snippets and index freshness (TEC-5)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kefu.knowledge.models import Article, ArticleVersion, Faq, FaqSimilarQuestion
from kefu.knowledge.search import search, search_for_customer
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _article(user, title, body, *, public=True, state="published"):
    now = timezone.now()
    article = Article.objects.create(
        title=title,
        body=body,
        type="after_sales",
        owner=user,
        created_by=user,
        created_at=now,
        updated_at=now,
        is_public=public,
        state=state,
    )
    version = ArticleVersion.objects.create(
        article=article, number=1, title=title, body=body, created_by=user, created_at=now
    )
    article.published_version = version
    article.save()
    return article


def _faq(user, question, answer, similar=(), channels=()):
    now = timezone.now()
    faq = Faq.objects.create(
        question=question,
        answer=answer,
        channels=list(channels),
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    for text in similar:
        FaqSimilarQuestion.objects.create(faq=faq, text=text)
    return faq


def test_ranking_partial_words_snippets_and_freshness():
    user = UserFactory()
    faq = _faq(user, "如何申请退款", "在订单页点击申请退款。", similar=["钱怎么退回来"])
    _faq(user, "发票怎么开", "联系客服开具发票,退回请说明。")
    title_hit = _article(user, "退款流程说明", "按步骤操作。")
    body_hit = _article(user, "售后政策", "七天无理由,申请退款流程见下 <script>x</script>")
    internal = _article(user, "内部退款审批", "退款审批", public=False)
    draft = _article(user, "退款草稿", "退款", state="draft")

    assert search("钱怎么退")[0].id == faq.pk
    ids = [(h.kind, h.id) for h in search("退款", kind="article")]
    assert ids.index(("article", title_hit.pk)) < ids.index(("article", body_hit.pk))
    assert ("article", draft.pk) not in ids
    customer = [(h.kind, h.id) for h in search_for_customer("退款")]
    assert ("article", internal.pk) not in customer
    snippet = next(h.snippet for h in search("申请退款 script") if h.id == body_hit.pk)
    assert "&lt;" in snippet and "<script>" not in snippet and "<mark>" in snippet

    faq.is_active = False
    faq.updated_at = timezone.now()
    faq.save()
    assert faq.pk not in [h.id for h in search("钱怎么退", kind="faq")]


def test_english_and_channel_filter():
    user = UserFactory()
    faq = _faq(user, "How do I reset my password", "Use the reset link.", channels=["chat"])
    assert search("password reset")[0].id == faq.pk
    assert search_for_customer("password", channel="portal") == []
    assert search_for_customer("password", channel="chat")[0].id == faq.pk
