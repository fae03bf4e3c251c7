"""Writes of knowledge-base articles (TEC-5): drafts, versioned edits, the review workflow
(draft → in_review → published → archived, and back to draft for a revision), the quarterly
review date, attachments and video, and "was this helpful?" feedback.

Any member of staff writes a draft and submits it; reviewers (``knowledge.review_article`` or
the trainer, QA specialist, manager and administrator roles) publish and archive. Every write is
audited in its own transaction (SEC-3); an illegal state change or a stale edit is a 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.audit.services import audit_record
from kefu.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
)
from kefu.core.timeutils import local_date, now
from kefu.knowledge import attachment_files
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleState,
    ArticleType,
    ArticleVersion,
    KnowledgeCategory,
)
from kefu.knowledge.services import knowledge_text_clean

TITLE_LIMIT = 200
BODY_LIMIT = 100_000
NOTE_LIMIT = 200
TAG_LIMIT = 20
TAG_TEXT_LIMIT = 40
COMMENT_LIMIT = 500
REVIEW_INTERVAL = dt.timedelta(days=90)  # TEC-5: articles are reviewed every quarter
REVIEWER_ROLES = (Role.MANAGER, Role.ADMIN, Role.TRAINER, Role.QA_SPECIALIST)
EDITABLE = ("title", "body", "type", "category", "tags", "is_public")

S = ArticleState
# Every allowed state change; anything else is refused with 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.ARCHIVED, S.DRAFT}),  # draft: a revision; the published stays
    S.ARCHIVED: frozenset({S.DRAFT}),
}
# Changes only a reviewer may make; the rest the owner may make too.
REVIEWER_ONLY = frozenset({(S.IN_REVIEW, S.PUBLISHED), (S.PUBLISHED, S.ARCHIVED)})
EDITABLE_STATES = frozenset({S.DRAFT, S.IN_REVIEW})


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_review_articles(user: Any) -> bool:
    """Reviewers publish and archive (TEC-5): ``knowledge.review_article`` or the trainer, QA
    specialist, manager and administrator roles."""
    if not _active(user):
        return False
    return user.has_perm("knowledge.review_article") or user_has_role(user, *REVIEWER_ROLES)


def may_write_articles(user: Any) -> bool:
    """Every active member of staff may write a draft."""
    return _active(user)


def may_edit_article(user: Any, article: Article) -> bool:
    """The owner edits their article; reviewers edit any."""
    if not _active(user):
        return False
    return article.owner_id == user.pk or may_review_articles(user)


def allowed_transitions(user: Any, article: Article) -> list[str]:
    """The states ``user`` may move ``article`` to now (for buttons)."""
    if not may_edit_article(user, article):
        return []
    reviewer = may_review_articles(user)
    return [
        to
        for to in ArticleState.values
        if to in TRANSITIONS.get(article.state, frozenset())
        and (reviewer or (article.state, to) not in REVIEWER_ONLY)
    ]


def clean_tags(values: Any) -> list[str]:
    """Trimmed, without blanks or duplicates, in given order; a string is split at commas."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    if not isinstance(values, list | tuple):
        raise InvalidInput("must be a list of tags", field="tags")
    tags: list[str] = []
    for value in values:
        tag = knowledge_text_clean(value, field="tags", limit=TAG_TEXT_LIMIT, required=False)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAG_LIMIT:
        raise InvalidInput(f"at most {TAG_LIMIT} tags", field="tags")
    return tags


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "title" in values:
        cleaned["title"] = knowledge_text_clean(values["title"], field="title", limit=TITLE_LIMIT)
    if "body" in values:
        cleaned["body"] = knowledge_text_clean(
            values["body"], field="body", limit=BODY_LIMIT, required=False
        )
    if "type" in values:
        if values["type"] not in ArticleType.values:
            raise InvalidInput(f"one of {', '.join(ArticleType.values)}", field="type")
        cleaned["type"] = values["type"]
    if "category" in values:
        category = values["category"]
        if category in ("", None):
            category = None
        elif not isinstance(category, KnowledgeCategory):
            try:
                category = KnowledgeCategory.objects.filter(pk=int(category)).first()
            except (TypeError, ValueError):
                category = None
            if category is None:
                raise InvalidInput("no such category", field="category")
        cleaned["category"] = category
    if "tags" in values:
        cleaned["tags"] = clean_tags(values["tags"])
    if "is_public" in values:
        if not isinstance(values["is_public"], bool):
            raise InvalidInput("must be true or false", field="is_public")
        cleaned["is_public"] = values["is_public"]
    return cleaned


def _snapshot(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "body": article.body,
        "type": article.type,
        "category": article.category_id,
        "tags": list(article.tags),
        "is_public": article.is_public,
        "state": article.state,
        "version": article.version,
        "published_version": article.published_version_id,
        "review_by": article.review_by.isoformat() if article.review_by else None,
    }


