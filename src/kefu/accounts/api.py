"""Who am I, and the teams, departments and categories a client needs to fill its forms."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.selectors import (
    department_list,
    team_list,
    user_department_ids,
    user_roles,
    user_sees_all_tickets,
)

router = Router(tags=["people"])


class TeamOut(Schema):
    id: int
    name: str
    lead_id: int | None


class DepartmentOut(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    team: TeamOut | None
    department_ids: list[int]
    employee_number: str | None
    skill_level: str
    certification_level: int
    sees_all_tickets: bool


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": str(user),
        "roles": sorted(user_roles(user)),
        "team": user.team,  # type: ignore[union-attr]
        "department_ids": sorted(user_department_ids(user)),
        "employee_number": user.employee_number,  # type: ignore[union-attr]
        "skill_level": user.skill_level,  # type: ignore[union-attr]
        "certification_level": user.certification_level,  # type: ignore[union-attr]
        "sees_all_tickets": user_sees_all_tickets(user),
    }


@router.get("/teams", response=list[TeamOut])
def teams(request: HttpRequest) -> object:
    return list(team_list())


@router.get("/departments", response=list[DepartmentOut])
def departments(request: HttpRequest) -> object:
    return list(department_list())
