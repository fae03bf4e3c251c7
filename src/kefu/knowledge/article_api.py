"""Knowledge-base articles over HTTP (TEC-5), mounted at ``/api/v1/knowledge/articles``: list
with filters, create, read (Markdown rendered and sanitized), edit, workflow transitions,
feedback, versions and diffs, attachments (upload, list, download with byte ranges, delete). An
article the caller may not see is a 404 (so are its attachments); an illegal state change or a
stale edit a 409; bad input a 422 naming the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from kefu.core.schemas import InputSchema, ObjectId
from kefu.knowledge import article_selectors as selectors
from kefu.knowledge import article_services as services
from kefu.knowledge.attachment_download import attachment_response
from kefu.knowledge.markdown import render_markdown
from kefu.knowledge.models import Article, ArticleAttachment, ArticleVersion

router = Router(tags=["knowledge"])


class ArticleQuery(InputSchema):
    type: str = Field(default="", max_length=16)
    category: int | None = Field(default=None, ge=1, le=2**63 - 1)
    state: str = Field(default="", max_length=12)
    tag: str = Field(default="", max_length=services.TAG_TEXT_LIMIT)
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=200)


class ArticleCreateIn(InputSchema):
    title: str = Field(max_length=services.TITLE_LIMIT)
    body: str = Field(default="", max_length=services.BODY_LIMIT)
    type: str = Field(default="consultation", max_length=16)
    category: int | None = Field(default=None, ge=1, le=2**63 - 1)
    tags: list[str] = Field(default_factory=list, max_length=services.TAG_LIMIT)
    is_public: bool = True
    note: str = Field(default="", max_length=services.NOTE_LIMIT)


class ArticleUpdateIn(InputSchema):
    title: str | None = Field(default=None, max_length=services.TITLE_LIMIT)
    body: str | None = Field(default=None, max_length=services.BODY_LIMIT)
    type: str | None = Field(default=None, max_length=16)
    category: int | None = Field(default=None, ge=1, le=2**63 - 1)
    tags: list[str] | None = Field(default=None, max_length=services.TAG_LIMIT)
    is_public: bool | None = None
    note: str = Field(default="", max_length=services.NOTE_LIMIT)
    version: int | None = Field(
        default=None, ge=1, description="the version you loaded; a stale one is refused with 409"
    )


class TransitionIn(InputSchema):
    to: str = Field(max_length=12)
    comment: str = Field(default="", max_length=services.COMMENT_LIMIT)


class FeedbackIn(InputSchema):
    helpful: bool
    comment: str = Field(default="", max_length=services.COMMENT_LIMIT)


class DiffQuery(InputSchema):
    a: int = Field(ge=1, le=1_000_000)
    b: int = Field(ge=1, le=1_000_000)


def article_out(article: Article, *, user: Any, full: bool = False) -> dict[str, Any]:
    published = article.published_version
    item: dict[str, Any] = {
        "id": article.pk,
        "title": article.title,
        "type": article.type,
        "category": article.category_id,
        "tags": list(article.tags),
        "state": article.state,
        "is_public": article.is_public,
        "owner": article.owner_id,
        "version": article.version,
        "published_version": published.number if published else None,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "review_by": article.review_by.isoformat() if article.review_by else None,
        "helpful_count": article.helpful_count,
        "unhelpful_count": article.unhelpful_count,
        "updated_at": article.updated_at.isoformat(),
    }
    if full:
        item["body"] = article.body
        item["body_html"] = render_markdown(article.body)
        item["published_html"] = render_markdown(published.body) if published else None
        item["allowed_transitions"] = services.allowed_transitions(user, article)
        item["attachments"] = [
            attachment_out(a) for a in selectors.article_attachments(article, user=user)
        ]
    return item


def attachment_out(attachment: ArticleAttachment) -> dict[str, Any]:
    ids = {"article_id": attachment.article_id, "attachment_id": attachment.pk}
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by_id,
        "uploaded_at": attachment.uploaded_at.isoformat(),
        "download_url": reverse("api-v1:article_attachment_download", kwargs=ids),
        "page_url": reverse("knowledge-article-attachment", kwargs=ids),
    }


def version_out(version: ArticleVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "title": version.title,
        "note": version.note,
        "created_by": version.created_by_id,
        "created_at": version.created_at.isoformat(),
    }


def _saved(request: HttpRequest, article: Article) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article.pk)
    return article_out(article, user=request.user, full=True)


@router.get("", response=dict[str, Any], summary="List the articles you may read")
def list_articles(request: HttpRequest, filters: Query[ArticleQuery]) -> dict[str, Any]:
    articles = selectors.article_list(
        user=request.user,
        type=filters.type.strip(),
        category=filters.category,
        state=filters.state.strip(),
        tag=filters.tag.strip(),
    )
    start = (filters.page - 1) * filters.page_size
    rows = list(articles[start : start + filters.page_size])
    return {
        "items": [article_out(a, user=request.user) for a in rows],
        "count": articles.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.post("", response={201: dict[str, Any]}, summary="Write a draft article")
def create_article(request: HttpRequest, payload: ArticleCreateIn) -> Status[dict[str, Any]]:
    article = services.article_create(actor=request.user, **payload.model_dump())
    return Status(201, _saved(request, article))


@router.get("/{article_id}", response=dict[str, Any])
def get_article(request: HttpRequest, article_id: ObjectId) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    return article_out(article, user=request.user, full=True)


@router.patch("/{article_id}", response=dict[str, Any])
def update_article(
    request: HttpRequest, article_id: ObjectId, payload: ArticleUpdateIn
) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    changes = payload.model_dump(exclude_unset=True)
    note, version = changes.pop("note", ""), changes.pop("version", None)
    article = services.article_update(
        actor=request.user, article=article, changes=changes, version=version, note=note
    )
    return _saved(request, article)


@router.post("/{article_id}/transitions", response=dict[str, Any])
def transition_article(
    request: HttpRequest, article_id: ObjectId, payload: TransitionIn
) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    article = services.article_transition(
        actor=request.user, article=article, to=payload.to, comment=payload.comment
    )
    return _saved(request, article)


@router.post("/{article_id}/feedback", response={201: dict[str, Any]})
def give_feedback(
    request: HttpRequest, article_id: ObjectId, payload: FeedbackIn
) -> Status[dict[str, Any]]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    feedback = services.article_feedback(
        article=article, helpful=payload.helpful, user=request.user, comment=payload.comment
    )
    return Status(201, {"version": feedback.version, "helpful": feedback.helpful})


@router.get("/{article_id}/versions", response=dict[str, Any])
def list_versions(request: HttpRequest, article_id: ObjectId) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    return {"items": [version_out(v) for v in selectors.article_versions(article)]}


@router.get("/{article_id}/diff", response=dict[str, Any])
def diff_versions(
    request: HttpRequest, article_id: ObjectId, query: Query[DiffQuery]
) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    rows = selectors.version_diff(article=article, a=query.a, b=query.b)
    return {"a": query.a, "b": query.b, "rows": [{"op": op, "text": text} for op, text in rows]}


@router.get("/{article_id}/attachments", response=dict[str, Any])
def list_attachments(request: HttpRequest, article_id: ObjectId) -> dict[str, Any]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    return {
        "items": [
            attachment_out(a) for a in selectors.article_attachments(article, user=request.user)
        ]
    }


@router.post(
    "/{article_id}/attachments",
    response={201: dict[str, Any]},
    summary="Attach a document, image or video (multipart field 'file')",
)
def add_attachment(
    request: HttpRequest, article_id: ObjectId, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    article = selectors.article_get(user=request.user, article_id=article_id)
    attachment = services.article_attachment_add(
        actor=request.user,
        article=article,
        filename=file.name or "",
        content=file,
        content_type=file.content_type or "",
    )
    return Status(201, attachment_out(attachment))


@router.get(
    "/{article_id}/attachments/{attachment_id}",
    url_name="article_attachment_download",
    summary="Download an attachment (Range requests give 206 Partial Content)",
)
def download_attachment(
    request: HttpRequest, article_id: ObjectId, attachment_id: ObjectId
) -> HttpResponse | StreamingHttpResponse:
    attachment = selectors.article_attachment_get(
        user=request.user, article_id=article_id, attachment_id=attachment_id
    )
    return attachment_response(request, attachment, download=request.GET.get("download") == "1")


@router.delete("/{article_id}/attachments/{attachment_id}", response={204: None})
def delete_attachment(
    request: HttpRequest, article_id: ObjectId, attachment_id: ObjectId
) -> Status[None]:
    attachment = selectors.article_attachment_get(
        user=request.user, article_id=article_id, attachment_id=attachment_id
    )
    services.article_attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)
