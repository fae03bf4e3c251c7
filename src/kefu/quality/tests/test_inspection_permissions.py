"""Who sees and moves which inspection (QA-2), through the selectors and the API at
/api/v1/qa/inspections: an agent sees only their own inspections and only once scored (404
for anything else, never 403), a team lead their team's, QA specialists, managers and
administrators all; illegal moves are 409, bad scores 422 naming the item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from kefu.accounts.roles import Role
from kefu.quality import inspection_selectors as selectors
from kefu.quality import inspection_services as services
from kefu.quality.models import Inspection, InspectionReason, InspectionState
from kefu.quality.tests.inspection_data import chat_contact, client_for, make_scorecard, scores
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db
S = InspectionState
URL = "/api/v1/qa/inspections"


@pytest.fixture
def card(db):
    return make_scorecard()


@pytest.fixture
def admin(db):
    return factories.UserFactory(username="admin", roles=[Role.ADMIN])


@pytest.fixture
def qa2(db):
    return factories.UserFactory(username="qa2", roles=[Role.QA_SPECIALIST])


@pytest.fixture
def teammate(team):
    return factories.UserFactory(username="teammate", roles=[Role.AGENT], team=team)


def _make(qa, agent, card, *, scored: bool):
    inspection = services.inspection_create(
        actor=qa,
        contact=chat_contact(agent),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=qa,
    )
    if scored:
        services.inspection_start(actor=qa, inspection=inspection)
        services.inspection_score(actor=qa, inspection=inspection, manual_scores=scores(card, 1, 1))
    return Inspection.objects.get(pk=inspection.pk)


@pytest.fixture
def world(qa, agent, teammate, other_agent, card):
    return {
        "own_scored": _make(qa, agent, card, scored=True),
        "own_pending": _make(qa, agent, card, scored=False),
        "teammate_scored": _make(qa, teammate, card, scored=True),
        "other_team_scored": _make(qa, other_agent, card, scored=True),
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# -- the role grants of migration 0006 --------------------------------------------------------


def test_roles_hold_the_inspect_and_assign_permissions():
    def perms(role):
        return set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="quality")
            .values_list("codename", flat=True)
        )

    assert {"inspect_contact"} <= perms(Role.QA_SPECIALIST)
    assert {"inspect_contact", "assign_inspection"} <= perms(Role.MANAGER)
    assert {"inspect_contact", "assign_inspection"} <= perms(Role.ADMIN)
    assert not {"inspect_contact", "assign_inspection"} & perms(Role.AGENT)
    assert not {"inspect_contact", "assign_inspection"} & perms(Role.TEAM_LEAD)


# -- visibility ---------------------------------------------------------------------------------


def test_an_agent_sees_only_own_scored_inspections(world, agent):
    visible = set(selectors.inspections_visible(user=agent).values_list("id", flat=True))
    assert visible == {world["own_scored"].pk}
    client = client_for(agent)
    assert _ids(client.get(URL)) == {world["own_scored"].pk}
    assert client.get(f"{URL}/{world['own_scored'].pk}").status_code == 200
    for hidden in ("own_pending", "teammate_scored", "other_team_scored"):
        response = client.get(f"{URL}/{world[hidden].pk}")
        assert response.status_code == 404, hidden
        assert response.json()["error"] == "not_found"


def test_a_team_lead_sees_the_team_only(world, team_lead):
    expected = {world["own_scored"].pk, world["own_pending"].pk, world["teammate_scored"].pk}
    client = client_for(team_lead)
    assert _ids(client.get(URL)) == expected
    assert client.get(f"{URL}/{world['other_team_scored'].pk}").status_code == 404


def test_a_lead_of_another_team_sees_that_team(world, other_team):
    lead = factories.UserFactory(username="lead2", roles=[Role.TEAM_LEAD])
    other_team.lead = lead
    other_team.save(update_fields=["lead"])
    assert _ids(client_for(lead).get(URL)) == {world["other_team_scored"].pk}


def test_an_inspected_team_lead_does_not_see_own_unscored_inspection(world, qa, card, team_lead):
    """The team rule does not open a lead's own pending or in-review inspection (QA-2): an
    inspected lead sees their own inspection, like any agent, only once it is scored."""
    own_pending = _make(qa, team_lead, card, scored=False)
    own_in_review = _make(qa, team_lead, card, scored=False)
    services.inspection_start(actor=qa, inspection=own_in_review)
    own_scored = _make(qa, team_lead, card, scored=True)
    team = {world["own_scored"].pk, world["own_pending"].pk, world["teammate_scored"].pk}

    listed = set(selectors.inspections_visible(user=team_lead).values_list("id", flat=True))
    assert listed == team | {own_scored.pk}
    client = client_for(team_lead)
    assert _ids(client.get(URL)) == team | {own_scored.pk}
    assert client.get(f"{URL}/{own_scored.pk}").status_code == 200
    for hidden in (own_pending, own_in_review):
        hidden.refresh_from_db()
        assert not selectors.inspection_is_visible(team_lead, hidden)
        assert client.get(f"{URL}/{hidden.pk}").status_code == 404
    assert selectors.inspection_is_visible(team_lead, own_scored)
    assert selectors.inspection_is_visible(team_lead, world["own_pending"])


@pytest.mark.parametrize("who", ["qa", "qa2", "manager", "admin"])
def test_qa_managers_and_admins_see_all(request, world, who):
    user = request.getfixturevalue(who)
    assert _ids(client_for(user).get(URL)) == {i.pk for i in world.values()}


def test_the_list_filters_by_state_and_agent(world, qa, agent):
    client = client_for(qa)
    assert _ids(client.get(URL, {"state": "pending"})) == {world["own_pending"].pk}
    assert _ids(client.get(URL, {"agent": agent.pk})) == {
        world["own_scored"].pk,
        world["own_pending"].pk,
    }
    response = client.get(URL, {"state": "lost"})
    assert response.status_code == 422 and response.json()["field"] == "state"


def test_anonymous_is_401(client):
    assert client.get(URL).status_code == 401


def test_an_agent_cannot_move_another_agents_inspection(world, agent):
    other = world["teammate_scored"]
    response = client_for(agent).post(
        f"{URL}/{other.pk}/appeal", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Inspection.objects.get(pk=other.pk).state == S.SCORED


# -- the workflow over the API ------------------------------------------------------------------


def test_the_appeal_flow_over_the_api(qa, qa2, agent, card):
    contact = chat_contact(agent)
    qa_client, agent_client = client_for(qa), client_for(agent)
    created = qa_client.post(URL, {"contact": contact.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    inspection_id = created.json()["id"]
    assert created.json()["state"] == "pending"
    again = qa_client.post(URL, {"contact": contact.pk}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == inspection_id
    Inspection.objects.filter(pk=inspection_id).update(scorecard=card)
    assert qa_client.post(f"{URL}/{inspection_id}/start").json()["state"] == "in_review"
    scored = qa_client.post(
        f"{URL}/{inspection_id}/score",
        {"manual_scores": scores(card, 0, 1), "comment": "未解决"},
        content_type="application/json",
    )
    assert scored.status_code == 200, scored.content
    body = scored.json()
    assert (body["state"], body["score"], body["passed"]) == ("scored", 60.0, False)
    assert body["allowed_transitions"] == ["appealed", "final"]
    assert body["appeal_deadline"]
    appealed = agent_client.post(
        f"{URL}/{inspection_id}/appeal", {"reason": "已解决"}, content_type="application/json"
    )
    assert appealed.status_code == 201 and appealed.json()["state"] == "appealed"
    refused = qa_client.post(
        f"{URL}/{inspection_id}/re-review",
        {"manual_scores": scores(card, 1, 1), "decision": "改判"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    reviewed = client_for(qa2).post(
        f"{URL}/{inspection_id}/re-review",
        {"manual_scores": scores(card, 1, 1), "decision": "改判"},
        content_type="application/json",
    )
    assert reviewed.status_code == 200, reviewed.content
    appeal = reviewed.json()["appeals"][0]
    assert (appeal["outcome"], appeal["score_before"], appeal["score_after"]) == (
        "changed",
        60.0,
        100.0,
    )
    final = client_for(qa2).post(f"{URL}/{inspection_id}/finalize")
    assert final.status_code == 200 and final.json()["state"] == "final"
    # An agent sees the final result with its appeal.
    shown = agent_client.get(f"{URL}/{inspection_id}").json()
    assert shown["state"] == "final" and shown["score"] == 100.0


def test_accept_over_the_api(qa, agent, card):
    inspection = _make(qa, agent, card, scored=True)
    response = client_for(agent).post(f"{URL}/{inspection.pk}/accept")
    assert response.status_code == 200 and response.json()["state"] == "final"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("start", None),
        ("score", {"manual_scores": {}}),
        ("re-review", {"manual_scores": {}, "decision": "x"}),
        ("finalize", None),
    ],
)
def test_illegal_moves_are_409(qa, manager, agent, card, action, body):
    inspection = _make(qa, agent, card, scored=True)
    response = client_for(manager).post(
        f"{URL}/{inspection.pk}/{action}", body, content_type="application/json"
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    assert Inspection.objects.get(pk=inspection.pk).state == S.SCORED


def test_appeal_after_the_deadline_is_409(qa, agent, card):
    inspection = _make(qa, agent, card, scored=True)
    Inspection.objects.filter(pk=inspection.pk).update(
        appeal_deadline=inspection.scored_at - dt.timedelta(seconds=1)
    )
    response = client_for(agent).post(
        f"{URL}/{inspection.pk}/appeal", {"reason": "晚了"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "appeal window closed" in response.json()["detail"]


@pytest.mark.parametrize(
    ("value", "unknown"),
    [(1.5, False), (-0.5, False), ("abc", False), (None, True)],
)
def test_bad_manual_scores_are_422_with_the_field(qa, agent, card, value, unknown):
    inspection = _make(qa, agent, card, scored=False)
    services.inspection_start(actor=qa, inspection=inspection)
    manual = scores(card, 1, 1)
    first = next(iter(manual))
    if unknown:
        manual["424242"] = 1
        field = "manual_scores.424242"
    else:
        manual[first] = value
        field = f"manual_scores.{first}"
    response = client_for(qa).post(
        f"{URL}/{inspection.pk}/score", {"manual_scores": manual}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Inspection.objects.get(pk=inspection.pk).state == S.IN_REVIEW


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, None),
        ({"contact": 999999}, "contact"),
        ({"ticket": "20260101-000001"}, "ticket"),
        ({"contact": 0}, "contact"),
    ],
)
def test_bad_create_input_is_422(qa, body, field):
    response = client_for(qa).post(URL, body, content_type="application/json")
    assert response.status_code == 422, response.content
    if field:
        assert response.json()["field"] == field


def test_create_for_a_ticket_number(qa, ticket):
    response = client_for(qa).post(URL, {"ticket": ticket.number}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["ticket"] == ticket.number


def test_an_agent_may_not_create(agent):
    contact = chat_contact(agent)
    response = client_for(agent).post(URL, {"contact": contact.pk}, content_type="application/json")
    assert response.status_code == 403
    assert not Inspection.objects.exists()
