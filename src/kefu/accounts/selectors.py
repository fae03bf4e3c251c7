"""Reading people: roles, team and department membership, with per-request caching."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kefu.accounts.models import Department, Team, User
from kefu.accounts.roles import ALL_TICKET_ROLES, UNMASKED_PII_ROLES, Role


def user_roles(user: Any) -> frozenset[str]:
    """The role names of ``user`` (its groups that are roles), cached on the instance."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kefu_roles", None)
    if cached is None:
        known = set(Role.values)
        cached = frozenset(
            name for name in user.groups.values_list("name", flat=True) if name in known
        )
        if user.is_superuser:
            cached = cached | {Role.ADMIN.value}
        user._kefu_roles = cached
    return cached


def user_has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_department_ids(user: Any) -> frozenset[int]:
    """Departments whose routed work ``user`` answers (ORG-2), cached on the instance."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kefu_department_ids", None)
    if cached is None:
        cached = frozenset(user.departments.values_list("id", flat=True))
        user._kefu_department_ids = cached
    return cached


def user_sees_all_tickets(user: Any) -> bool:
    return bool(user_roles(user) & ALL_TICKET_ROLES)


def user_may_see_unmasked_pii(user: Any) -> bool:
    return bool(user_roles(user) & UNMASKED_PII_ROLES)


def user_list(*, active_only: bool = True) -> QuerySet[User]:
    users = User.objects.select_related("team").order_by("username")
    return users.filter(is_active=True) if active_only else users


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead").filter(is_active=True)


def department_list() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True)
