"""Reads of inspections by people (QA-2): who sees which inspection.

* QA specialists, managers and administrators see every inspection;
* a team lead sees the inspections of their team (the team they belong to and any team they
  lead), in every state — except their own: an inspected lead is an agent like any other and
  sees their own inspection only once it is scored;
* an agent sees only the inspections of themselves, and only once they are scored — a pending
  or half-scored inspection is the inspector's business;
* anyone also sees the inspections assigned to them.

An inspection a user may not see is reported as absent (404), never as forbidden, so its
existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.core.errors import NotFound
from kefu.quality.models import Appeal, Inspection, InspectionState
from kefu.quality.team_scope import lead_team_ids

# Roles that see every inspection.
ALL_INSPECTION_ROLES = (Role.QA_SPECIALIST, Role.MANAGER, Role.ADMIN)
# States an inspected agent sees: from the moment a score exists.
AGENT_VISIBLE_STATES = (
    InspectionState.SCORED,
    InspectionState.APPEALED,
    InspectionState.RE_REVIEWED,
    InspectionState.FINAL,
)


def user_sees_all_inspections(user: Any) -> bool:
    return user_has_role(user, *ALL_INSPECTION_ROLES)


def user_is_inspection_manager(user: Any) -> bool:
    """Managers (and administrators) may act on any inspection in place of its inspector."""
    return user_has_role(user, Role.MANAGER, Role.ADMIN)


def inspection_visibility(user: Any) -> Q | None:
    """The row filter for ``user``; None means every inspection."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user_sees_all_inspections(user):
        return None
    visible = Q(agent_id=user.pk, state__in=AGENT_VISIBLE_STATES) | Q(inspector_id=user.pk)
    teams = lead_team_ids(user)
    if teams:
        # Not the lead's own unscored inspection through the team rule (QA-2).
        visible |= Q(team_id__in=teams) & (~Q(agent_id=user.pk) | Q(state__in=AGENT_VISIBLE_STATES))
    return visible


def inspection_is_visible(user: Any, inspection: Inspection) -> bool:
    """Python form of :func:`inspection_visibility` for one loaded inspection."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user_sees_all_inspections(user):
        return True
    if inspection.inspector_id == user.pk:
        return True
    if inspection.agent_id == user.pk:
        # The inspected person — lead or not — sees it only once scored (QA-2).
        return inspection.state in AGENT_VISIBLE_STATES
    return inspection.team_id is not None and inspection.team_id in lead_team_ids(user)


def inspections_visible(
    *,
    user: Any,
    state: str = "",
    agent_id: int | None = None,
    inspector_id: int | None = None,
) -> QuerySet[Inspection]:
    """The inspections ``user`` may see, newest first, optionally filtered."""
    rows = Inspection.objects.select_related(
        "contact", "ticket", "agent", "team", "inspector", "scorecard"
    )
    visible = inspection_visibility(user)
    if visible is not None:
        rows = rows.filter(visible)
    if state:
        rows = rows.filter(state=state)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    if inspector_id is not None:
        rows = rows.filter(inspector_id=inspector_id)
    return rows.order_by("-created_at", "-id")


def inspection_get(*, user: Any, inspection_id: int) -> Inspection:
    """One inspection ``user`` may see; otherwise :class:`NotFound` (404, not 403)."""
    inspection = inspections_visible(user=user).filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound(f"inspection {inspection_id} does not exist or is not visible to you")
    return inspection


def inspection_appeals(inspection: Inspection) -> list[Appeal]:
    """The appeals of one inspection, newest first."""
    return list(inspection.appeals.select_related("agent", "decided_by").order_by("-created_at"))
