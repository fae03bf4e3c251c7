"""Fixtures for the complaint closed loop: a movable clock, the people of the loop and an SMS
gateway that records what the customer received."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from kefu.accounts.roles import Role
from kefu.tests_support import factories
from kefu.tests_support.time_machine import TimeMachine

SMS_BACKEND = "kefu.complaints.tests.conftest.RecordingSmsBackend"


class RecordingSmsBackend:
    """An SMS gateway that keeps what it accepted (per process; reset for each test).

    Set ``failure`` to an exception to make the gateway refuse every message; ``attempts``
    counts every hand-over, accepted or not.
    """

    sent: ClassVar[list[dict[str, str]]] = []
    attempts: ClassVar[list[str]] = []
    failure: ClassVar[Exception | None] = None

    def send(self, *, to: str, body: str, reference: str) -> None:
        self.attempts.append(reference)
        if self.failure is not None:
            raise self.failure
        self.sent.append({"to": to, "body": body, "reference": reference})

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.attempts.clear()
        cls.failure = None


@pytest.fixture
def time_machine() -> Iterator[TimeMachine]:
    """``time_machine.at(moment)`` / ``time_machine.move(timedelta)`` set what now() returns."""
    with TimeMachine() as machine:
        yield machine


@pytest.fixture
def sms(settings) -> Iterator[list[dict[str, str]]]:
    """The SMS the customer received in this test (the recording gateway)."""
    settings.KEFU_SMS_BACKEND = SMS_BACKEND
    RecordingSmsBackend.reset()
    yield RecordingSmsBackend.sent
    RecordingSmsBackend.reset()


@pytest.fixture
def led_team(team, team_lead):
    """The registering agent's team, with its lead (escalation target)."""
    team.lead = team_lead
    team.save()
    return team


@pytest.fixture
def tech_department(db):
    return factories.DepartmentFactory(code="tech_support", name="技术支持部")


@pytest.fixture
def tech_member(tech_department):
    user = factories.UserFactory(username="tech", roles=[Role.DEPARTMENT_STAFF])
    tech_department.members.add(user)
    return user


@pytest.fixture
def admin(db):
    return factories.UserFactory(username="admin", roles=[Role.ADMIN])
