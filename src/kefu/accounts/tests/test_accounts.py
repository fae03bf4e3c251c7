"""Roles, staff creation and API tokens."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from kefu.accounts.models import ApiToken
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_roles
from kefu.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    user_create,
)
from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict, InvalidInput


@pytest.mark.django_db
def test_every_role_is_a_group_with_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(Role.values) <= set(groups)
    for role in Role.values:
        assert groups[role].permissions.exists(), role
    manager = {p.codename for p in groups[Role.MANAGER].permissions.all()}
    agent = {p.codename for p in groups[Role.AGENT].permissions.all()}
    assert {"view_auditevent", "view_unmasked_pii", "cancel_ticket"} <= manager
    assert not {"view_auditevent", "view_unmasked_pii", "cancel_ticket"} & agent


@pytest.mark.django_db
def test_user_create_hashes_password_sets_roles_and_audits(team):
    user = user_create(
        actor=None,
        username="zhang",
        password="s3cret-pass",
        roles=[Role.AGENT],
        team=team,
        employee_number="KF9001",
        skill_level="intermediate",
        certification_level=3,
    )
    assert user.check_password("s3cret-pass")
    assert "s3cret" not in user.password
    assert user_roles(user) == {"agent"}
    event = AuditEvent.objects.get(verb="user.create")
    assert event.actor is None and event.actor_label == "system"
    assert event.after["roles"] == ["agent"]
    assert "password" not in event.after


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"roles": ["wizard"]}, "roles"),
        ({"skill_level": "guru"}, "skill_level"),
        ({"certification_level": 6}, "certification_level"),
        ({"username": "has space!"}, "username"),
    ],
)
def test_user_create_validation(kwargs, field):
    values = {"username": "wang", "password": "pw-123456", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        user_create(actor=None, **values)
    assert caught.value.field == field


@pytest.mark.django_db
def test_duplicate_username_is_conflict(agent):
    with pytest.raises(Conflict):
        user_create(actor=None, username="agent", password="pw-123456")


@pytest.mark.django_db
def test_tokens_authenticate_until_revoked(agent):
    token, key = api_token_create(actor=None, user=agent, name="cti")
    assert key.startswith("kefu_") and token.key_hash != key
    assert api_token_authenticate(key) == agent
    assert api_token_authenticate(key + "x") is None
    assert api_token_authenticate("garbage") is None
    api_token_revoke(actor=None, token=token)
    assert api_token_authenticate(key) is None


@pytest.mark.django_db
def test_inactive_users_tokens_stop_working(agent):
    _, key = api_token_create(actor=None, user=agent)
    agent.is_active = False
    agent.save()
    assert api_token_authenticate(key) is None


@pytest.mark.django_db
def test_token_command_prints_the_token_last(agent):
    out = io.StringIO()
    call_command("token", "create", "--user", "agent", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert api_token_authenticate(key) == agent
    assert ApiToken.objects.filter(user=agent).count() == 1


@pytest.mark.django_db
def test_password_change_in_admin_is_audited(admin_client, agent):
    response = admin_client.post(
        f"/admin/accounts/user/{agent.pk}/password/",
        {"password1": "N3w-pass-word!", "password2": "N3w-pass-word!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    agent.refresh_from_db()
    assert agent.check_password("N3w-pass-word!")
    event = AuditEvent.objects.get(verb="user.admin_set_password")
    assert event.object_id == str(agent.pk) and "N3w" not in str(event.after)
