"""Knowledge search over HTTP (TEC-5): ``GET /api/v1/knowledge/search?q=…``.

Staff search every published article and active FAQ entry; filters ``kind`` (article, faq),
``type`` (article type), ``category`` (with its subcategories), ``channel`` (FAQ channels).
An empty ``q`` or one over 200 characters, or an unknown filter value, is a 422 naming it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kefu.core.schemas import MAX_ID, InputSchema
from kefu.knowledge.search import search
from kefu.knowledge.search_selectors import (
    category_subtree_ids,
    search_filters_clean,
    search_query_clean,
)

router = Router(tags=["knowledge"])


class SearchQuery(InputSchema):
    q: str = Field(default="", max_length=1_000)
    kind: str = Field(default="", max_length=16)
    type: str = Field(default="", max_length=16)
    category: int | None = Field(default=None, ge=1, le=MAX_ID)
    channel: str = Field(default="", max_length=16)
    limit: int = Field(default=20, ge=1, le=100)


class HitOut(Schema):
    kind: str
    id: int
    title: str
    snippet: str = Field(description="HTML: escaped text with <mark> around matched terms")
    score: float
    url: str


@router.get("", response=list[HitOut], summary="Search articles and FAQ entries")
def knowledge_search(request: HttpRequest, params: Query[SearchQuery]) -> list[Any]:
    q = search_query_clean(params.q)
    search_filters_clean(kind=params.kind, type=params.type, channel=params.channel)
    return search(
        q,
        kind=params.kind,
        type=params.type,
        category_ids=category_subtree_ids(params.category),
        channel=params.channel,
        limit=params.limit,
    )
