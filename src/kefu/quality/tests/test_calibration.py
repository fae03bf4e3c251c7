"""Calibration sessions (QA-1, QA-2): several QA specialists score the same contact, each
once; the spread (n, mean, min, max, range, standard deviation, items they disagree on,
passed/failed); no anchoring — the others' scores only after submitting one's own."""

from __future__ import annotations

import pytest

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.quality import calibration
from kefu.quality.models import CalibrationScore
from kefu.quality.tests.inspection_data import (
    chat_contact,
    client_for,
    make_scorecard,
    manual_ids,
    scores,
)
from kefu.tests_support import factories
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/qa/calibrations"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def card(db):
    return make_scorecard()


@pytest.fixture
def qa2(db):
    return factories.UserFactory(username="qa2", roles=[Role.QA_SPECIALIST])


@pytest.fixture
def qa3(db):
    return factories.UserFactory(username="qa3", roles=[Role.QA_SPECIALIST])


@pytest.fixture
def session(qa, qa2, manager, agent, card):
    return calibration.calibration_create(
        actor=qa,
        title="十二月校准",
        contact=chat_contact(agent),
        scorecard=card,
        participants=[qa, qa2, manager],
    )


def _submit_three(session, qa, qa2, manager, card):
    calibration.calibration_score_submit(
        actor=qa, session=session, manual_scores=scores(card, 1, 1)
    )
    calibration.calibration_score_submit(
        actor=qa2, session=session, manual_scores=scores(card, 0, 1)
    )
    calibration.calibration_score_submit(
        actor=manager, session=session, manual_scores=scores(card, "0.5", "0.5")
    )


def test_the_spread_of_three_scores(session, qa, qa2, manager, card):
    _submit_three(session, qa, qa2, manager, card)
    spread = calibration.calibration_spread(session)
    # 100 (pass), 60 and 70 (fail): mean 76.67, range 40, population deviation 17.0.
    assert spread.n == 3
    assert spread.mean == 76.67
    assert (spread.minimum, spread.maximum, spread.range) == (60.0, 100.0, 40.0)
    assert spread.stdev == 17.0
    assert (spread.passed, spread.failed) == (1, 2)
    solved, sound = manual_ids(card)
    assert {item.item_id for item in spread.disagreements} == {solved, sound}
    by_id = {item.item_id: item for item in spread.items}
    assert by_id[solved].fractions == {"qa": 1.0, "qa2": 0.0, "manager": 0.5}
    assert (by_id[sound].low, by_id[sound].high) == (0.5, 1.0)
    auto = str(card.items.get(kind="auto").pk)
    assert by_id[auto].disagree is False
    data = spread.as_dict()
    assert data["min"] == 60.0 and data["stdev"] == 17.0
    assert sorted(data["disagreements"]) == sorted([solved, sound])


def test_an_empty_session_has_no_numbers(session):
    spread = calibration.calibration_spread(session)
    assert (spread.n, spread.mean, spread.stdev, spread.range) == (0, None, None, None)


def test_only_participants_score_once_while_open(session, qa, qa3, card):
    with pytest.raises(PermissionDenied):
        calibration.calibration_score_submit(
            actor=qa3, session=session, manual_scores=scores(card, 1, 1)
        )
    calibration.calibration_score_submit(
        actor=qa, session=session, manual_scores=scores(card, 1, 1)
    )
    with pytest.raises(Conflict, match="already scored"):
        calibration.calibration_score_submit(
            actor=qa, session=session, manual_scores=scores(card, 0, 0)
        )
    assert CalibrationScore.objects.get(session=session).score == 100.0


def test_no_score_after_closing_and_only_the_creator_or_a_manager_closes(
    session, qa, qa2, manager, card
):
    with pytest.raises(PermissionDenied):
        calibration.calibration_close(actor=qa2, session=session)
    calibration.calibration_close(actor=qa, session=session)
    with pytest.raises(Conflict):
        calibration.calibration_close(actor=manager, session=session)
    with pytest.raises(Conflict, match="closed"):
        calibration.calibration_score_submit(
            actor=qa2, session=session, manual_scores=scores(card, 1, 1)
        )
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"calibration.create", "calibration.close"} <= verbs


def test_bad_scores_name_the_item(session, qa, card):
    solved, sound = manual_ids(card)
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_score_submit(
            actor=qa, session=session, manual_scores={solved: 1.5, sound: 1}
        )
    assert exc.value.field == f"manual_scores.{solved}"
    assert not CalibrationScore.objects.exists()


def test_create_is_for_qa_and_managers_with_two_participants(qa, qa2, agent, card):
    contact = chat_contact(agent)
    with pytest.raises(PermissionDenied):
        calibration.calibration_create(
            actor=agent, title="x", contact=contact, scorecard=card, participants=[qa, qa2]
        )
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_create(
            actor=qa, title="x", contact=contact, scorecard=card, participants=[qa]
        )
    assert exc.value.field == "participants"
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_create(
            actor=qa, title="x", contact=contact, scorecard=card, participants=[qa, agent]
        )
    assert exc.value.field == "participants"
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_create(
            actor=qa, title=" ", contact=contact, scorecard=card, participants=[qa, qa2]
        )
    assert exc.value.field == "title"


