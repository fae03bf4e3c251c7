"""Knowledge-base articles (TEC-5): drafts, versions and diffs, the review workflow with its
409s, who may publish, the quarterly review date, feedback once per person per version."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied, StaleVersion
from kefu.core.timeutils import local_date, now
from kefu.knowledge.article_selectors import (
    article_list,
    articles_visible_to,
    review_queue,
    version_diff,
)
from kefu.knowledge.article_services import (
    TRANSITIONS,
    allowed_transitions,
    article_create,
    article_feedback,
    article_review_confirm,
    article_transition,
    article_update,
)
from kefu.knowledge.models import Article, ArticleState

pytestmark = pytest.mark.django_db
S = ArticleState


def _draft(actor, **kwargs):
    return article_create(actor=actor, title="退货政策", body="七天无理由\n运费自理", **kwargs)


def _published(agent, reviewer):
    article = _draft(agent)
    article_transition(actor=agent, article=article, to=S.IN_REVIEW)
    return article_transition(actor=reviewer, article=article, to=S.PUBLISHED)


def test_create_is_a_draft_version_one_and_audited(agent):
    article = _draft(agent, tags=["退货", " 退货 ", "售后"])
    assert article.state == S.DRAFT and article.version == 1 and article.owner == agent
    assert article.tags == ["退货", "售后"]
    assert [v.number for v in article.versions.all()] == [1]
    assert AuditEvent.objects.filter(verb="article.create").count() == 1


def test_update_saves_versions_refuses_stale_and_diffs(agent):
    article = _draft(agent)
    article = article_update(
        actor=agent, article=article, changes={"body": "七天无理由\n运费商家承担"}, version=1,
        note="运费",
    )  # fmt: skip
    assert article.version == 2
    assert [v.number for v in article.versions.all()] == [2, 1]
    assert article.versions.get(number=2).note == "运费"
    with pytest.raises(StaleVersion):
        article_update(actor=agent, article=article, changes={"title": "x"}, version=1)
    rows = version_diff(article=article, a=1, b=2)
    assert ("-", "运费自理") in rows and ("+", "运费商家承担") in rows
    assert (" ", "七天无理由") in rows
    with pytest.raises(InvalidInput) as error:
        version_diff(article=article, a=1, b=9)
    assert error.value.field == "b"
    # unchanged: nothing written
    same = article_update(actor=agent, article=article, changes={"body": article.body})
    assert same.version == 2


def test_update_validates_fields(agent):
    article = _draft(agent)
    for changes, field in (
        ({"title": " "}, "title"),
        ({"type": "x"}, "type"),
        ({"category": 999}, "category"),
        ({"state": "published"}, "state"),
    ):
        with pytest.raises(InvalidInput) as error:
            article_update(actor=agent, article=article, changes=changes)
        assert error.value.field == field


def test_every_transition_and_illegal_ones_are_409(agent, manager):
    article = _draft(agent)
    with pytest.raises(Conflict):
        article_transition(actor=manager, article=article, to=S.PUBLISHED)
    with pytest.raises(Conflict):
        article_transition(actor=manager, article=article, to=S.ARCHIVED)
    article = article_transition(actor=agent, article=article, to=S.IN_REVIEW)
    article = article_transition(actor=agent, article=article, to=S.DRAFT)  # withdrawn
    article = article_transition(actor=agent, article=article, to=S.IN_REVIEW)
    article = article_transition(actor=manager, article=article, to=S.PUBLISHED)
    assert article.state == S.PUBLISHED
    with pytest.raises(Conflict):
        article_transition(actor=manager, article=article, to=S.IN_REVIEW)
    article = article_transition(actor=manager, article=article, to=S.ARCHIVED)
    with pytest.raises(Conflict):
        article_transition(actor=manager, article=article, to=S.PUBLISHED)
    article = article_transition(actor=manager, article=article, to=S.DRAFT)
    assert article.state == S.DRAFT
    with pytest.raises(InvalidInput):
        article_transition(actor=manager, article=article, to="gone")
    assert set(TRANSITIONS) == set(S.values)


def test_agent_cannot_publish_or_archive_nor_change_others(agent, other_agent, qa):
    article = _draft(agent)
    article = article_transition(actor=agent, article=article, to=S.IN_REVIEW)
    assert allowed_transitions(agent, article) == [S.DRAFT]
    with pytest.raises(PermissionDenied):
        article_transition(actor=agent, article=article, to=S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        article_transition(actor=other_agent, article=article, to=S.DRAFT)
    with pytest.raises(PermissionDenied):
        article_update(actor=other_agent, article=article, changes={"title": "x"})
    article = article_transition(actor=qa, article=article, to=S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        article_transition(actor=agent, article=article, to=S.ARCHIVED)


def test_publish_sets_version_and_review_date_revision_keeps_published(agent, manager):
    article = _published(agent, manager)
    assert article.published_version.number == 1
    assert article.published_at is not None
    assert article.review_by == local_date(now()) + dt.timedelta(days=90)
    with pytest.raises(Conflict):  # published: back to draft first
        article_update(actor=agent, article=article, changes={"title": "新"})
    article = article_transition(actor=agent, article=article, to=S.DRAFT)
    article = article_update(actor=agent, article=article, changes={"title": "退货政策（新）"})
    assert article.version == 2 and article.published_version.number == 1
    assert article in articles_visible_to(agent)
    article_transition(actor=agent, article=article, to=S.IN_REVIEW)
    article = article_transition(actor=manager, article=article, to=S.PUBLISHED)
    assert article.published_version.number == 2


def test_visibility_and_filters(agent, other_agent, manager):
    own = _draft(agent, type="complaint", tags=["投诉"])
    published = _published(other_agent, manager)
    assert set(articles_visible_to(agent)) == {own, published}
    assert set(articles_visible_to(other_agent)) == {published}
    assert set(articles_visible_to(manager)) == {own, published}
    assert list(article_list(user=agent, type="complaint")) == [own]
    assert list(article_list(user=agent, tag="投诉")) == [own]
    assert list(article_list(user=agent, state="published")) == [published]
    with pytest.raises(InvalidInput) as error:
        article_list(user=agent, state="nope")
    assert error.value.field == "state"


def test_review_queue_and_confirm(agent, manager):
    article = _published(agent, manager)
    assert list(review_queue(user=manager)) == []
    Article.objects.filter(pk=article.pk).update(review_by=local_date(now()) - dt.timedelta(1))
    assert list(review_queue(user=manager)) == [article]
    with pytest.raises(PermissionDenied):
        article_review_confirm(actor=agent, article=article)
    article = article_review_confirm(actor=manager, article=article)
    assert article.review_by == local_date(now()) + dt.timedelta(days=90)
    assert list(review_queue(user=manager)) == []


def test_feedback_once_per_person_per_version(agent, other_agent, manager):
    draft = _draft(agent)
    with pytest.raises(Conflict):
        article_feedback(article=draft, helpful=True, user=agent)
    article = _published(agent, manager)
    article_feedback(article=article, helpful=True, user=agent)
    with pytest.raises(Conflict):
        article_feedback(article=article, helpful=False, user=agent)
    article_feedback(article=article, helpful=False, user=other_agent)
    article_feedback(article=article, helpful=True, visitor="abc")
    with pytest.raises(Conflict):
        article_feedback(article=article, helpful=True, visitor="abc")
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (2, 1)
