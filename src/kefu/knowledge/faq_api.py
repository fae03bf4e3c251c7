"""FAQ entries over HTTP (TEC-2, TEC-5) at ``/api/v1/knowledge/faqs``.

``GET ""`` lists (filters ``q``, ``category``, ``channel``, ``active``; paginated), ``POST ""``
creates, ``GET /{id}`` reads, ``PATCH /{id}`` edits (send the ``version`` you read; an older
one answers 409), ``POST /import`` takes an xlsx file (multipart ``file``, ``dry_run``) and
answers ``{"created", "updated", "errors": [{"row", "column", "reason"}]}`` — 422 when there
are errors, and then nothing is written — and ``GET /export`` downloads every FAQ as xlsx.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.pagination import bounded_count
from kefu.core.schemas import InputSchema, ObjectId
from kefu.knowledge import faq_selectors
from kefu.knowledge.faq_excel import CONTENT_TYPE, MAX_BYTES, faq_export, faq_import
from kefu.knowledge.faq_services import (
    ANSWER_LIMIT,
    QUESTION_LIMIT,
    category_path,
    faq_create,
    faq_update,
    may_edit_faqs,
    render_answer,
)
from kefu.knowledge.models import Faq, FaqChannel

router = Router(tags=["knowledge"])


def faq_out(faq: Faq) -> dict[str, Any]:
    return {
        "id": faq.pk,
        "question": faq.question,
        "similar_questions": [s.text for s in faq.similar_questions.all()],
        "answer": faq.answer,
        "answer_html": render_answer(faq.answer),
        "category": faq.category_id,
        "category_path": category_path(faq.category),
        "channels": list(faq.channels),
        "article": faq.article_id,
        "is_active": faq.is_active,
        "version": faq.version,
        "updated_at": faq.updated_at.isoformat(),
    }


class FaqQuery(InputSchema):
    q: str = Field(default="", max_length=200)
    category: ObjectId | None = None
    channel: FaqChannel | None = None
    active: bool | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=500)


class FaqIn(InputSchema):
    question: str = Field(max_length=QUESTION_LIMIT)
    answer: str = Field(max_length=ANSWER_LIMIT)
    similar_questions: list[str] = Field(default_factory=list, max_length=200)
    category: ObjectId | None = None
    channels: list[str] = Field(default_factory=list, max_length=10)
    article: ObjectId | None = None
    is_active: bool = True


class FaqPatch(InputSchema):
    version: int = Field(ge=1, description="the version you read; an older one answers 409")
    question: str | None = Field(default=None, max_length=QUESTION_LIMIT)
    answer: str | None = Field(default=None, max_length=ANSWER_LIMIT)
    similar_questions: list[str] | None = Field(default=None, max_length=200)
    category: ObjectId | None = None
    channels: list[str] | None = Field(default=None, max_length=10)
    article: ObjectId | None = None
    is_active: bool | None = None


@router.get("", response=dict[str, Any], summary="FAQ entries")
def list_faqs(request: HttpRequest, filters: Query[FaqQuery]) -> dict[str, Any]:
    rows = faq_selectors.faqs_visible(
        user=request.user,
        q=filters.q.strip(),
        category=filters.category,
        channel="" if filters.channel is None else str(filters.channel),
        active=filters.active,
    )
    size = min(filters.page_size, settings.KEFU_API_MAX_PAGE_SIZE)
    start = (filters.page - 1) * size
    count, exact = bounded_count(rows)
    return {
        "items": [faq_out(row) for row in rows[start : start + size]],
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": size,
    }


@router.post("", response={201: dict[str, Any]}, summary="Add an FAQ entry")
def create_faq(request: HttpRequest, payload: FaqIn) -> Status[dict[str, Any]]:
    faq = faq_create(actor=request.user, **payload.dict())
    return Status(201, faq_out(faq_selectors.faq_get(user=request.user, faq_id=faq.pk)))


@router.get("/export", summary="Every FAQ entry as an Excel workbook")
def export_faqs(request: HttpRequest) -> HttpResponse:
    if not may_edit_faqs(request.user):
        raise PermissionDenied("only FAQ editors export the FAQ")
    response = HttpResponse(faq_export(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="faq.xlsx"'
    return response


@router.post(
    "/import",
    response={200: dict[str, Any], 422: dict[str, Any]},
    summary="Import FAQ entries from an Excel workbook (all rows or none)",
)
def import_faqs(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Status[dict[str, Any]]:
    if not may_edit_faqs(request.user):
        raise PermissionDenied("only FAQ editors import FAQs")
    if file.size is not None and file.size > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file")
    result = faq_import(actor=request.user, data=file.read(MAX_BYTES + 1), dry_run=dry_run)
    body = {
        "created": result.created,
        "updated": result.updated,
        "dry_run": result.dry_run,
        "errors": [error.as_dict() for error in result.errors],
    }
    return Status(422 if result.errors else 200, body)


@router.get("/{faq_id}", response=dict[str, Any], summary="One FAQ entry")
def get_faq(request: HttpRequest, faq_id: ObjectId) -> dict[str, Any]:
    return faq_out(faq_selectors.faq_get(user=request.user, faq_id=faq_id))


@router.patch("/{faq_id}", response=dict[str, Any], summary="Edit an FAQ entry")
def patch_faq(request: HttpRequest, faq_id: ObjectId, payload: FaqPatch) -> dict[str, Any]:
    faq = faq_selectors.faq_get(user=request.user, faq_id=faq_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if changes.get("is_active") is None:
        changes.pop("is_active", None)
    for key in ("question", "answer", "similar_questions", "channels"):
        if key in changes and changes[key] is None:
            raise InvalidInput("must not be null", field=key)
    faq_update(actor=request.user, faq=faq, changes=changes, version=version)
    return faq_out(faq_selectors.faq_get(user=request.user, faq_id=faq_id))
