"""Sampling pages and API (QA-2): the plan list with band, workload and history, the plan
form, "run now", and the API's 201/422/403 answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kefu.accounts.services import api_token_create
from kefu.audit.models import AuditEvent
from kefu.channels.models import Contact, ContactState
from kefu.quality.models import Inspection, SamplingPlan, SamplingRun

API = "/api/v1/qa/sampling"
PLAN = "标准抽检计划"
EIGHT_DAYS_AGO = timezone.now() - dt.timedelta(days=8)


def client_for(user) -> Client:
    _token, key = api_token_create(actor=user, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def plan(db):
    return SamplingPlan.objects.get(name=PLAN)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _ended_contacts(agent, count: int, ended_at: dt.datetime) -> None:
    for number in range(count):
        Contact.objects.create(
            kind="call",
            external_id=f"pages-{number}",
            agent=agent,
            state=ContactState.ENDED,
            ended_at=ended_at,
            created_at=ended_at,
            updated_at=ended_at,
        )


def test_qa2_api_lists_creates_updates_and_runs_plans(manager, qa, agent, plan):
    api = client_for(manager)
    listed = api.get(f"{API}/plans").json()
    assert listed["band"] == {"min": "20", "max": "30"}
    assert [item["name"] for item in listed["items"]] == [PLAN]
    created = api.post(
        f"{API}/plans",
        {"name": "每日抽检", "period": "day", "scorecard": plan.scorecard_id, "channels": ["chat"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ordinary_percent"] == "25.00" and body["channels"] == ["chat"]
    changed = api.put(
        f"{API}/plans/{body['id']}", {"ordinary_percent": 30}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["ordinary_percent"] == "30.00"
    _ended_contacts(agent, 8, EIGHT_DAYS_AGO)
    day = timezone.localtime(EIGHT_DAYS_AGO).date().isoformat()
    ran = api.post(f"{API}/plans/{plan.pk}/run?period_start={day}")
    assert ran.status_code == 200, ran.content
    run = ran.json()
    assert run["selected"] == 2 and run["considered"] == 8  # minimum 2 beats 25 % of 8
    assert set(run["stats"]["reasons"]) == {"complaint", "fatal", "sample", "manual"}
    again = api.get(f"{API}/runs/{run['id']}")
    assert again.status_code == 200 and again.json()["selected"] == 2
    assert Inspection.objects.filter(inspector=qa).count() == 2
    assert api.get(f"{API}/runs/999999").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ordinary_percent": 35}, "ordinary_percent"),
        ({"ordinary_percent": "19.99"}, "ordinary_percent"),
        ({"agent_minimum": 1001}, "agent_minimum"),
        ({"channels": ["fax"]}, "channels"),
        ({"period": "year"}, "period"),
        ({"scorecard": 999999}, "scorecard"),
        ({"rate": "x"}, "rate"),  # not a field of a plan: refused, not ignored
        ({"ordinary_percent": 22, "rate": "x"}, "rate"),
    ],
)
def test_qa2_api_bad_input_is_422_with_the_field(manager, plan, body, field):
    response = client_for(manager).put(
        f"{API}/plans/{plan.pk}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    plan.refresh_from_db()
    assert str(plan.ordinary_percent) == "25.00"


def test_an_update_that_changes_nothing_is_200_without_an_audit_event(manager, plan):
    """As ticket and customer edits: the plan comes back as it is; nothing saved, no event."""
    api = client_for(manager)
    url = f"{API}/plans/{plan.pk}"
    for body in ({}, {"ordinary_percent": "25.00", "agent_minimum": plan.agent_minimum}):
        response = api.put(url, body, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["ordinary_percent"] == "25.00"
    assert not AuditEvent.objects.filter(verb="sampling_plan.update").exists()
    changed = api.put(url, {"agent_minimum": 3}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["agent_minimum"] == 3
    event = AuditEvent.objects.get(verb="sampling_plan.update")
    assert (event.before, event.after) == ({"agent_minimum": 2}, {"agent_minimum": 3})


def test_qa2_api_refuses_agents_and_team_leads(agent, team_lead, plan):
    for person in (agent, team_lead):
        api = client_for(person)
        assert api.get(f"{API}/plans").status_code == 403
        assert api.post(f"{API}/plans/{plan.pk}/run").status_code == 403
        response = api.put(
            f"{API}/plans/{plan.pk}", {"ordinary_percent": 20}, content_type="application/json"
        )
        assert response.status_code == 403
    assert not SamplingRun.objects.exists()


def test_the_sampling_page_shows_plans_band_workload_and_history(client, qa, agent, plan):
    _ended_contacts(agent, 5, EIGHT_DAYS_AGO)
    client.force_login(qa)
    response = client.post(
        f"/qa/sampling/plans/{plan.pk}/run/",
        {"period_start": timezone.localtime(EIGHT_DAYS_AGO).date().isoformat()},
    )
    run = SamplingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/qa/sampling/runs/{run.pk}/"
    page = client.get("/qa/sampling/")
    assert page.status_code == 200
    text = page.content.decode()
    assert PLAN in text and "20–30 %" in text
    assert "Run now" in text and "Workload of the QA specialists" in text
    assert "2 of 5 selected (40.0 %)" in text
    detail = client.get(f"/qa/sampling/runs/{run.pk}/").content.decode()
    assert "Per agent" in detail and "Sample: 2" in detail


def test_the_plan_form_shows_the_band_and_refuses_a_share_outside(client, manager, plan):
    client.force_login(manager)
    form = client.get(f"/qa/sampling/plans/{plan.pk}/")
    assert form.status_code == 200 and "The standard's band (QA-2): 20–30 %." in (
        form.content.decode()
    )
    data = {
        "name": plan.name,
        "ordinary_percent": "40",
        "agent_minimum": "2",
        "period": "week",
        "include_complaints": "on",
        "include_fatal": "on",
        "scorecard": plan.scorecard_id,
        "is_active": "on",
    }
    refused = client.post(f"/qa/sampling/plans/{plan.pk}/", data)
    assert refused.status_code == 422
    assert "ordinary_percent-errors" in refused.content.decode()
    saved = client.post(f"/qa/sampling/plans/{plan.pk}/", data | {"ordinary_percent": "22.5"})
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert str(plan.ordinary_percent) == "22.50"
    new = client.post(
        "/qa/sampling/plans/new/",
        data | {"name": "月度抽检", "period": "month", "ordinary_percent": "20"},
    )
    assert new.status_code == 302 and SamplingPlan.objects.filter(name="月度抽检").exists()


def test_agents_may_not_see_the_sampling_pages(client, agent, plan):
    client.force_login(agent)
    assert client.get("/qa/sampling/").status_code == 403
    assert client.get("/qa/sampling/plans/new/").status_code == 403
    assert client.post(f"/qa/sampling/plans/{plan.pk}/run/").status_code == 403
