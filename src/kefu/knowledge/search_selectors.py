"""What the search box passes to the index: a checked query and a category with its subtree."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.knowledge.models import ArticleType, FaqChannel, KnowledgeCategory
from kefu.knowledge.search import MAX_QUERY

KINDS = ("article", "faq")


def search_query_clean(q: str | None) -> str:
    """The query, trimmed; empty or longer than ``MAX_QUERY`` characters is an InvalidInput."""
    text = (q or "").strip()
    if not text:
        raise InvalidInput(_("Type something to search for."), field="q")
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            _("At most %(max)s characters.") % {"max": MAX_QUERY},
            field="q",
        )
    return text


def search_filters_clean(*, kind: str = "", type: str = "", channel: str = "") -> None:
    if kind and kind not in KINDS:
        raise InvalidInput(_("Must be article or faq."), field="kind")
    if type and type not in ArticleType.values:
        raise InvalidInput(
            _("Must be one of %(values)s.") % {"values": ", ".join(ArticleType.values)},
            field="type",
        )
    if channel and channel not in FaqChannel.values:
        raise InvalidInput(
            _("Must be one of %(values)s.") % {"values": ", ".join(FaqChannel.values)},
            field="channel",
        )


def category_subtree_ids(category_id: int | None) -> set[int] | None:
    """The category and every category below it; None for no filter. An unknown id is an
    InvalidInput on ``category``."""
    if category_id is None:
        return None
    pairs = list(KnowledgeCategory.objects.values_list("id", "parent_id"))
    if category_id not in {pk for pk, _parent in pairs}:
        raise InvalidInput(_("No such category."), field="category")
    children: dict[int | None, list[int]] = {}
    for pk, parent in pairs:
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    todo = [category_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, []))
    return found
