"""The portal's FAQ search (TEC-6): published answers for the portal, sanitized, limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from kefu.knowledge.models import Faq, FaqSimilarQuestion
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


def _faq(question, answer, *, channels=(), active=True, similar=()):
    user: Any = UserFactory()
    now = timezone.now()
    faq = Faq.objects.create(
        question=question,
        answer=answer,
        channels=list(channels),
        is_active=active,
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    for text in similar:
        FaqSimilarQuestion.objects.create(faq=faq, text=text)
    return faq


def test_customer_finds_a_portal_answer_rendered_and_sanitized(client, settings):
    settings.LANGUAGE_CODE = "en"
    _faq(
        "如何申请退款",
        "在**订单页**点击申请退款。<script>alert(1)</script>",
        similar=["钱怎么退回来"],
    )
    _faq("坐席内部退款口径", "仅供坐席。", channels=["agent"])
    _faq("旧的退款说明", "已停用。", active=False)

    page = client.get("/portal/", {"q": "钱怎么退"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "如何申请退款" in html
    assert "<strong>订单页</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "坐席内部退款口径" not in html  # not a portal answer
    assert "旧的退款说明" not in html  # deactivated


def test_no_answer_and_bad_queries(client, settings):
    settings.LANGUAGE_CODE = "en"
    nothing = client.get("/portal/", {"q": "火星天气"})
    assert nothing.status_code == 200
    assert "No answer found." in nothing.content.decode()
    empty = client.get("/portal/", {"q": " "})
    assert empty.status_code == 422
    assert "Type something to search for." in empty.content.decode()
    assert client.get("/portal/", {"q": "退" * 201}).status_code == 422


def test_searches_are_rate_limited_per_address(client, settings):
    settings.KEFU_PORTAL_SEARCHES_PER_HOUR = 2
    for _ in range(2):
        assert client.get("/portal/", {"q": "退款"}).status_code == 200
    limited = client.get("/portal/", {"q": "退款"})
    assert limited.status_code == 429
    assert limited["Retry-After"]
