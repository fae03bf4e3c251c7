"""The monthly "script update and training topics" list (QA-5, IMP-1, SCR-4, TRN-2): drawn
idempotently from a month's findings, accepted (edited first) into the script library or the
training plan, or dismissed; proposed → accepted | dismissed only (409); who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from kefu.core.models import TaskRun
from kefu.core.timeutils import local_date, now
from kefu.knowledge.models import Script, ScriptSource
from kefu.people.models import TrainingTopic
from kefu.quality.insight_tasks import previous_month, suggestions_draw_previous_month
from kefu.quality.models import ImprovementSuggestion
from kefu.quality.suggestions import suggestion_accept, suggestion_dismiss, suggestions_draw
from kefu.quality.tests.insight_data import (
    auto_check,
    client_for,
    contact,
    finding,
    inspection,
    moment,
    trainer,
)

pytestmark = pytest.mark.django_db
SHIRK_FIX = "我会帮您转接至相关同事，请您稍等。"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The draw reads customer topics through Django's cache; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def month():
    return previous_month(local_date(now()))


@pytest.fixture
def findings(month, agent):
    """Last month: 推诿 in three contacts, a missing closing in one, customers about 退款."""
    at = moment(month + dt.timedelta(days=3))
    shirk = finding("shirking", "这不归我们管", SHIRK_FIX)
    closing = finding("missing_closing", "", "感谢您的来电，祝您生活愉快，再见！", "CLS-2")
    for index in range(3):
        row = contact(
            agent=agent, at=at, turns=[("customer", "我想申请退款，冰箱不制冷"), ("agent", "好的")]
        )
        auto_check(row, [shirk] + ([closing] if index == 0 else []), at=at)
    inspection(agent=agent, passed=False, at=at, failed_items=["问题是否解决"])


def _titles(rows):
    return {(row.kind, row.title) for row in rows}


def test_draw_proposes_scripts_and_training_and_is_idempotent(findings, month, qa):
    rows = suggestions_draw(actor=qa, month=month)
    titles = _titles(rows)
    assert ("script", "话术更新：推诿") in titles
    assert ("script", "话术更新：缺少结束语") in titles
    assert ("training", "培训：推诿") in titles
    assert ("training", "培训：问题是否解决") in titles
    assert any(kind == "training" and title.startswith("业务培训：") for kind, title in titles)
    script = next(row for row in rows if row.title == "话术更新：推诿")
    assert SHIRK_FIX in script.detail and "这不归我们管" in script.detail
    assert script.evidence["count"] == 3 and script.evidence["stage"] == "answer"
    assert script.evidence["examples"][0]["evidence"] == "这不归我们管"
    assert all(row.month == month and row.state == "proposed" for row in rows)

    again = suggestions_draw(actor=qa, month=month + dt.timedelta(days=9))
    assert sorted(row.pk for row in again) == sorted(row.pk for row in rows)
    assert ImprovementSuggestion.objects.count() == len(rows)
    assert AuditEvent.objects.filter(verb="improvement_suggestion.draw").count() == 2


def test_draw_leaves_decided_rows_alone(findings, month, qa, agent):
    rows = suggestions_draw(actor=qa, month=month)
    script = next(row for row in rows if row.title == "话术更新：推诿")
    suggestion_dismiss(actor=qa, suggestion=script)
    at = moment(month + dt.timedelta(days=4))
    auto_check(contact(agent=agent, at=at), [finding("shirking", "不关我的事", SHIRK_FIX)], at=at)
    suggestions_draw(actor=qa, month=month)
    script.refresh_from_db()
    assert script.state == "dismissed" and script.evidence["count"] == 3


def test_accept_a_script_suggestion_edited_into_the_library(findings, month):
    person = trainer()
    rows = suggestions_draw(actor=person, month=month)
    row = next(row for row in rows if row.title == "话术更新：推诿")
    accepted = suggestion_accept(
        actor=person, suggestion=row, text="我帮您转接财务同事，请稍等，不挂断。"
    )
    script = Script.objects.get()
    assert accepted.state == "accepted" and accepted.decided_by == person
    assert accepted.accepted_as == f"knowledge.Script:{script.pk}"
    assert (script.title, script.stage, script.category, script.replaces) == (
        "推诿",
        "answer",
        "shirking",
        "这不归我们管",
    )
    assert script.text == "我帮您转接财务同事，请稍等，不挂断。"
    assert script.source == ScriptSource.QA_SUGGESTION and script.suggestion == accepted
    with pytest.raises(TransitionNotAllowed):
        suggestion_accept(actor=person, suggestion=row)
    with pytest.raises(TransitionNotAllowed):
        suggestion_dismiss(actor=person, suggestion=row)
    assert Script.objects.count() == 1


def test_accept_a_training_suggestion_into_next_months_plan(findings, month, manager, team):
    rows = suggestions_draw(actor=manager, month=month)
    row = next(row for row in rows if row.title == "培训：推诿")
    accepted = suggestion_accept(actor=manager, suggestion=row, teams=[team.pk])
    topic = TrainingTopic.objects.get()
    assert accepted.accepted_as == f"people.TrainingTopic:{topic.pk}"
    assert topic.month == (month + dt.timedelta(days=32)).replace(day=1)
    assert topic.title == "培训：推诿" and topic.suggestion == accepted
    assert list(topic.teams.all()) == [team]


def test_qa_specialist_accepts_training_without_keeping_the_plan(findings, month, qa):
    """QA specialists decide suggestions (QA-5) though they do not keep the plan by hand."""
    row = next(r for r in suggestions_draw(actor=qa, month=month) if r.kind == "training")
    suggestion_accept(actor=qa, suggestion=row, title="本月培训：杜绝推诿")
    assert TrainingTopic.objects.get().title == "本月培训：杜绝推诿"


def test_dismiss_and_no_second_decision(findings, month, qa):
    row = suggestions_draw(actor=qa, month=month)[0]
    assert suggestion_dismiss(actor=qa, suggestion=row, reason="已有同类话术").state == "dismissed"
    with pytest.raises(TransitionNotAllowed):
        suggestion_accept(actor=qa, suggestion=row)


def test_permissions(findings, month, agent, team_lead, qa):
    with pytest.raises(PermissionDenied):
        suggestions_draw(actor=agent, month=month)
    with pytest.raises(PermissionDenied):
        suggestions_draw(actor=team_lead, month=month)
    row = suggestions_draw(actor=qa, month=month)[0]
    for person in (agent, team_lead):
        with pytest.raises(PermissionDenied):
            suggestion_accept(actor=person, suggestion=row)
        with pytest.raises(PermissionDenied):
            suggestion_dismiss(actor=person, suggestion=row)


def test_bad_input(findings, month, qa):
    with pytest.raises(InvalidInput) as exc:
        suggestions_draw(actor=qa, month=local_date(now()) + dt.timedelta(days=40))
    assert exc.value.field == "month"
    row = next(r for r in suggestions_draw(actor=qa, month=month) if r.kind == "script")
    with pytest.raises(InvalidInput) as exc:
        suggestion_accept(actor=qa, suggestion=row, stage="middle")
    assert exc.value.field == "stage"
    with pytest.raises(InvalidInput) as exc:
        suggestion_accept(actor=qa, suggestion=row, text="  ")
    assert exc.value.field == "text"
    row.refresh_from_db()
    assert row.state == "proposed" and not Script.objects.exists()


def test_monthly_task_draws_last_month(findings, month):
    assert suggestions_draw_previous_month() > 0
    assert ImprovementSuggestion.objects.filter(month=month).exists()
    run = TaskRun.objects.get(name="quality.suggestions_draw")
    assert run.outcome == "succeeded" and run.counts["month"] == f"{month:%Y-%m}"


def test_api_draw_list_accept_dismiss(findings, month, qa, agent, team_lead):
    client = client_for(qa)
    drawn = client.post(
        "/api/v1/qa/insights/suggestions",
        {"month": f"{month:%Y-%m}"},
        content_type="application/json",
    )
    assert drawn.status_code == 200
    rows = drawn.json()
    script = next(row for row in rows if row["title"] == "话术更新：推诿")
    listed = client.get("/api/v1/qa/insights/suggestions", {"month": f"{month:%Y-%m}"}).json()
    assert {row["id"] for row in listed} == {row["id"] for row in rows}
    accept = f"/api/v1/qa/insights/suggestions/{script['id']}/accept"
    response = client.post(
        accept, {"title": "转接话术", "stage": "answer"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["accepted_as"].startswith("knowledge.Script:")
    assert Script.objects.get().title == "转接话术"
    assert client.post(accept, {}, content_type="application/json").status_code == 409
    other = next(row for row in rows if row["kind"] == "training")
    dismiss = f"/api/v1/qa/insights/suggestions/{other['id']}/dismiss"
    assert client.post(dismiss, {}, content_type="application/json").json()["state"] == "dismissed"
    assert client.post(dismiss, {}, content_type="application/json").status_code == 409
    # Bad input: 422 with the field.
    bad = client.post(
        "/api/v1/qa/insights/suggestions", {"month": "2026-13"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["field"] == "month"
    assert client.get("/api/v1/qa/insights/suggestions", {"month": "x"}).status_code == 422
    assert (
        client.post(
            "/api/v1/qa/insights/suggestions/999999/accept", {}, content_type="application/json"
        ).status_code
        == 404
    )
    # Agents may not even read them; team leads read but do not decide.
    assert client_for(agent).get("/api/v1/qa/insights/suggestions").status_code == 403
    lead = client_for(team_lead)
    assert lead.get("/api/v1/qa/insights/suggestions").status_code == 200
    third = next(
        row
        for row in rows
        if row["state"] == "proposed" and row["id"] not in (script["id"], other["id"])
    )
    assert (
        lead.post(
            f"/api/v1/qa/insights/suggestions/{third['id']}/dismiss",
            {},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_pages_draw_accept_and_dismiss(client, settings, findings, month, agent):
    settings.LANGUAGE_CODE = "en"
    person = trainer()
    client.force_login(person)
    response = client.post("/qa/suggestions/draw/", {"month": f"{month:%Y-%m}"})
    assert response.status_code == 302
    page = client.get("/qa/suggestions/", {"month": f"{month:%Y-%m}"})
    assert page.status_code == 200 and "话术更新：推诿" in page.content.decode()
    row = ImprovementSuggestion.objects.get(title="话术更新：推诿")
    form = client.get(f"/qa/suggestions/{row.pk}/accept/")
    assert form.status_code == 200 and SHIRK_FIX in form.content.decode()
    done = client.post(
        f"/qa/suggestions/{row.pk}/accept/",
        {
            "stage": "answer",
            "title": "转接",
            "text": "我帮您转接。",
            "replaces": "",
            "category": "shirking",
        },
    )
    assert done.status_code == 302
    assert Script.objects.get().text == "我帮您转接。"
    again = client.post(
        f"/qa/suggestions/{row.pk}/accept/",
        {"stage": "answer", "title": "转接", "text": "我帮您转接。"},
    )
    assert again.status_code == 422 and Script.objects.count() == 1
    other = ImprovementSuggestion.objects.filter(state="proposed").first()
    assert client.post(f"/qa/suggestions/{other.pk}/dismiss/").status_code == 302
    other.refresh_from_db()
    assert other.state == "dismissed"
    client.force_login(agent)
    assert client.get("/qa/suggestions/").status_code == 403
    assert client.post(f"/qa/suggestions/{row.pk}/dismiss/").status_code == 403


def test_suggestion_examples_are_shown_masked(client, month, agent, qa):
    """SEC-3 (review finding 2): a draw stores masked examples, and a row stored before masking
    is shown masked on the page and in the API."""
    at = moment(month + dt.timedelta(days=3))
    for _ in range(3):
        row = contact(agent=agent, at=at, turns=[("customer", "我的电话是13812345678，要退款")])
        auto_check(row, [finding("shirking", "您打13812345678问", SHIRK_FIX)], at=at)
    rows = suggestions_draw(actor=qa, month=month)
    assert "13812345678" not in str([row.evidence for row in rows])
    script = ImprovementSuggestion.objects.get(title="话术更新：推诿")
    script.evidence = {
        **script.evidence,
        "examples": [{"contact_id": 1, "evidence": "电话13812345678", "text": "电话13812345678"}],
    }
    script.save(update_fields=["evidence"])
    body = client_for(qa).get("/api/v1/qa/insights/suggestions", {"month": f"{month:%Y-%m}"})
    assert body.status_code == 200
    assert "13812345678" not in body.content.decode() and "138****5678" in body.content.decode()
    client.force_login(qa)
    page = client.get("/qa/suggestions/", {"month": f"{month:%Y-%m}"}).content.decode()
    assert "13812345678" not in page and "138****5678" in page
    script.refresh_from_db()
    assert script.evidence["examples"][0]["text"] == "电话13812345678"  # shown, never saved
