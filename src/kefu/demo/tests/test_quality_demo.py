"""The demo center's QA center (QA-1…QA-5, SCR-1, SCR-4): inspections scored, accepted,
appealed, re-reviewed and final, a calibration session with scores, last month's suggestions,
the script library and the training plan — all made through the services, so audited."""

from __future__ import annotations

import pytest

from kefu.audit.models import AuditEvent
from kefu.demo.quality import HISTORY_CALLS, STANDARD_SCRIPTS, previous_month
from kefu.demo.seeding import seed_demo_center


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded center for the module (read-only tests), removed afterwards."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_demo_center(customers=40, tickets=120, days=30)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_demo_inspections_cover_the_workflow(demo):
    from kefu.quality.models import AppealOutcome, Inspection, InspectionState

    states = set(Inspection.objects.values_list("state", flat=True))
    assert {"pending", "in_review", "scored", "appealed", "final"} <= states
    scored = Inspection.objects.exclude(score=None)
    assert scored.filter(passed=True).exists()
    # QA-1: a red line (推诿, SCR-2) fails the inspection whatever the total.
    fatal = Inspection.objects.get(fatal=True)
    assert fatal.passed is False and fatal.state == InspectionState.SCORED
    assert any(f["category"] == "shirking" for f in fatal.findings)
    # The agent accepted one result: final without an appeal.
    accepted = AuditEvent.objects.filter(verb="inspection.accept").values_list(
        "object_id", flat=True
    )
    assert Inspection.objects.filter(
        pk__in=[int(pk) for pk in accepted], state="final", appeals=None
    ).exists()
    # One appeal is open, within the window.
    open_appeal = Inspection.objects.get(state=InspectionState.APPEALED)
    appeal = open_appeal.appeals.get()
    assert appeal.decided_at is None and appeal.agent_id == open_appeal.agent_id
    assert appeal.created_at < open_appeal.appeal_deadline
    # One appeal re-reviewed by the manager with a changed score, then final.
    decided = Inspection.objects.get(appeals__outcome=AppealOutcome.CHANGED)
    appeal = decided.appeals.get()
    assert decided.state == InspectionState.FINAL
    assert appeal.decided_by.username == "admin"
    assert appeal.score_after != appeal.score_before and appeal.score_after == decided.score
    # Every inspection is by qa1 (assigned or scored), none of qa1's own work.
    assert set(scored.values_list("inspector__username", flat=True)) == {"qa1"}
    for verb in ("inspection.start", "inspection.score", "inspection.appeal"):
        assert AuditEvent.objects.filter(verb=verb).exists(), verb
    assert AuditEvent.objects.filter(verb="inspection.re_review", actor__username="admin").exists()


@pytest.mark.django_db
def test_demo_calibration_session_has_scores_and_a_spread(demo):
    from kefu.quality.calibration import calibration_spread
    from kefu.quality.models import CalibrationSession

    session = CalibrationSession.objects.get()
    assert session.participants.count() >= 2
    assert set(session.scores.values_list("inspector__username", flat=True)) == {"qa1", "admin"}
    spread = calibration_spread(session)
    assert spread.n == 2 and spread.range > 0
    assert spread.disagreements


@pytest.mark.django_db
def test_demo_suggestions_scripts_and_training_plan(demo):
    from kefu.core.timeutils import local_date, now
    from kefu.knowledge.models import Script, ScriptSource, ScriptStage
    from kefu.people.models import TrainingTopic
    from kefu.quality.models import AutoCheck, ImprovementSuggestion

    month = previous_month(local_date(now()))
    # Last month's calls were checked then (QA-3), so last month's list has content (QA-5).
    history = AutoCheck.objects.filter(contact__external_id__startswith="demo-history-")
    assert history.count() == len(HISTORY_CALLS)
    assert all(local_date(check.checked_at).replace(day=1) == month for check in history)
    rows = ImprovementSuggestion.objects.filter(month=month)
    assert rows.filter(kind="script").count() >= 3
    assert rows.filter(kind="training").exists()
    accepted = rows.get(kind="script", state="accepted")
    assert accepted.title == "话术更新：推诿"
    from_qa = Script.objects.get(source=ScriptSource.QA_SUGGESTION)
    assert from_qa.suggestion_id == accepted.pk and accepted.accepted_as.endswith(str(from_qa.pk))
    # SCR-1, SCR-4: the standard scripts of every stage, in Chinese.
    manual = Script.objects.filter(source=ScriptSource.MANUAL)
    assert manual.count() == len(STANDARD_SCRIPTS)
    assert {
        ScriptStage.OPENING,
        ScriptStage.NEED_CONFIRMATION,
        ScriptStage.EMPATHY,
        ScriptStage.ANSWER,
        ScriptStage.CLOSING,
    } <= set(manual.values_list("stage", flat=True))
    assert manual.filter(text__contains="为了更好地帮您解决问题").exists()
    assert AuditEvent.objects.filter(verb="script.create").count() == Script.objects.count()
    # TRN-2: two topics this month, one from an accepted suggestion.
    topics = TrainingTopic.objects.filter(month=local_date(now()).replace(day=1))
    assert topics.count() == 2
    assert topics.filter(suggestion__state="accepted").count() == 1
