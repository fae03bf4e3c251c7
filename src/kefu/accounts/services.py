"""Writes on people, teams, departments and API tokens. Each is atomic and audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kefu.accounts.models import ApiToken, Department, SkillLevel, Team, User
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_has_role
from kefu.audit.services import audit_record, model_snapshot
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied
from kefu.core.timeutils import now

USER_AUDIT_FIELDS = [
    "username",
    "display_name",
    "employee_number",
    "team",
    "skill_level",
    "certification_level",
    "is_active",
]
TOKEN_PREFIX = "kefu_"


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user_has_role(user, Role.ADMIN))


def _require_admin_to_touch_admins(
    actor: Any, *, target: User | None, roles: Iterable[str]
) -> None:
    """Only an administrator grants the admin role or changes an administrator (ORG-1)."""
    if actor is None or _is_admin(actor):
        return
    if Role.ADMIN in set(roles) or (target is not None and _is_admin(target)):
        raise PermissionDenied(
            "only an administrator may grant the admin role or change an administrator"
        )


def _check_roles(roles: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(roles))
    unknown = [name for name in names if name not in Role.values]
    if unknown:
        raise InvalidInput(
            f"unknown role(s) {', '.join(unknown)}; known: {', '.join(Role.values)}", field="roles"
        )
    return names


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    display_name: str = "",
    roles: Iterable[str] = (),
    team: Team | None = None,
    employee_number: str | None = None,
    skill_level: str = SkillLevel.JUNIOR,
    certification_level: int = 1,
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a member of staff with roles; the password is hashed (Argon2 in production)."""
    role_names = _check_roles(roles)
    _require_admin_to_touch_admins(
        actor, target=None, roles=[*role_names, *([Role.ADMIN] if is_superuser else [])]
    )
    if skill_level not in SkillLevel.values:
        raise InvalidInput(f"unknown skill level {skill_level!r}", field="skill_level")
    if not 1 <= certification_level <= 5:
        raise InvalidInput(
            "certification level must be 1 to 5 (TRN-3)", field="certification_level"
        )
    user = User(
        username=username,
        display_name=display_name,
        team=team,
        employee_number=employee_number or None,
        skill_level=skill_level,
        certification_level=certification_level,
        email=email,
        is_staff=bool({Role.ADMIN, Role.MANAGER} & set(role_names)) or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(
            f"user {username!r} or employee number already exists", field="username"
        ) from None
    if role_names:
        user.groups.set(Group.objects.filter(name__in=role_names))
    after = model_snapshot(user, USER_AUDIT_FIELDS) | {"roles": sorted(role_names)}
    audit_record(actor=actor, verb="user.create", target=user, after=after)
    return user


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    role_names = _check_roles(roles)
    _require_admin_to_touch_admins(actor, target=user, roles=role_names)
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=role_names))
    user.is_staff = bool({Role.ADMIN, Role.MANAGER} & set(role_names)) or user.is_superuser
    user.save(update_fields=["is_staff"])
    if hasattr(user, "_kefu_roles"):
        del user._kefu_roles
    audit_record(
        actor=actor,
        verb="user.set_roles",
        target=user,
        before={"roles": before},
        after={"roles": sorted(role_names)},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    display_name: str,
    team: Team | None,
    skill_level: str,
    certification_level: int,
    is_active: bool,
) -> User:
    """Change a member of staff's profile, team, levels (TRN-3) or access; audited."""
    if skill_level not in SkillLevel.values:
        raise InvalidInput(f"unknown skill level {skill_level!r}", field="skill_level")
    if not 1 <= certification_level <= 5:
        raise InvalidInput(
            "certification level must be 1 to 5 (TRN-3)", field="certification_level"
        )
    _require_admin_to_touch_admins(actor, target=user, roles=())
    if actor is not None and actor.pk == user.pk and not is_active:
        raise Conflict("you cannot deactivate your own account", field="is_active")
    before = model_snapshot(user, USER_AUDIT_FIELDS)
    user.display_name = display_name.strip()[:100]
    user.team = team
    user.skill_level = skill_level
    user.certification_level = certification_level
    user.is_active = is_active
    user.save(
        update_fields=["display_name", "team", "skill_level", "certification_level", "is_active"]
    )
    after = model_snapshot(user, USER_AUDIT_FIELDS)
    if after != before:
        audit_record(actor=actor, verb="user.update", target=user, before=before, after=after)
    return user


@transaction.atomic
def team_create(*, actor: Any, name: str, lead: User | None = None) -> Team:
    name = name.strip()
    if not name:
        raise InvalidInput("a team needs a name", field="name")
    if Team.objects.filter(name=name).exists():
        raise Conflict(f"team {name!r} already exists", field="name")
    team = Team.objects.create(name=name, lead=lead)
    audit_record(
        actor=actor, verb="team.create", target=team, after=model_snapshot(team, ["name", "lead"])
    )
    return team


@transaction.atomic
def team_set_lead(*, actor: Any, team: Team, lead: User | None) -> Team:
    before = model_snapshot(team, ["lead"])
    team.lead = lead
    team.save(update_fields=["lead"])
    audit_record(
        actor=actor,
        verb="team.set_lead",
        target=team,
        before=before,
        after=model_snapshot(team, ["lead"]),
    )
    return team


@transaction.atomic
def department_create(
    *, actor: Any, code: str, name: str, members: Iterable[User] = ()
) -> Department:
    """A back-office department that receives routed work (ORG-2)."""
    if (
        Department.objects.filter(code=code).exists()
        or Department.objects.filter(name=name).exists()
    ):
        raise Conflict(f"department {code!r} / {name!r} already exists", field="code")
    department = Department(code=code, name=name)
    try:
        department.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None
    department.save()
    member_list = list(members)
    department.members.set(member_list)
    audit_record(
        actor=actor,
        verb="department.create",
        target=department,
        after={"code": code, "name": name, "members": sorted(user.pk for user in member_list)},
    )
    return department


@transaction.atomic
def department_add_member(*, actor: Any, department: Department, user: User) -> Department:
    department.members.add(user)
    if hasattr(user, "_kefu_department_ids"):
        del user._kefu_department_ids
    audit_record(
        actor=actor, verb="department.add_member", target=department, after={"member": user.pk}
    )
    return department


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token; the plain token is returned once and never stored."""
    if not user.is_active:
        raise InvalidInput(f"user {user.username!r} is inactive", field="user")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[: len(TOKEN_PREFIX) + 6], key_hash=_hash_token(key)
    )
    audit_record(
        actor=actor,
        verb="api_token.create",
        target=token,
        after={"user": user.pk, "name": token.name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, verb="api_token.revoke", target=token, after={"prefix": token.prefix}
        )
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token used (once a minute)."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    moment = now()
    if token.last_used_at is None or (moment - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
