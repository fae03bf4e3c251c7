"""Shared fixtures: one person per role, a team, a department, a customer, a ticket."""

from __future__ import annotations

import pytest

from kefu.accounts.roles import Role
from kefu.tests_support import factories


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test rolls its database back; process-level caches must forget it too."""
    from kefu.calendars.selectors import calendar_cache_clear
    from kefu.core.caching import clear_all_ttl_caches
    from kefu.sla.services import _version_document

    calendar_cache_clear()
    _version_document.cache_clear()
    clear_all_ttl_caches()


@pytest.fixture
def team(db):

    return factories.TeamFactory(name="一组")


@pytest.fixture
def other_team(db):
    return factories.TeamFactory(name="二组")


@pytest.fixture
def department(db):
    return factories.DepartmentFactory(code="logistics", name="物流部")


@pytest.fixture
def agent(team):
    return factories.UserFactory(username="agent", roles=[Role.AGENT], team=team)


@pytest.fixture
def other_agent(other_team):
    return factories.UserFactory(username="other_agent", roles=[Role.AGENT], team=other_team)


@pytest.fixture
def team_lead(team):
    return factories.UserFactory(username="lead", roles=[Role.TEAM_LEAD], team=team)


@pytest.fixture
def manager(db):
    return factories.UserFactory(username="manager", roles=[Role.MANAGER])


@pytest.fixture
def qa(db):
    return factories.UserFactory(username="qa", roles=[Role.QA_SPECIALIST])


@pytest.fixture
def complaint_specialist(db):
    return factories.UserFactory(username="complaints", roles=[Role.COMPLAINT_SPECIALIST])


@pytest.fixture
def department_member(department):
    user = factories.UserFactory(username="dept", roles=[Role.DEPARTMENT_STAFF])
    department.members.add(user)
    return user


@pytest.fixture
def customer(manager):
    return factories.make_customer(
        actor=manager, name="李明", phone="13800138000", email="li@example.com"
    )


@pytest.fixture
def ticket(agent, customer):
    return factories.make_ticket(actor=agent, customer=customer)
