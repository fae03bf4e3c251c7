"""QA-2 at volume, through the database: a real :func:`sampling_run` over a week of 10,000 ended
contacts of agents with very different workloads selects the plan's share of the ordinary
contacts within ±2 percentage points, and every agent gets at least the plan's minimum (or all
they have)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.channels.models import Contact, ContactState
from kefu.quality.models import Inspection, InspectionReason, SamplingPlan
from kefu.quality.sampling_services import sampling_run
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = dt.datetime(2026, 3, 2, tzinfo=SHANGHAI)  # Monday
AFTER = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # the next Tuesday
CONTACTS = 10_000
SECONDS_IN_WEEK = 7 * 24 * 3600


def test_qa2_a_run_over_ten_thousand_contacts_keeps_the_share_and_the_minimum(team, manager):
    plan = SamplingPlan.objects.get(name="标准抽检计划")
    rng = random.Random(2026)
    agents = [
        cast(User, factories.UserFactory(username=f"volume{i}", roles=[Role.AGENT], team=team))
        for i in range(12)
    ]
    for i in range(3):
        factories.UserFactory(username=f"volume-qa{i}", roles=[Role.QA_SPECIALIST])
    # Skewed workloads, and one agent with only three contacts: 25 % of 3 is below the minimum.
    weights = [rng.randint(1, 40) for _ in agents[:-1]]
    owners = rng.choices(agents[:-1], weights=weights, k=CONTACTS - 3) + [agents[-1]] * 3
    contacts = []
    for number, owner in enumerate(owners):
        ended = WEEK + dt.timedelta(seconds=rng.randrange(SECONDS_IN_WEEK))
        contacts.append(
            Contact(
                kind=rng.choice(("call", "chat")),
                external_id=f"volume-{number}",
                agent=owner,
                team=team,
                state=ContactState.ENDED,
                ended_at=ended,
                created_at=ended - dt.timedelta(minutes=6),
                updated_at=ended,
            )
        )
    # Not of the week, or not ended: never considered.
    outside = WEEK - dt.timedelta(seconds=1)
    contacts.append(
        Contact(
            kind="call",
            external_id="volume-before",
            agent=agents[0],
            state=ContactState.ENDED,
            ended_at=outside,
            created_at=outside,
            updated_at=outside,
        )
    )
    Contact.objects.bulk_create(contacts, batch_size=2_000)

    run = sampling_run(actor=manager, plan=plan, now=AFTER)

    assert run.considered == CONTACTS
    assert run.stats["considered"]["ordinary"] == CONTACTS
    sampled = list(
        Inspection.objects.filter(sampling_run=run, reason=InspectionReason.SAMPLE).values_list(
            "agent_id", "contact__ended_at"
        )
    )
    share = 100 * len(sampled) / CONTACTS
    assert abs(share - float(plan.ordinary_percent)) <= 2, share
    assert run.selected == len(sampled)  # no complaints, no fatal findings this week
    assert all(WEEK <= ended < WEEK + dt.timedelta(days=7) for _agent, ended in sampled)
    handled = Counter(owners)
    per_agent = Counter(agent for agent, _ended in sampled)
    for agent in agents:
        assert per_agent[agent.pk] >= min(plan.agent_minimum, handled[agent]), agent.username
        assert per_agent[agent.pk] <= handled[agent]
    assert per_agent[agents[-1].pk] == 2  # the minimum, above 25 % of 3
    assert not Inspection.objects.filter(sampling_run=run, inspector__isnull=True).exists()
