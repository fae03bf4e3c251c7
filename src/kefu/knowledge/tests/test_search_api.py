"""The search box over HTTP (TEC-5): API results, category subtrees, the page, 422s."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kefu.knowledge.models import Faq, KnowledgeCategory
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _faq(user, question, answer, category=None):
    now = timezone.now()
    return Faq.objects.create(
        question=question,
        answer=answer,
        category=category,
        created_by=user,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def corpus():
    user = UserFactory()
    after_sales = KnowledgeCategory.objects.create(name="售后")
    returns = KnowledgeCategory.objects.create(name="退换货", parent=after_sales)
    billing = KnowledgeCategory.objects.create(name="发票")
    refund = _faq(user, "如何申请退款", "在订单页点击申请退款。", category=returns)
    invoice = _faq(user, "退款后发票怎么办", "发票随退款作废。", category=billing)
    return {"user": user, "after_sales": after_sales, "refund": refund, "invoice": invoice}


def test_api_finds_and_filters_by_category_subtree(client, corpus):
    client.force_login(corpus["user"])
    everything = client.get("/api/v1/knowledge/search", {"q": "退款"})
    assert everything.status_code == 200
    assert {hit["id"] for hit in everything.json()} == {corpus["refund"].pk, corpus["invoice"].pk}
    assert "<mark>" in everything.json()[0]["snippet"]

    # The parent category covers the FAQ filed under its child.
    scoped = client.get(
        "/api/v1/knowledge/search", {"q": "退款", "category": corpus["after_sales"].pk}
    )
    assert [hit["id"] for hit in scoped.json()] == [corpus["refund"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "退" * 201}, "q"),
        ({"q": "退款", "kind": "video"}, "kind"),
        ({"q": "退款", "type": "nonsense"}, "type"),
        ({"q": "退款", "channel": "fax"}, "channel"),
        ({"q": "退款", "category": 999_999}, "category"),
    ],
)
def test_api_bad_input_is_422_naming_the_field(client, corpus, params, field):
    client.force_login(corpus["user"])
    response = client.get("/api/v1/knowledge/search", params)
    assert response.status_code == 422, response.content
    assert field in response.content.decode()


def test_api_needs_a_login(client, corpus):
    assert client.get("/api/v1/knowledge/search", {"q": "退款"}).status_code == 401


def test_page_shows_hits_and_refuses_a_too_long_query(client, corpus, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(corpus["user"])
    page = client.get("/knowledge/search/", {"q": "申请退款"})
    assert page.status_code == 200
    assert "如何申请退款" in page.content.decode()
    too_long = client.get("/knowledge/search/", {"q": "退" * 201})
    assert too_long.status_code == 422
    assert "At most 200 characters." in too_long.content.decode()
    empty = client.get("/knowledge/search/")
    assert empty.status_code == 200
