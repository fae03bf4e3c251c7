"""Reads of FAQ entries (TEC-2, TEC-5) for the FAQ pages and API; everyone on staff reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from kefu.core.errors import NotFound, PermissionDenied
from kefu.knowledge.faq_services import CATEGORY_DEPTH_LIMIT, may_read_faqs
from kefu.knowledge.models import Faq, KnowledgeCategory


def _require_reader(user: Any) -> None:
    if not may_read_faqs(user):
        raise PermissionDenied("only staff read the FAQ")


def category_with_descendants(category_id: int) -> list[int]:
    ids = [category_id]
    frontier = [category_id]
    for _ in range(CATEGORY_DEPTH_LIMIT):
        frontier = list(
            KnowledgeCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids += frontier
    return ids


def faqs_visible(
    *,
    user: Any,
    q: str = "",
    category: int | None = None,
    channel: str = "",
    active: bool | None = None,
) -> QuerySet[Faq]:
    """FAQs by newest change; ``q`` in the question, a similar question or the answer;
    ``category`` includes its subcategories; ``channel`` includes all-channel FAQs."""
    _require_reader(user)
    rows = Faq.objects.select_related("category", "article").prefetch_related("similar_questions")
    if q:
        rows = rows.filter(
            Q(question__icontains=q)
            | Q(answer__icontains=q)
            | Q(similar_questions__text__icontains=q)
        ).distinct()
    if category is not None:
        rows = rows.filter(category_id__in=category_with_descendants(category))
    if channel:
        rows = rows.annotate(channels_text=Cast("channels", TextField())).filter(
            Q(channels=[]) | Q(channels_text__contains=f'"{channel}"')
        )
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.order_by("-updated_at", "-id")


def faq_get(*, user: Any, faq_id: int) -> Faq:
    _require_reader(user)
    faq = (
        Faq.objects.select_related("category", "article")
        .prefetch_related("similar_questions")
        .filter(pk=faq_id)
        .first()
    )
    if faq is None:
        raise NotFound(f"no FAQ {faq_id}")
    return faq
