"""Inspections by people (QA-2) scored on a scorecard (QA-1): every legal transition of
pending → in_review → scored → appealed → re_reviewed → final (and scored → final), illegal
ones refused with a 409, the whole appeal flow, the appeal window, the periodic task that
finalizes expired inspections, fatal items, tickets without a contact."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from kefu.core.models import TaskRun
from kefu.quality import inspection_services as services
from kefu.quality.inspection_tasks import finalize_expired_inspections
from kefu.quality.models import (
    Appeal,
    AppealOutcome,
    Inspection,
    InspectionReason,
    InspectionState,
    Scorecard,
)
from kefu.quality.tests.inspection_data import (
    RUDE,
    chat_contact,
    make_scorecard,
    manual_ids,
    scores,
)
from kefu.tests_support import factories
from kefu.tests_support.time_machine import TimeMachine
from kefu.tickets.services import ticket_comment

pytestmark = pytest.mark.django_db
S = InspectionState


@pytest.fixture
def clock():
    with TimeMachine() as machine:
        machine.at(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC))
        yield machine


@pytest.fixture
def qa2(db):
    return factories.UserFactory(username="qa2", roles=[Role.QA_SPECIALIST])


@pytest.fixture
def card(db):
    return make_scorecard()


def _inspection(qa, agent, card, *, rude=False, state=S.PENDING, **marks):
    inspection = services.inspection_create(
        actor=qa,
        contact=chat_contact(agent, rude=rude),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=qa,
    )
    if state == S.PENDING:
        return inspection
    services.inspection_start(actor=qa, inspection=inspection)
    if state == S.IN_REVIEW:
        return _fresh(inspection)
    services.inspection_score(
        actor=qa,
        inspection=inspection,
        manual_scores=scores(card, marks.get("solved", 1), marks.get("sound", 1)),
    )
    return _fresh(inspection)


def _fresh(inspection: Inspection) -> Inspection:
    return Inspection.objects.get(pk=inspection.pk)


# -- create -------------------------------------------------------------------------------------


def test_create_takes_the_contacts_agent_team_and_the_active_default_scorecard(qa, agent, team):
    contact = chat_contact(agent)
    inspection = services.inspection_create(
        actor=qa, contact=contact, reason=InspectionReason.MANUAL
    )
    assert inspection.state == S.PENDING
    assert (inspection.agent_id, inspection.team_id) == (agent.pk, team.pk)
    default = Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()
    assert inspection.scorecard_id == default.pk
    again = services.inspection_create(actor=None, contact=contact, reason=InspectionReason.SAMPLE)
    assert again.pk == inspection.pk
    assert Inspection.objects.count() == 1
    assert AuditEvent.objects.filter(verb="inspection.create").count() == 1


def test_create_for_a_ticket_takes_its_assignee_and_team(manager, agent, team, ticket, card):
    ticket.assignee, ticket.team = agent, team
    ticket.save(update_fields=["assignee", "team"])
    inspection = services.inspection_create(
        actor=manager, ticket=ticket, reason=InspectionReason.COMPLAINT, scorecard=card
    )
    assert (inspection.contact_id, inspection.ticket_id) == (None, ticket.pk)
    assert (inspection.agent_id, inspection.team_id) == (agent.pk, team.pk)
    assert (
        services.inspection_create(actor=None, ticket=ticket, reason=InspectionReason.SAMPLE).pk
        == inspection.pk
    )


def test_create_needs_a_target_a_known_reason_and_the_right_role(qa, agent, card):
    with pytest.raises(InvalidInput) as exc:
        services.inspection_create(actor=qa, reason=InspectionReason.MANUAL)
    assert exc.value.field == "contact"
    with pytest.raises(InvalidInput) as exc:
        services.inspection_create(actor=qa, contact=chat_contact(agent), reason="whim")
    assert exc.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.inspection_create(
            actor=agent, contact=chat_contact(agent), reason=InspectionReason.MANUAL
        )
    assert not Inspection.objects.exists()


# -- every legal transition -------------------------------------------------------------------


def test_pending_in_review_scored_final_by_acceptance(clock, qa, agent, card):
    inspection = _inspection(qa, agent, card)
    services.inspection_start(actor=qa, inspection=inspection)
    assert _fresh(inspection).state == S.IN_REVIEW
    services.inspection_score(
        actor=qa,
        inspection=inspection,
        manual_scores=scores(card, 1, "0.5"),
        item_comments={manual_ids(card)[1]: "方案可以更具体"},
        comment="整体良好",
    )
    scored = _fresh(inspection)
    assert scored.state == S.SCORED
    # (2 auto + 2 × 1 + 1 × 0.5) / 5 = 90 %.
    assert scored.score == 90.0
    assert scored.passed is True and scored.fatal is False
    assert scored.scored_at == clock.now()
    assert scored.appeal_deadline == scored.scored_at + dt.timedelta(hours=72)
    assert scored.item_comments == {manual_ids(card)[1]: "方案可以更具体"}
    assert scored.result["total"] == 90.0
    services.inspection_accept(actor=agent, inspection=scored)
    final = _fresh(inspection)
    assert final.state == S.FINAL and final.final_at == clock.now()
    verbs = list(
        AuditEvent.objects.filter(object_id=str(inspection.pk), verb__startswith="inspection.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "inspection.create",
        "inspection.start",
        "inspection.score",
        "inspection.accept",
    ]


def test_the_whole_appeal_flow_changes_the_score(clock, qa, qa2, agent, card):
    inspection = _inspection(qa, agent, card, state=S.SCORED, solved=0, sound="0.5")
    assert inspection.score == 50.0 and inspection.passed is False
    clock.move(dt.timedelta(hours=70))  # inside the 72 h window
    appeal = services.inspection_appeal(
        actor=agent, inspection=inspection, reason="客户当场表示问题已解决"
    )
    assert _fresh(inspection).state == S.APPEALED
    assert (appeal.agent_id, appeal.score_before, appeal.outcome) == (agent.pk, 50.0, "")
    services.inspection_re_review(
        actor=qa2,
        inspection=inspection,
        manual_scores=scores(card, 1, 1),
        decision="录音证实问题已解决，改判",
    )
    reviewed = _fresh(inspection)
    assert reviewed.state == S.RE_REVIEWED
    assert reviewed.score == 100.0 and reviewed.passed is True
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.outcome == AppealOutcome.CHANGED
    assert (appeal.score_before, appeal.score_after) == (50.0, 100.0)
    assert appeal.decided_by_id == qa2.pk and appeal.decided_at == clock.now()
    services.inspection_finalize(actor=qa2, inspection=reviewed)
    assert _fresh(inspection).state == S.FINAL


def test_a_re_review_with_the_same_scores_upholds_the_result(qa, qa2, agent, card):
    inspection = _inspection(qa, agent, card, state=S.SCORED, solved=0, sound=1)
    services.inspection_appeal(actor=agent, inspection=inspection, reason="不同意")
    services.inspection_re_review(
        actor=qa2, inspection=inspection, manual_scores=scores(card, 0, 1), decision="维持"
    )
    appeal = Appeal.objects.get(inspection=inspection)
    assert appeal.outcome == AppealOutcome.UPHELD
    assert appeal.score_before == appeal.score_after == 60.0


def test_appeal_after_the_deadline_is_a_conflict(clock, qa, agent, card):
    inspection = _inspection(qa, agent, card, state=S.SCORED)
    clock.move(dt.timedelta(hours=72))
    with pytest.raises(Conflict) as exc:
        services.inspection_appeal(actor=agent, inspection=inspection, reason="太晚了")
    assert "appeal window closed" in exc.value.message
    assert _fresh(inspection).state == S.SCORED
    assert not Appeal.objects.exists()


def test_the_appeal_window_comes_from_the_standard(clock, qa, agent, card, monkeypatch):
    monkeypatch.setattr(services, "standard_value", lambda key: "24h")
    inspection = _inspection(qa, agent, card, state=S.SCORED)
    assert inspection.appeal_deadline == clock.now() + dt.timedelta(hours=24)


def test_expired_scored_inspections_are_finalized_by_the_task(clock, qa, agent, card):
    old = _inspection(qa, agent, card, state=S.SCORED)
    clock.move(dt.timedelta(hours=48))
    recent = _inspection(qa, agent, card, state=S.SCORED)
    appealed = _inspection(qa, agent, card, state=S.SCORED)
    services.inspection_appeal(actor=agent, inspection=appealed, reason="申诉")
    clock.move(dt.timedelta(hours=25))  # old: 73 h after scoring, recent: 25 h
    finalize_expired_inspections.call_local()
    assert _fresh(old).state == S.FINAL
    assert _fresh(old).final_at == clock.now()
    assert _fresh(recent).state == S.SCORED
    assert _fresh(appealed).state == S.APPEALED
    run = TaskRun.objects.get(name="quality.finalize_expired_inspections")
    assert run.counts == {"finalized": 1}
    event = AuditEvent.objects.get(verb="inspection.window_passed")
    assert event.actor is None and event.object_id == str(old.pk)
    assert services.inspections_finalize_expired(now=clock.now()) == 0


# -- scoring ------------------------------------------------------------------------------------


def test_a_failed_fatal_item_fails_the_inspection(qa, agent, card):
    inspection = _inspection(qa, agent, card, rude=True, state=S.SCORED)
    # 不推诿 (fatal) failed: (0 + 2 + 1) / 5 = 60, and failed whatever the pass mark.
    assert inspection.fatal is True
    assert inspection.passed is False
    assert inspection.score == 60.0
    assert any(f["category"] == "shirking" for f in inspection.findings)


def test_the_default_scorecard_and_a_missing_check_run_on_scoring(qa, agent):
    contact = chat_contact(agent, rude=True)
    assert not hasattr(contact, "auto_check")
    inspection = services.inspection_create(
        actor=qa, contact=contact, reason=InspectionReason.MANUAL
    )
    services.inspection_start(actor=qa, inspection=inspection)
    manual = {str(item.pk): 1 for item in inspection.scorecard.items.filter(kind="manual")}
    services.inspection_score(actor=qa, inspection=inspection, manual_scores=manual)
    scored = _fresh(inspection)
    assert scored.fatal is True and scored.passed is False
    assert contact.__class__.objects.get(pk=contact.pk).auto_check is not None


def test_a_ticket_without_a_contact_is_checked_on_its_public_replies(qa, agent, ticket, card):
    ticket_comment(actor=agent, ticket=ticket, body=RUDE, public=True)
    ticket_comment(actor=agent, ticket=ticket, body="你自己去问财务，这不是我的职责", public=False)
    transcript = services.ticket_transcript(ticket)
    assert [s.speaker for s in transcript.segments] == ["agent"]
    inspection = services.inspection_create(
        actor=qa, ticket=ticket, reason=InspectionReason.MANUAL, scorecard=card, inspector=qa
    )
    services.inspection_start(actor=qa, inspection=inspection)
    services.inspection_score(actor=qa, inspection=inspection, manual_scores=scores(card, 1, 1))
    scored = _fresh(inspection)
    assert scored.fatal is True
    assert scored.findings[0]["text"] == RUDE


@pytest.mark.parametrize(
    ("manual", "field_suffix"),
    [
        ({"solved": 1.5}, 0),
        ({"solved": -1}, 0),
        ({"solved": "x"}, 0),
        ({"solved": True}, 0),
        ({"missing": True}, 1),
        ({"unknown": True}, None),
        ({"auto": True}, "auto"),
    ],
)
def test_bad_manual_scores_are_refused_naming_the_item(qa, agent, card, manual, field_suffix):
    inspection = _inspection(qa, agent, card, state=S.IN_REVIEW)
    solved, sound = manual_ids(card)
    auto_id = str(card.items.get(kind="auto").pk)
    values = {solved: 1, sound: 1}
    if "solved" in manual:
        values[solved] = manual["solved"]
    if "missing" in manual:
        values.pop(sound)
    if "unknown" in manual:
        values["999999"] = 1
    if "auto" in manual:
        values[auto_id] = 1
    with pytest.raises(InvalidInput) as exc:
        services.inspection_score(actor=qa, inspection=inspection, manual_scores=values)
    expected = {0: solved, 1: sound, None: "999999", "auto": auto_id}[field_suffix]
    assert exc.value.field == f"manual_scores.{expected}"
    assert _fresh(inspection).state == S.IN_REVIEW
    assert not AuditEvent.objects.filter(verb="inspection.score").exists()


# -- illegal transitions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.PENDING, "score"),
        (S.PENDING, "accept"),
        (S.PENDING, "appeal"),
        (S.PENDING, "finalize"),
        (S.IN_REVIEW, "start"),
        (S.IN_REVIEW, "accept"),
        (S.IN_REVIEW, "re_review"),
        (S.SCORED, "start"),
        (S.SCORED, "score"),
        (S.SCORED, "re_review"),
        (S.SCORED, "finalize"),
        (S.APPEALED, "accept"),
        (S.APPEALED, "appeal"),
        (S.APPEALED, "finalize"),
        (S.RE_REVIEWED, "appeal"),
        (S.RE_REVIEWED, "re_review"),
        (S.FINAL, "accept"),
        (S.FINAL, "appeal"),
        (S.FINAL, "finalize"),
        (S.FINAL, "start"),
    ],
)
def test_illegal_transitions_are_conflicts(qa, qa2, manager, agent, card, state, action):
    inspection = _inspection(qa, agent, card, state=S.PENDING if state == S.PENDING else S.SCORED)
    if state == S.IN_REVIEW:
        inspection = _inspection(qa, agent, card, state=S.IN_REVIEW)
    if state in (S.APPEALED, S.RE_REVIEWED):
        services.inspection_appeal(actor=agent, inspection=inspection, reason="申诉")
    if state == S.RE_REVIEWED:
        services.inspection_re_review(
            actor=qa2, inspection=inspection, manual_scores=scores(card, 1, 1), decision="改判"
        )
    if state == S.FINAL:
        services.inspection_accept(actor=agent, inspection=inspection)
    inspection = _fresh(inspection)
    assert inspection.state == state
    calls = {
        "start": lambda: services.inspection_start(actor=manager, inspection=inspection),
        "score": lambda: services.inspection_score(
            actor=manager, inspection=inspection, manual_scores=scores(card, 1, 1)
        ),
        "accept": lambda: services.inspection_accept(actor=agent, inspection=inspection),
        "appeal": lambda: services.inspection_appeal(
            actor=agent, inspection=inspection, reason="再申诉"
        ),
        "re_review": lambda: services.inspection_re_review(
            actor=manager, inspection=inspection, manual_scores=scores(card, 1, 1), decision="x"
        ),
        "finalize": lambda: services.inspection_finalize(actor=manager, inspection=inspection),
    }
    before = AuditEvent.objects.count()
    # The agent does not see an inspection before it is scored: 404 rather than 409.
    hidden = state in (S.PENDING, S.IN_REVIEW) and action in ("accept", "appeal")
    with pytest.raises(NotFound if hidden else Conflict) as exc:
        calls[action]()
    assert exc.value.status_code == (404 if hidden else 409)
    assert exc.value.message
    assert _fresh(inspection).state == state
    assert AuditEvent.objects.count() == before


def test_the_transitions_map_is_the_documented_one():
    assert {
        "pending": {"in_review"},
        "in_review": {"scored"},
        "scored": {"appealed", "final"},
        "appealed": {"re_reviewed"},
        "re_reviewed": {"final"},
        "final": set(),
    } == services.TRANSITIONS
    with pytest.raises(TransitionNotAllowed, match="cannot move"):
        services.inspection_check_transition(Inspection(state=S.FINAL), S.SCORED)


# -- who may act --------------------------------------------------------------------------------


def test_only_the_assigned_inspector_or_a_manager_starts(qa, qa2, manager, agent, card):
    inspection = _inspection(qa, agent, card)
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=qa2, inspection=inspection)
    services.inspection_start(actor=manager, inspection=inspection)
    assert _fresh(inspection).inspector_id == qa.pk


def test_a_qa_specialist_takes_an_unassigned_inspection_by_starting_it(qa, agent, card):
    inspection = services.inspection_create(
        actor=None, contact=chat_contact(agent), reason=InspectionReason.SAMPLE, scorecard=card
    )
    services.inspection_start(actor=qa, inspection=inspection)
    assert _fresh(inspection).inspector_id == qa.pk


def test_assign_needs_the_assign_permission_and_an_inspector(
    qa, qa2, manager, agent, team_lead, card
):
    inspection = _inspection(qa, agent, card)
    services.inspection_assign(actor=qa, inspection=inspection, inspector=qa2)
    assert _fresh(inspection).inspector_id == qa2.pk
    with pytest.raises(InvalidInput) as exc:
        services.inspection_assign(actor=manager, inspection=inspection, inspector=agent)
    assert exc.value.field == "inspector"
    with pytest.raises(PermissionDenied):
        services.inspection_assign(actor=agent, inspection=inspection, inspector=qa)


def test_only_the_inspected_agent_accepts_or_appeals(qa, agent, other_agent, manager, card):
    inspection = _inspection(qa, agent, card, state=S.SCORED)
    with pytest.raises(PermissionDenied):
        services.inspection_appeal(actor=manager, inspection=inspection, reason="代申诉")
    with pytest.raises(PermissionDenied):
        services.inspection_accept(actor=qa, inspection=inspection)
    with pytest.raises(InvalidInput) as exc:
        services.inspection_appeal(actor=agent, inspection=inspection, reason="   ")
    assert exc.value.field == "reason"
    assert _fresh(inspection).state == S.SCORED


def test_the_original_inspector_may_not_re_review_unless_a_manager(qa, manager, agent, card):
    inspection = _inspection(qa, agent, card, state=S.SCORED)
    services.inspection_appeal(actor=agent, inspection=inspection, reason="申诉")
    with pytest.raises(PermissionDenied, match="original inspector"):
        services.inspection_re_review(
            actor=qa, inspection=inspection, manual_scores=scores(card, 1, 1), decision="x"
        )
    # A manager who inspected it may re-review it.
    other = services.inspection_create(
        actor=manager,
        contact=chat_contact(agent),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=manager,
    )
    services.inspection_start(actor=manager, inspection=other)
    services.inspection_score(actor=manager, inspection=other, manual_scores=scores(card, 0, 0))
    services.inspection_appeal(actor=agent, inspection=other, reason="申诉")
    services.inspection_re_review(
        actor=manager, inspection=other, manual_scores=scores(card, 1, 0), decision="部分改判"
    )
    assert _fresh(other).state == S.RE_REVIEWED


def test_nobody_inspects_their_own_work(qa, manager, card):
    contact = chat_contact(manager)
    with pytest.raises(InvalidInput) as exc:
        services.inspection_create(
            actor=qa,
            contact=contact,
            reason=InspectionReason.MANUAL,
            scorecard=card,
            inspector=manager,
        )
    assert exc.value.field == "inspector"
    inspection = services.inspection_create(
        actor=qa, contact=contact, reason=InspectionReason.MANUAL, scorecard=card
    )
    with pytest.raises(PermissionDenied, match="own work"):
        services.inspection_start(actor=manager, inspection=inspection)
    services.inspection_start(actor=qa, inspection=inspection)
    with pytest.raises(PermissionDenied, match="own work"):
        services.inspection_score(
            actor=manager, inspection=inspection, manual_scores=scores(card, 1, 1)
        )
