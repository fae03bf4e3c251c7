"""Reads of the script library (SCR-1, SCR-4): what a member of staff may see.

Everyone on staff with ``knowledge.view_script`` reads the active scripts; those who keep the
library (``knowledge.change_script``) also see deactivated ones.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kefu.core.errors import PermissionDenied
from kefu.knowledge.models import Script

SEARCH_LIMIT = 100


def scripts(
    *, user: Any, stage: str = "", query: str = "", include_inactive: bool = False
) -> QuerySet[Script]:
    """Scripts ``user`` may read, by stage and title; ``query`` searches title, text and the
    replaced phrase."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("knowledge.view_script"):
        raise PermissionDenied("you may not read the script library")
    found = Script.objects.select_related("created_by")
    if not (include_inactive and user.has_perm("knowledge.change_script")):
        found = found.filter(is_active=True)
    if stage:
        found = found.filter(stage=stage)
    query = query.strip()[:SEARCH_LIMIT]
    if query:
        found = found.filter(
            Q(title__icontains=query) | Q(text__icontains=query) | Q(replaces__icontains=query)
        )
    return found.order_by("stage", "title", "id")


def script_get(*, user: Any, script_id: int) -> Script | None:
    """One script ``user`` may read (deactivated ones only for those who keep the library)."""
    return scripts(user=user, include_inactive=True).filter(pk=script_id).first()
