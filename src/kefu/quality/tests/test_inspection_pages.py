"""The inspection pages under /qa/ (QA-2): the QA queue, the team lead's view, an agent's
"my QA results", the inspection page with the findings marked and the forms each person may
use, and 404 for an inspection the user may not see."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kefu.accounts.roles import Role
from kefu.quality import inspection_services as services
from kefu.quality.models import Appeal, Inspection, InspectionReason, InspectionState
from kefu.quality.tests.inspection_data import RUDE, chat_contact, make_scorecard, manual_ids
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db
S = InspectionState


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def card(db):
    return make_scorecard()


@pytest.fixture
def qa2(db):
    return factories.UserFactory(username="qa2", roles=[Role.QA_SPECIALIST])


def _make(qa, agent, card, *, rude=False, scored=True):
    inspection = services.inspection_create(
        actor=qa,
        contact=chat_contact(agent, rude=rude),
        reason=InspectionReason.MANUAL,
        scorecard=card,
        inspector=qa,
    )
    if scored:
        services.inspection_start(actor=qa, inspection=inspection)
        solved, sound = manual_ids(card)
        services.inspection_score(
            actor=qa, inspection=inspection, manual_scores={solved: 1, sound: 1}
        )
    return Inspection.objects.get(pk=inspection.pk)


def _login(client, user):
    client.force_login(user)
    return client


def test_the_qa_queue_shows_my_inspections_by_state(client, qa, agent, card):
    pending = _make(qa, agent, card, scored=False)
    scored = _make(qa, agent, card)
    page = _login(client, qa).get("/qa/inspections/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="inspection-list"' in html and "My queue" in html
    assert f'data-inspection="{pending.pk}"' in html and f'data-inspection="{scored.pk}"' in html
    only = client.get("/qa/inspections/", {"scope": "mine", "state": "pending"}).content.decode()
    assert f'data-inspection="{pending.pk}"' in only
    assert f'data-inspection="{scored.pk}"' not in only


def test_an_agent_sees_my_qa_results_only(client, qa, agent, other_agent, card):
    mine = _make(qa, agent, card, rude=True)
    hidden = _make(qa, agent, card, scored=False)
    theirs = _make(qa, other_agent, card)
    html = _login(client, agent).get("/qa/inspections/").content.decode()
    assert "My QA results" in html
    assert f'data-inspection="{mine.pk}"' in html
    assert f'data-inspection="{hidden.pk}"' not in html
    assert f'data-inspection="{theirs.pk}"' not in html
    assert "Fail" in html and "Fatal" in html
    assert mine.appeal_deadline.astimezone(dt.UTC) is not None
    assert client.get(f"/qa/inspections/{theirs.pk}/").status_code == 404
    assert client.get(f"/qa/inspections/{hidden.pk}/").status_code == 404


def test_a_team_lead_sees_the_team(client, qa, agent, other_agent, team_lead, card):
    own_team = _make(qa, agent, card)
    other = _make(qa, other_agent, card)
    html = _login(client, team_lead).get("/qa/inspections/").content.decode()
    assert "QA inspections of my team" in html
    assert f'data-inspection="{own_team.pk}"' in html
    assert f'data-inspection="{other.pk}"' not in html
    assert client.get(f"/qa/inspections/{other.pk}/").status_code == 404
    assert client.get(f"/qa/inspections/{own_team.pk}/").status_code == 200


def test_the_page_marks_the_findings_and_the_inspector_scores(client, qa, agent, card):
    inspection = _make(qa, agent, card, rude=True, scored=False)
    _login(client, qa)
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-start"' in html
    assert client.post(f"/qa/inspections/{inspection.pk}/start/").status_code == 302
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-score-submit"' in html
    solved, sound = manual_ids(card)
    response = client.post(
        f"/qa/inspections/{inspection.pk}/score/",
        {f"manual-{solved}": "1", f"manual-{sound}": "0.5", f"comment-{sound}": "可更具体"},
    )
    assert response.status_code == 302
    scored = Inspection.objects.get(pk=inspection.pk)
    assert scored.state == S.SCORED and scored.fatal is True
    assert scored.item_comments == {sound: "可更具体"}
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    # The rude turn is flagged in the transcript and its evidence marked, as on the contact page.
    assert re.search(r"data-flags=\"[^\"]*shirking", html), html[
        html.find("inspection-transcript") :
    ][:1500]
    assert 'data-category="shirking"' in html and "<mark>" in html
    assert RUDE[:4] in html
    assert 'data-verb="inspection.score"' in html and 'data-verb="inspection.start"' in html
    assert 'id="inspection-appeal"' not in html  # the inspector does not appeal


def test_a_bad_score_on_the_page_is_shown_not_saved(client, qa, agent, card):
    inspection = _make(qa, agent, card, scored=False)
    services.inspection_start(actor=qa, inspection=inspection)
    solved, _sound = manual_ids(card)
    response = _login(client, qa).post(
        f"/qa/inspections/{inspection.pk}/score/", {f"manual-{solved}": "1.5"}
    )
    assert response.status_code == 422
    assert 'id="inspection-error"' in response.content.decode()
    assert Inspection.objects.get(pk=inspection.pk).state == S.IN_REVIEW


def test_the_agent_appeals_on_the_page_and_a_second_qa_re_reviews(client, qa, qa2, agent, card):
    inspection = _make(qa, agent, card)
    _login(client, agent)
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-accept"' in html and 'id="inspection-appeal"' in html
    assert "You may appeal until" in html
    response = client.post(f"/qa/inspections/{inspection.pk}/appeal/", {"reason": "客户已满意"})
    assert response.status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).state == S.APPEALED
    # The original inspector gets no re-review form; another QA specialist does.
    html = _login(client, qa).get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-re-review"' not in html
    _login(client, qa2)
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-re-review"' in html and "客户已满意" in html
    solved, sound = manual_ids(card)
    response = client.post(
        f"/qa/inspections/{inspection.pk}/re-review/",
        {f"manual-{solved}": "1", f"manual-{sound}": "0", "decision": "方案不合理"},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(inspection=inspection)
    assert (appeal.outcome, appeal.score_before, appeal.score_after) == ("changed", 100.0, 80.0)
    assert client.post(f"/qa/inspections/{inspection.pk}/finalize/").status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).state == S.FINAL


def test_an_appeal_after_the_deadline_is_refused_on_the_page(client, qa, agent, card):
    inspection = _make(qa, agent, card)
    Inspection.objects.filter(pk=inspection.pk).update(
        appeal_deadline=inspection.scored_at - dt.timedelta(minutes=1)
    )
    _login(client, agent)
    html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert "The appeal window closed" in html
    response = client.post(f"/qa/inspections/{inspection.pk}/appeal/", {"reason": "晚了"})
    assert response.status_code == 409
    assert Inspection.objects.get(pk=inspection.pk).state == S.SCORED


def test_the_agent_accepts_on_the_page(client, qa, agent, card):
    inspection = _make(qa, agent, card)
    response = _login(client, agent).post(f"/qa/inspections/{inspection.pk}/accept/")
    assert response.status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).state == S.FINAL


def test_an_illegal_move_on_the_page_is_409(client, qa, agent, card):
    inspection = _make(qa, agent, card)
    response = _login(client, qa).post(f"/qa/inspections/{inspection.pk}/start/")
    assert response.status_code == 409
    assert 'id="inspection-error"' in response.content.decode()


def test_qa_puts_a_contact_up_for_inspection_from_the_list(client, qa, agent):
    contact = chat_contact(agent)
    response = _login(client, qa).post("/qa/inspections/new/", {"contact": str(contact.pk)})
    inspection = Inspection.objects.get(contact=contact)
    assert response.status_code == 302 and response.url == f"/qa/inspections/{inspection.pk}/"
    assert inspection.inspector_id == qa.pk


def test_agents_have_no_calibration_pages(client, agent):
    assert _login(client, agent).get("/qa/calibrations/").status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/qa/inspections/")
    assert response.status_code == 302 and "login" in response.url