def test_nobody_calibrates_on_their_own_work(qa, qa2, manager, ticket, card):
    """QA-2: a manager who took the call (or owns the ticket) may inspect, but not this
    contact: they are refused as a participant with a 422 on ``participants``."""
    contact = chat_contact(manager)
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_create(
            actor=qa, title="x", contact=contact, scorecard=card, participants=[qa, manager]
        )
    assert exc.value.field == "participants" and "own work" in str(exc.value)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=manager)
    ticket.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        calibration.calibration_create(
            actor=qa, title="x", ticket=ticket, scorecard=card, participants=[manager, qa2]
        )
    assert exc.value.field == "participants"
    response = client_for(qa).post(
        URL,
        {"title": "x", "contact": contact.pk, "participants": [qa.pk, qa2.pk, manager.pk]},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "participants"
    assert not calibration.CalibrationSession.objects.exists()
    assert (
        calibration.calibration_create(
            actor=qa, title="x", contact=contact, scorecard=card, participants=[qa, qa2]
        ).participants.count()
        == 2
    )


def test_no_anchoring_before_submitting(session, qa, qa2, manager, qa3, card):
    calibration.calibration_score_submit(
        actor=qa, session=session, manual_scores=scores(card, 1, 1)
    )
    assert calibration.calibration_scores_shown(qa2, session) == []
    assert not calibration.calibration_may_see_scores(qa2, session)
    assert len(calibration.calibration_scores_shown(manager, session)) == 1
    calibration.calibration_score_submit(
        actor=qa2, session=session, manual_scores=scores(card, 0, 1)
    )
    assert len(calibration.calibration_scores_shown(qa2, session)) == 2
    with pytest.raises(NotFound):
        calibration.calibration_get(user=qa3, session_id=session.pk)


# -- the API ------------------------------------------------------------------------------------


def test_the_calibration_api(qa, qa2, manager, agent, card):
    contact = chat_contact(agent)
    qa_client, qa2_client = client_for(qa), client_for(qa2)
    created = qa_client.post(
        URL,
        {
            "title": "API 校准",
            "contact": contact.pk,
            "scorecard": card.pk,
            "participants": [qa.pk, qa2.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    session_id = created.json()["id"]
    assert [item["id"] for item in qa2_client.get(URL).json()["items"]] == [session_id]
    submitted = qa_client.post(
        f"{URL}/{session_id}/scores",
        {"manual_scores": scores(card, 1, 1)},
        content_type="application/json",
    )
    assert submitted.status_code == 201
    assert submitted.json()["spread"]["n"] == 1
    before = qa2_client.get(f"{URL}/{session_id}").json()
    assert before["scores_visible"] is False
    assert before["scores"] == [] and before["spread"] is None and before["submitted"] == 1
    bad = qa2_client.post(
        f"{URL}/{session_id}/scores",
        {"manual_scores": {**scores(card, 1, 1), "777777": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["field"] == "manual_scores.777777"
    qa2_client.post(
        f"{URL}/{session_id}/scores",
        {"manual_scores": scores(card, 0, 1)},
        content_type="application/json",
    )
    after = qa2_client.get(f"{URL}/{session_id}").json()
    assert after["spread"]["range"] == 40.0 and len(after["scores"]) == 2
    twice = qa2_client.post(
        f"{URL}/{session_id}/scores",
        {"manual_scores": scores(card, 1, 1)},
        content_type="application/json",
    )
    assert twice.status_code == 409
    closed = qa_client.post(f"{URL}/{session_id}/close")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    assert client_for(agent).get(f"{URL}/{session_id}").status_code == 404
    assert client_for(manager).get(f"{URL}/{session_id}").json()["spread"]["n"] == 2


def test_bad_create_input_is_422(qa, qa2):
    response = client_for(qa).post(
        URL, {"title": "x", "participants": [qa.pk, qa2.pk]}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client_for(qa).post(
        URL,
        {"title": "x", "contact": 99999, "participants": [qa.pk, qa2.pk]},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "contact"


# -- the pages ----------------------------------------------------------------------------------


def test_the_calibration_pages(client, session, qa, qa2, manager, card):
    calibration.calibration_score_submit(
        actor=qa, session=session, manual_scores=scores(card, 1, 1)
    )
    client.force_login(qa2)
    html = client.get(f"/qa/calibrations/{session.pk}/").content.decode()
    assert 'id="calibration-submit"' in html
    assert 'id="calibration-spread"' not in html and 'data-inspector="qa"' not in html
    solved, sound = manual_ids(card)
    response = client.post(
        f"/qa/calibrations/{session.pk}/score/", {f"manual-{solved}": "0", f"manual-{sound}": "1"}
    )
    assert response.status_code == 302
    html = client.get(f"/qa/calibrations/{session.pk}/").content.decode()
    assert 'id="calibration-spread"' in html
    assert 'data-stat="range">40.0<' in html
    assert f'data-item="{solved}"' in html
    assert 'data-inspector="qa"' in html and 'data-inspector="qa2"' in html
    listing = client.get("/qa/calibrations/").content.decode()
    assert f'data-session="{session.pk}"' in listing


def test_a_session_is_started_from_the_list_page(client, qa, qa2, agent):
    contact = chat_contact(agent)
    client.force_login(qa)
    response = client.post(
        "/qa/calibrations/",
        {"title": "页面校准", "contact": str(contact.pk), "participants": [qa.pk, qa2.pk]},
    )
    assert response.status_code == 302
    response = client.post("/qa/calibrations/", {"title": "页面校准", "contact": str(contact.pk)})
    assert response.status_code == 422
    assert 'id="calibration-error"' in response.content.decode()
