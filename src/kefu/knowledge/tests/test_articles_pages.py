"""Knowledge-base article pages (TEC-5): list, new, page with workflow and feedback, edit;
403 for someone else's article, 404 for an invisible one."""

from __future__ import annotations

import pytest

from kefu.knowledge.article_services import article_create, article_transition
from kefu.knowledge.models import Article, ArticleState

pytestmark = pytest.mark.django_db


def test_pages_and_workflow(client, settings, agent, other_agent, manager):
    settings.LANGUAGE_CODE = "en"
    client.force_login(agent)
    assert client.get("/knowledge/articles/").status_code == 200
    assert client.get("/knowledge/articles/new/").status_code == 200
    bad = client.post("/knowledge/articles/new/", {"title": "", "type": "consultation"})
    assert bad.status_code == 422
    created = client.post(
        "/knowledge/articles/new/",
        {"title": "退货政策", "type": "after_sales", "body": "**七天**", "tags": "退货，售后"},
    )
    assert created.status_code == 302
    article = Article.objects.get(title="退货政策")
    assert article.tags == ["退货", "售后"] and article.is_public is False  # unchecked box
    page = client.get(f"/knowledge/articles/{article.pk}/")
    assert page.status_code == 200
    assert "<strong>七天</strong>" in page.content.decode()
    edit = client.post(
        f"/knowledge/articles/{article.pk}/edit/",
        {"title": "退货政策", "type": "after_sales", "body": "**八天**", "version": 1},
    )
    assert edit.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    assert client.get(f"/knowledge/articles/{article.pk}/?a=1&b=2").status_code == 200
    client.post(f"/knowledge/articles/{article.pk}/transition/", {"to": "in_review"})
    client.post(f"/knowledge/articles/{article.pk}/transition/", {"to": "published"})
    article.refresh_from_db()
    assert article.state == ArticleState.IN_REVIEW  # agents do not publish

    client.force_login(other_agent)
    assert client.get(f"/knowledge/articles/{article.pk}/").status_code == 404
    assert client.get(f"/knowledge/articles/{article.pk}/edit/").status_code == 404

    client.force_login(manager)
    client.post(f"/knowledge/articles/{article.pk}/transition/", {"to": "published"})
    article.refresh_from_db()
    assert article.state == ArticleState.PUBLISHED and article.review_by is not None
    assert client.post(f"/knowledge/articles/{article.pk}/review/").status_code == 302

    client.force_login(other_agent)
    assert client.get(f"/knowledge/articles/{article.pk}/").status_code == 200
    assert client.get(f"/knowledge/articles/{article.pk}/edit/").status_code == 403
    client.post(f"/knowledge/articles/{article.pk}/feedback/", {"helpful": "1"})
    client.post(f"/knowledge/articles/{article.pk}/feedback/", {"helpful": "0"})
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (1, 0)


def test_list_filters_and_review_queue(client, settings, agent, manager):
    settings.LANGUAGE_CODE = "en"
    article = article_create(actor=agent, title="发票说明", type="consultation")
    article_transition(actor=agent, article=article, to="in_review")
    article_transition(actor=manager, article=article, to="published")
    Article.objects.filter(pk=article.pk).update(review_by="2020-01-01")
    client.force_login(manager)
    page = client.get("/knowledge/articles/", {"type": "consultation", "state": "published"})
    assert page.status_code == 200
    assert "Due for review" in page.content.decode()
    assert "发票说明" in page.content.decode()
    empty = client.get("/knowledge/articles/", {"type": "complaint"}).content.decode()
    assert "No articles match this filter." in empty
    assert client.get("/knowledge/articles/").status_code == 200
    client.logout()
    assert client.get("/knowledge/articles/").status_code == 302