def _save_version(article: Article, *, actor: Any, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        note=note,
        created_by=actor,
        created_at=article.updated_at,
    )


@transaction.atomic
def article_create(
    *,
    actor: Any,
    title: str,
    body: str = "",
    type: str = ArticleType.CONSULTATION,
    category: KnowledgeCategory | int | None = None,
    tags: Iterable[str] = (),
    is_public: bool = True,
    note: str = "",
) -> Article:
    """A new draft owned by ``actor`` (any member of staff, TEC-5), saved as version 1."""
    if not may_write_articles(actor):
        raise PermissionDenied("only active staff write articles")
    fields = _clean(
        {
            "title": title,
            "body": body,
            "type": type,
            "category": category,
            "tags": list(tags),
            "is_public": is_public,
        }
    )
    note = knowledge_text_clean(note, field="note", limit=NOTE_LIMIT, required=False)
    moment = now()
    article = Article.objects.create(
        **fields,
        state=ArticleState.DRAFT,
        owner=actor,
        created_by=actor,
        created_at=moment,
        updated_at=moment,
        version=1,
    )
    _save_version(article, actor=actor, note=note)
    audit_record(actor=actor, verb="article.create", target=article, after=_snapshot(article))
    return article


@transaction.atomic
def article_update(
    *,
    actor: Any,
    article: Article,
    changes: Mapping[str, Any],
    version: int | None = None,
    note: str = "",
) -> Article:
    """Change any of :data:`EDITABLE` of a draft or an article in review, saving a new
    :class:`ArticleVersion` with ``note``. ``version`` is the one the editor read; an older
    one is refused (409). Nothing changed: nothing written."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not may_edit_article(actor, article):
        raise PermissionDenied("only the owner or a reviewer edits this article")
    if version is not None and version != article.version:
        raise StaleVersion(
            f"this article was changed meanwhile (version {article.version}); reload and edit",
            field="version",
        )
    if article.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(
            f"a {article.state} article is not edited; move it back to draft first"
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput("not editable", field=sorted(unknown)[0])
    fields = _clean(changes)
    note = knowledge_text_clean(note, field="note", limit=NOTE_LIMIT, required=False)
    before = _snapshot(article)
    for name, value in fields.items():
        setattr(article, name, value)
    after = _snapshot(article)
    if after == before:
        return article
    article.version += 1
    article.updated_at = now()
    article.save()
    _save_version(article, actor=actor, note=note)
    audit_record(
        actor=actor, verb="article.update", target=article, before=before, after=_snapshot(article)
    )
    return article


@transaction.atomic
def article_transition(*, actor: Any, article: Article, to: str, comment: str = "") -> Article:
    """Move ``article`` along :data:`TRANSITIONS` (TEC-5). Publishing needs a reviewer and
    publishes the latest version, with the next review due in 90 days (local date)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not may_edit_article(actor, article):
        raise PermissionDenied("only the owner or a reviewer changes this article")
    if to not in ArticleState.values:
        raise InvalidInput(f"one of {', '.join(ArticleState.values)}", field="to")
    if to not in TRANSITIONS.get(article.state, frozenset()):
        raise TransitionNotAllowed(f"an article cannot go from {article.state} to {to}")
    if (article.state, to) in REVIEWER_ONLY and not may_review_articles(actor):
        raise PermissionDenied("only reviewers publish or archive articles")
    comment = knowledge_text_clean(comment, field="comment", limit=COMMENT_LIMIT, required=False)
    before = _snapshot(article)
    moment = now()
    if to == ArticleState.PUBLISHED:
        article.published_version = article.versions.order_by("-number").first()
        article.published_at = moment
        article.review_by = local_date(moment) + REVIEW_INTERVAL
    article.state = to
    article.updated_at = moment
    article.save()
    after = {**_snapshot(article), "comment": comment}
    audit_record(actor=actor, verb=f"article.{to}", target=article, before=before, after=after)
    return article


