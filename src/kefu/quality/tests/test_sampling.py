"""Sampling plans and balanced assignment (QA-2): the stratified sample, periods in
Asia/Shanghai, complaints 100 %, fatal findings always, idempotent runs, the coverage band and
who may run them."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.channels.models import Contact, ContactState
from kefu.complaints.models import Complaint
from kefu.core.errors import Conflict, InvalidInput, PermissionDenied
from kefu.quality.models import (
    AutoCheck,
    Inspection,
    InspectionReason,
    InspectionState,
    SamplingPlan,
    SamplingRun,
    Scorecard,
)
from kefu.quality.sampling import (
    allocate,
    last_complete_period,
    period_bounds,
    sample_size,
    sample_stratified,
)
from kefu.quality.sampling_services import (
    inspections_assign_balanced,
    sampling_plan_save,
    sampling_run,
    sampling_run_due,
)
from kefu.tests_support import factories
from kefu.tickets.models import Category

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PLAN = "标准抽检计划"


@dataclass(frozen=True)
class Rec:
    id: int
    agent: int | None


# --- The pure function ---------------------------------------------------------------------


def _population(n: int = 10_000, agents: int = 37, seed: int = 7) -> list[Rec]:
    rng = random.Random(seed)
    # Skewed workloads: some agents handle many more contacts than others.
    weights = [rng.randint(1, 40) for _ in range(agents)]
    return [Rec(i, rng.choices(range(agents), weights=weights)[0]) for i in range(1, n + 1)]


@pytest.mark.parametrize("percent", [20, 25, Decimal("27.5"), 30])
def test_qa2_overall_share_is_within_two_percent_of_the_plan(percent):
    population = _population()
    sample = sample_stratified(population, percent=percent, agent_minimum=2, rng=random.Random(1))
    share = 100 * len(sample) / len(population)
    assert abs(share - float(percent)) <= 2
    assert len({record.id for record in sample}) == len(sample)


def test_qa2_allocation_is_proportional_to_each_agents_contacts():
    population = _population()
    sample = sample_stratified(population, percent=25, agent_minimum=2, rng=random.Random(3))
    counts = Counter(record.agent for record in population)
    taken = Counter(record.agent for record in sample)
    for agent, count in counts.items():
        # Largest remainder: never more than one away from the exact proportional share.
        assert abs(taken[agent] - 0.25 * count) <= max(1, 2 - 0.25 * count) + 1e-9


def test_qa2_every_agent_gets_at_least_the_minimum_or_all_they_have():
    population = _population(n=400, agents=60, seed=11)
    population += [Rec(100_000, 999)]  # an agent with a single contact
    sample = sample_stratified(population, percent=20, agent_minimum=3, rng=random.Random(5))
    counts = Counter(record.agent for record in population)
    taken = Counter(record.agent for record in sample)
    for agent, count in counts.items():
        assert taken[agent] >= min(3, count)
    assert taken[999] == 1


def test_the_sample_is_deterministic_for_a_seed_and_differs_for_another():
    population = _population(n=2000)
    first = sample_stratified(population, percent=25, agent_minimum=2, rng=random.Random(42))
    again = sample_stratified(population, percent=25, agent_minimum=2, rng=random.Random(42))
    other = sample_stratified(population, percent=25, agent_minimum=2, rng=random.Random(43))
    assert [r.id for r in first] == [r.id for r in again]
    assert [r.id for r in first] != [r.id for r in other]
    shuffled = list(population)
    random.Random(9).shuffle(shuffled)
    assert [
        r.id
        for r in sample_stratified(shuffled, percent=25, agent_minimum=2, rng=random.Random(42))
    ] == [r.id for r in first]


def test_what_was_chosen_before_counts_towards_the_share():
    population = [Rec(i, i % 2) for i in range(1, 21)]
    first = sample_stratified(population, percent=25, agent_minimum=0, rng=random.Random(1))
    again = sample_stratified(
        population, percent=25, agent_minimum=0, rng=random.Random(1), already={r.id for r in first}
    )
    assert len(first) == 5 and again == []


def test_rounding_and_the_edges():
    assert sample_size(25, 10) == 3
    assert sample_size(Decimal("20"), 2) == 0
    assert sample_stratified([], percent=25, agent_minimum=2, rng=random.Random(1)) == []
    assert allocate({"a": 3, "b": 1}, percent=0, agent_minimum=5) == {"a": 3, "b": 1}
    assert allocate({"a": 10}, percent=100, agent_minimum=0) == {"a": 10}
    # The minimums alone exceed the target: they win.
    assert allocate({"a": 4, "b": 4, "c": 4}, percent=10, agent_minimum=2) == {
        "a": 2,
        "b": 2,
        "c": 2,
    }


def test_periods_are_cut_at_midnight_in_shanghai():
    # 2026-03-02 is a Monday; 2026-03-01 23:30 in Shanghai is still Sunday.
    moment = dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)
    start, end = period_bounds("week", moment, SHANGHAI)
    assert start == dt.datetime(2026, 3, 2, tzinfo=SHANGHAI)
    assert end == dt.datetime(2026, 3, 9, tzinfo=SHANGHAI)
    assert start.tzinfo == dt.UTC and start.hour == 16  # Sunday 16:00 UTC
    assert last_complete_period("day", moment, SHANGHAI) == (
        dt.datetime(2026, 3, 3, tzinfo=SHANGHAI),
        dt.datetime(2026, 3, 4, tzinfo=SHANGHAI),
    )
    assert last_complete_period("week", moment, SHANGHAI)[0] == dt.datetime(
        2026, 2, 23, tzinfo=SHANGHAI
    )
    assert last_complete_period("month", moment, SHANGHAI) == (
        dt.datetime(2026, 2, 1, tzinfo=SHANGHAI),
        dt.datetime(2026, 3, 1, tzinfo=SHANGHAI),
    )
    assert period_bounds("month", dt.date(2026, 12, 15), SHANGHAI)[1] == dt.datetime(
        2027, 1, 1, tzinfo=SHANGHAI
    )


# --- With the database ---------------------------------------------------------------------

WEEK = dt.datetime(2026, 3, 2, tzinfo=SHANGHAI)  # Monday
AFTER = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # the next Tuesday
_serial = iter(range(1, 1_000_000))


def _contact(agent, ended_at, *, kind="call", team=None, state=ContactState.ENDED, tickets=()):
    contact = Contact.objects.create(
        kind=kind,
        external_id=f"sampling-{next(_serial)}",
        agent=agent,
        team=team,
        state=state,
        ended_at=ended_at,
        created_at=ended_at - dt.timedelta(minutes=5),
        updated_at=ended_at,
    )
    if tickets:
        contact.tickets.set(tickets)
    return contact


def _complaint(ticket, received_at):
    return Complaint.objects.create(
        ticket=ticket,
        type=Category.objects.get(code="complaint.quality"),
        severity="general",
        demands="不满意",
        channel="phone",
        received_at=received_at,
        registered_at=received_at,
    )


@pytest.fixture
def plan(db):
    return SamplingPlan.objects.get(name=DEFAULT_PLAN)


@pytest.fixture
def agents(team):
    return [
        factories.UserFactory(username=f"sampled{i}", roles=[Role.AGENT], team=team)
        for i in range(4)
    ]


@pytest.fixture
def specialists(db):
    return [factories.UserFactory(username=f"qa{i}", roles=[Role.QA_SPECIALIST]) for i in range(3)]


def test_the_default_plan_exists_with_the_default_scorecard(plan):
    assert plan.ordinary_percent == Decimal("25")
    assert plan.agent_minimum == 2 and plan.period == "week"
    assert plan.include_complaints and plan.include_fatal and plan.channels == []
    assert plan.scorecard == Scorecard.objects.get(name="标准质检评分表", version=1)


def test_qa2_a_run_takes_complaints_fatal_findings_and_a_stratified_sample(
    plan, agents, specialists, manager, ticket
):
    within = WEEK + dt.timedelta(days=2)
    ordinary = [_contact(agents[i % 4], within + dt.timedelta(minutes=i)) for i in range(40)]
    complained = _contact(agents[0], within, tickets=[ticket])
    _complaint(ticket, within)
    fatal = _contact(agents[1], within)
    AutoCheck.objects.create(
        contact=fatal,
        findings=[{"category": "shirking"}],
        score=60,
        rules_version="t",
        checked_at=within,
    )
    minor = ordinary[0]
    AutoCheck.objects.create(
        contact=minor,
        findings=[{"category": "missing_greeting"}],
        score=90,
        rules_version="t",
        checked_at=within,
    )
    _contact(agents[2], WEEK - dt.timedelta(seconds=1))  # last week
    _contact(agents[2], within, state=ContactState.ACTIVE)  # not ended

    run = sampling_run(actor=manager, plan=plan, now=AFTER)

    assert run.period_start == WEEK and run.period_end == WEEK + dt.timedelta(days=7)
    inspections = {i.contact_id: i for i in Inspection.objects.filter(sampling_run=run)}
    assert inspections[complained.pk].reason == InspectionReason.COMPLAINT
    assert inspections[fatal.pk].reason == InspectionReason.FATAL
    sampled = [i for i in inspections.values() if i.reason == InspectionReason.SAMPLE]
    assert len(sampled) == 10  # 25 % of the 40 ordinary contacts
    assert all(count >= 2 for count in Counter(i.agent_id for i in sampled).values())
    assert run.considered == 42 and run.selected == 12
    assert run.stats["reasons"] == {"complaint": 1, "sample": 10, "fatal": 1, "manual": 0}
    assert {row["agent"] for row in run.stats["agents"]} == {a.pk for a in agents}
    for inspection in inspections.values():
        assert inspection.state == InspectionState.PENDING
        assert inspection.scorecard == plan.scorecard
        assert inspection.inspector in specialists
        assert inspection.team_id is None or inspection.team_id == inspection.contact.team_id
    assert inspections[fatal.pk].findings == [{"category": "shirking"}]
    assert AuditEvent.objects.filter(verb="sampling.run", object_id=str(run.pk)).exists()
    assert AuditEvent.objects.filter(verb="inspection.create").count() == 12
    assert AuditEvent.objects.filter(verb="inspection.assign").count() == 12


def test_qa2_a_second_run_adds_only_what_is_new(plan, agents, specialists, manager, ticket):
    within = WEEK + dt.timedelta(days=1)
    for i in range(20):
        _contact(agents[i % 2], within + dt.timedelta(minutes=i))
    first = sampling_run(actor=manager, plan=plan, now=AFTER)
    chosen = set(Inspection.objects.values_list("id", flat=True))
    again = sampling_run(actor=manager, plan=plan, now=AFTER + dt.timedelta(hours=1))
    assert again.pk == first.pk
    assert set(Inspection.objects.values_list("id", flat=True)) == chosen
    assert again.stats["added"] == 0 and again.stats["runs"] == 2
    # A complaint registered since, on a contact of the week, and a late contact.
    late = _contact(agents[0], within, tickets=[ticket])
    _complaint(ticket, AFTER)  # received after the week: still taken by the week of its receipt
    third = sampling_run(actor=manager, plan=plan, period_start=dt.date(2026, 3, 11), now=AFTER)
    assert Inspection.objects.get(contact=late).reason == InspectionReason.COMPLAINT
    assert Inspection.objects.get(contact=late).sampling_run == third
    assert SamplingRun.objects.filter(plan=plan).count() == 2


def test_qa2_every_complaint_ticket_without_contacts_is_inspected(
    plan, manager, specialists, agent, ticket
):
    _complaint(ticket, WEEK + dt.timedelta(hours=3))
    run = sampling_run(actor=manager, plan=plan, now=AFTER)
    inspection = Inspection.objects.get(sampling_run=run)
    assert inspection.ticket == ticket and inspection.contact is None
    assert inspection.reason == InspectionReason.COMPLAINT
    assert inspection.agent_id == ticket.assignee_id
    assert sampling_run(actor=manager, plan=plan, now=AFTER).stats["added"] == 0


def test_qa2_complaint_coverage_follows_the_standard(
    plan, manager, specialists, agents, monkeypatch
):
    from kefu.quality import sampling_services

    real = sampling_services.standard_value
    monkeypatch.setattr(
        sampling_services,
        "standard_value",
        lambda key: 50 if key == "qa_complaint_coverage" else real(key),
    )
    within = WEEK + dt.timedelta(days=3)
    for i in range(10):
        complaint_ticket = factories.make_ticket(actor=manager, subject=f"投诉{i}")
        _contact(agents[0], within, tickets=[complaint_ticket])
        _complaint(complaint_ticket, within)
    run = sampling_run(actor=manager, plan=plan, now=AFTER)
    assert run.stats["reasons"]["complaint"] == 5


def test_qa2_contacts_on_the_boundary_belong_to_the_shanghai_week(
    plan, manager, specialists, agents
):
    plan = sampling_plan_save(actor=manager, plan=plan, agent_minimum=0, ordinary_percent=30)
    inside_first = _contact(agents[0], WEEK)  # Monday 00:00 Shanghai = Sunday 16:00 UTC
    inside_last = _contact(agents[0], WEEK + dt.timedelta(days=7, microseconds=-1))
    _contact(agents[0], WEEK + dt.timedelta(days=7))  # next week
    _contact(agents[0], WEEK - dt.timedelta(microseconds=1))  # last week
    run = sampling_run(actor=manager, plan=plan, period_start=dt.date(2026, 3, 4), now=AFTER)
    assert run.period_start == WEEK
    assert run.considered == 2
    assert set(Inspection.objects.values_list("contact_id", flat=True)) <= {
        inside_first.pk,
        inside_last.pk,
    }
    assert timezone.localtime(run.period_start).tzinfo is not None


def test_a_contact_already_inspected_is_not_taken_again(plan, manager, specialists, agents):
    contact = _contact(agents[0], WEEK + dt.timedelta(days=1))
    Inspection.objects.create(
        contact=contact,
        scorecard=plan.scorecard,
        reason=InspectionReason.MANUAL,
        created_at=AFTER,
        updated_at=AFTER,
    )
    run = sampling_run(actor=manager, plan=plan, now=AFTER)
    assert run.selected == 0
    assert Inspection.objects.get(contact=contact).reason == InspectionReason.MANUAL


def test_the_channels_of_a_plan_limit_the_contacts(plan, manager, specialists, agents):
    plan = sampling_plan_save(actor=manager, plan=plan, channels=["chat"])
    _contact(agents[0], WEEK + dt.timedelta(days=1), kind="call")
    chat = _contact(agents[0], WEEK + dt.timedelta(days=1), kind="chat")
    run = sampling_run(actor=manager, plan=plan, now=AFTER)
    assert run.considered == 1
    assert list(Inspection.objects.values_list("contact_id", flat=True)) == [chat.pk]


def test_qa2_the_percentage_must_lie_in_the_standards_band(plan, manager):
    for bad in (19, "30.01", "abc", 100):
        with pytest.raises(InvalidInput) as error:
            sampling_plan_save(actor=manager, plan=plan, ordinary_percent=bad)
        assert error.value.field == "ordinary_percent"
    wrong: list[tuple[str, object]] = [
        ("agent_minimum", 1001),
        ("agent_minimum", -1),
        ("channels", ["fax"]),
    ]
    for field, value in wrong:
        with pytest.raises(InvalidInput) as error:
            sampling_plan_save(actor=manager, plan=plan, **{field: value})
        assert error.value.field == field
    with pytest.raises(InvalidInput) as error:
        sampling_plan_save(actor=manager, name=DEFAULT_PLAN, scorecard=plan.scorecard)
    assert error.value.field == "name"
    saved = sampling_plan_save(actor=manager, plan=plan, ordinary_percent="20", agent_minimum=0)
    assert saved.ordinary_percent == Decimal("20.00")
    event = AuditEvent.objects.filter(verb="sampling_plan.update").latest("id")
    assert event.before == {"ordinary_percent": "25.00", "agent_minimum": 2}


def test_who_may_run_and_edit_plans(plan, agent, qa, manager, team_lead):
    for person in (agent, team_lead):
        with pytest.raises(PermissionDenied):
            sampling_run(actor=person, plan=plan, now=AFTER)
        with pytest.raises(PermissionDenied):
            sampling_plan_save(actor=person, plan=plan, ordinary_percent=20)
    assert sampling_run(actor=qa, plan=plan, now=AFTER).selected == 0
    created = sampling_plan_save(
        actor=manager, name="日抽检", period="day", scorecard=plan.scorecard
    )
    assert created.ordinary_percent == Decimal("25")
    inactive = sampling_plan_save(actor=manager, plan=created, is_active=False)
    with pytest.raises(Conflict):
        sampling_run(actor=manager, plan=inactive, now=AFTER)


def test_the_daily_task_runs_each_active_plan_once_per_period(plan, agents, specialists):
    _contact(agents[0], WEEK + dt.timedelta(days=1))
    assert len(sampling_run_due(now=AFTER)) == 1
    assert sampling_run_due(now=AFTER + dt.timedelta(days=1)) == []
    assert SamplingRun.objects.get().period_start == WEEK


def test_the_daily_task_reruns_a_period_run_before_it_was_over(plan, agents, specialists):
    early = sampling_run(actor=None, plan=plan, period_start=WEEK, now=WEEK + dt.timedelta(days=2))
    _contact(agents[0], WEEK + dt.timedelta(days=5))
    assert [run.pk for run in sampling_run_due(now=AFTER)] == [early.pk]
    assert Inspection.objects.filter(sampling_run=early).count() == 1


# --- Balanced assignment -------------------------------------------------------------------


def _pending(plan, contacts):
    return [
        Inspection.objects.create(
            contact=contact,
            agent=contact.agent,
            scorecard=plan.scorecard,
            reason=InspectionReason.SAMPLE,
            created_at=AFTER,
            updated_at=AFTER,
        )
        for contact in contacts
    ]


def test_qa2_loads_differ_by_at_most_one_from_an_empty_start(plan, manager, specialists, agents):
    contacts = [_contact(agents[i % 4], WEEK) for i in range(17)]
    inspections = _pending(plan, contacts)
    assigned = inspections_assign_balanced(actor=manager, inspections=inspections)
    assert len(assigned) == 17
    load = Counter(Inspection.objects.values_list("inspector_id", flat=True))
    assert set(load) == {s.pk for s in specialists}
    assert max(load.values()) - min(load.values()) <= 1


def test_qa2_existing_open_load_is_counted_first(plan, manager, specialists, agents):
    busy = _pending(plan, [_contact(agents[0], WEEK) for _ in range(4)])
    Inspection.objects.filter(pk__in=[i.pk for i in busy]).update(inspector=specialists[0])
    done = _pending(plan, [_contact(agents[0], WEEK) for _ in range(3)])
    Inspection.objects.filter(pk__in=[i.pk for i in done]).update(
        inspector=specialists[1], state=InspectionState.FINAL
    )
    fresh = _pending(plan, [_contact(agents[1], WEEK) for _ in range(6)])
    inspections_assign_balanced(actor=manager, inspections=fresh)
    load = Counter(
        Inspection.objects.filter(pk__in=[i.pk for i in fresh]).values_list(
            "inspector_id", flat=True
        )
    )
    # Open loads 4, 0, 0 → the six new ones go to the two idle specialists, alternating (the
    # one with fewer in total first); the busy one stays at 4.
    assert load == {specialists[1].pk: 3, specialists[2].pk: 3}


def test_qa2_an_agent_never_inspects_their_own_contact(plan, manager, specialists):
    # A QA specialist who also took contacts.
    own = _pending(plan, [_contact(specialists[0], WEEK) for _ in range(5)])
    inspections_assign_balanced(actor=manager, inspections=own)
    assert not Inspection.objects.filter(inspector=specialists[0]).exists()
    assert Inspection.objects.filter(inspector__isnull=True).count() == 0


def test_inactive_specialists_get_nothing_and_agents_may_not_assign(
    plan, manager, specialists, agents, agent
):
    specialists[2].is_active = False
    specialists[2].save()
    inspections = _pending(plan, [_contact(agents[0], WEEK) for _ in range(4)])
    with pytest.raises(PermissionDenied):
        inspections_assign_balanced(actor=agent, inspections=inspections)
    inspections_assign_balanced(actor=manager, inspections=inspections)
    assert not Inspection.objects.filter(inspector=specialists[2]).exists()
