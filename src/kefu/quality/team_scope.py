"""Which teams a team lead answers for (QA-2, QA-4): one rule for inspections and insights.

A team lead sees the work of the team they belong to and of every team they lead (a lead need
not be a member of the team they lead). :mod:`kefu.quality.inspection_selectors` and
:mod:`kefu.quality.insight_selectors` both use :func:`lead_team_ids`, so a lead's inspection
list and their insights cover the same teams.
"""

from __future__ import annotations

from typing import Any

from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role


def lead_team_ids(user: Any) -> list[int]:
    """The teams a team lead answers for: their own and the ones they lead (sorted ids); an
    empty list for anyone who is not a team lead."""
    if not getattr(user, "is_authenticated", False) or not user_has_role(user, Role.TEAM_LEAD):
        return []
    ids = set(user.led_teams.values_list("id", flat=True))
    if user.team_id:
        ids.add(user.team_id)
    return sorted(ids)