@transaction.atomic
def article_review_confirm(*, actor: Any, article: Article) -> Article:
    """A reviewer confirms a published article is still right: next review in 90 days."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not may_review_articles(actor):
        raise PermissionDenied("only reviewers confirm reviews")
    if article.published_version_id is None or article.state == ArticleState.ARCHIVED:
        raise TransitionNotAllowed("only a published article is reviewed")
    before = _snapshot(article)
    article.review_by = local_date(now()) + REVIEW_INTERVAL
    article.save(update_fields=["review_by"])
    audit_record(
        actor=actor,
        verb="article.review_confirm",
        target=article,
        before=before,
        after=_snapshot(article),
    )
    return article


@transaction.atomic
def article_feedback(
    *,
    article: Article,
    helpful: bool,
    user: Any = None,
    visitor: str = "",
    comment: str = "",
) -> ArticleFeedback:
    """ "Was this helpful?" on the published version, once per user (or visitor hash) per
    version; a second answer is refused (409)."""
    if not isinstance(helpful, bool):
        raise InvalidInput("must be true or false", field="helpful")
    comment = knowledge_text_clean(comment, field="comment", limit=COMMENT_LIMIT, required=False)
    if user is not None and not _active(user):
        raise PermissionDenied("sign in to give feedback")
    if user is None and not visitor:
        raise InvalidInput("a user or visitor is required", field="visitor")
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    article = Article.objects.select_for_update().get(pk=article.pk)
    published = article.published_version
    if published is None or article.state == ArticleState.ARCHIVED:
        raise TransitionNotAllowed("feedback is given on published articles only")
    given = ArticleFeedback.objects.filter(article=article, version=published.number)
    given = (
        given.filter(user=user)
        if user is not None
        else given.filter(user__isnull=True, visitor=visitor)
    )
    if given.exists():
        raise Conflict("you already gave feedback on this version")
    try:
        with transaction.atomic():
            feedback = ArticleFeedback.objects.create(
                article=article,
                version=published.number,
                helpful=helpful,
                comment=comment,
                user=user,
                visitor="" if user is not None else visitor[:64],
                created_at=now(),
            )
    except IntegrityError as error:
        raise Conflict("you already gave feedback on this version") from error
    counter = "helpful_count" if helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    audit_record(
        actor=user,
        verb="article.feedback",
        target=article,
        after={"version": published.number, "helpful": helpful},
    )
    return feedback


def _attachment_snapshot(attachment: ArticleAttachment) -> dict[str, Any]:
    return {
        "attachment": attachment.pk,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def _require_attachment_editor(actor: Any, article: Article) -> None:
    if not may_edit_article(actor, article):
        raise PermissionDenied("only the owner or a reviewer changes this article's attachments")
    if article.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(
            f"a {article.state} article is not edited; move it back to draft first"
        )


@transaction.atomic
def article_attachment_add(
    *,
    actor: Any,
    article: Article,
    filename: str,
    content: bytes | IO[bytes],
    content_type: str = "",
) -> ArticleAttachment:
    """Attach a document, image or video to a draft or an article in review (TEC-5).

    Whoever may edit the article may attach (its owner, reviewers). The type comes from the
    extension and the declared ``content_type`` together and the first bytes are checked
    (:mod:`kefu.knowledge.attachment_files`); files and videos have their own size limits
    (``KEFU_KNOWLEDGE_FILE_MAX_MB``, ``KEFU_KNOWLEDGE_VIDEO_MAX_MB``) and an article at most
    ``KEFU_KNOWLEDGE_ATTACHMENTS_PER_ARTICLE`` attachments. ``content`` is bytes or a file
    (an upload), copied in chunks. Refusals are 422 naming ``filename`` or ``file``; a refused
    or rolled-back attachment leaves no file in the data directory.
    """
    _require_attachment_editor(actor, article)  # before copying a large file for nothing
    safe_name = attachment_files.clean_filename(filename)
    kind = attachment_files.file_type(safe_name, content_type)
    moment = now()
    stored = attachment_files.file_store(content, kind=kind, moment_folder=f"{moment:%Y/%m}")
    try:
        article = Article.objects.select_for_update().get(pk=article.pk)
        _require_attachment_editor(actor, article)
        limit = attachment_files.count_limit()
        if article.attachments.count() >= limit:
            raise InvalidInput(f"an article has at most {limit} attachments", field="file")
        attachment = ArticleAttachment.objects.create(
            article=article,
            kind=kind.kind,
            filename=safe_name,
            content_type=kind.content_type,
            size=stored.size,
            storage_name=stored.storage_name,
            sha256=stored.sha256,
            uploaded_by=actor,
            uploaded_at=moment,
        )
        article.updated_at = moment
        article.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            verb="article.attachment_add",
            target=article,
            after=_attachment_snapshot(attachment),
        )
    except BaseException:
        stored.path.unlink(missing_ok=True)
        raise
    return attachment


@transaction.atomic
def article_attachment_remove(*, actor: Any, attachment: ArticleAttachment) -> None:
    """Remove an attachment of a draft or an article in review; whoever may edit the article
    may remove. The file is deleted from the data directory once the removal is committed
    (a rolled-back removal keeps it)."""
    article = Article.objects.select_for_update().get(pk=attachment.article_id)
    _require_attachment_editor(actor, article)
    current = ArticleAttachment.objects.filter(pk=attachment.pk, article=article).first()
    if current is None:
        raise NotFound("no such attachment")
    before = _attachment_snapshot(current)
    path = attachment_files.storage_path(current.storage_name)
    current.delete()
    article.updated_at = now()
    article.save(update_fields=["updated_at"])
    audit_record(actor=actor, verb="article.attachment_remove", target=article, before=before)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
