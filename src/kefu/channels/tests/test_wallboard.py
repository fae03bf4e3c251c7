"""The live wallboard and the answer-rate report (TEC-8, ACC-1, PRF-1): for team leads and
managers only, figures computed right on a fixed day, thresholds from the standard profile,
"today" being the calendar day in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kefu.channels.models import AgentPresence, Contact
from kefu.channels.screens.reports import (
    answer_rate_report,
    local_day_bounds,
    report_period,
    wallboard,
)
from kefu.channels.services import cti_event_record
from kefu.channels.tests.inbox_data import make_contact
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.standard.selectors import profile_current_version, profile_get
from kefu.standard.services import profile_version_create
from kefu.tests_support.factories import UserFactory
from kefu.tests_support.time_machine import TimeMachine, shanghai

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def clock():
    with TimeMachine(shanghai("2026-11-27 10:00")) as machine:
        yield machine


def _call(call_id: str, rang: str, *, agent=None, answered_after=None, ended_after=None, **kw):
    start = shanghai(rang)
    who = agent.username if agent else None
    cti_event_record(actor=None, call_id=call_id, event="ringing", at=start, agent=who, **kw)
    if answered_after is not None:
        cti_event_record(
            actor=None,
            call_id=call_id,
            event="answered",
            at=start + dt.timedelta(seconds=answered_after),
            agent=who,
        )
    if ended_after is not None:
        cti_event_record(
            actor=None, call_id=call_id, event="ended", at=start + dt.timedelta(seconds=ended_after)
        )


@pytest.fixture
def day(clock, agent, other_agent, team, other_team):
    """A morning on the phone line, seen at 10:00 Shanghai time."""
    # The first second of the day in Shanghai (16:00 UTC the day before) belongs to today.
    _call("midnight", "2026-11-27 00:00:00", agent=agent, answered_after=5, ended_after=60)
    _call("c1", "2026-11-27 09:00", agent=agent, answered_after=10, ended_after=100)
    _call("c2", "2026-11-27 09:10", agent=agent, answered_after=15, ended_after=100)  # = 15 s
    _call("c3", "2026-11-27 09:20", agent=agent, answered_after=40, ended_after=100)
    _call("c4", "2026-11-27 09:30", ended_after=20)  # hung up while waiting
    _call("c5", "2026-11-27 09:59:30", agent=agent)  # ringing now, for 30 s
    # Not today's inbound calls: yesterday's last second, an outbound call.
    _call("late", "2026-11-26 23:59:59", agent=agent, answered_after=6, ended_after=60)
    _call(
        "out",
        "2026-11-27 09:40",
        agent=agent,
        answered_after=3,
        ended_after=30,
        direction="outbound",
    )
    # Another team's call, answered late.
    _call("o1", "2026-11-27 09:45", agent=other_agent, answered_after=20, ended_after=90)
    # A call whose end never came: still unsettled in the figures, but after the desk window
    # (4 h) not shown as waiting on the wallboard any more.
    _call("lost", "2026-11-27 03:00")
    # Written channels waiting: a chat for the team for 2 minutes, an e-mail for 5.
    make_contact(kind="chat", state="queued", team=team, at=shanghai("2026-11-27 09:58"))
    make_contact(kind="email", state="queued", team=other_team, at=shanghai("2026-11-27 09:55"))
    make_contact(kind="chat", state="active", team=team, agent=agent)
    moment = clock.now()
    AgentPresence.objects.create(
        user=agent, status="available", changed_at=moment, last_seen_at=moment
    )
    # Said "busy", but the workspace stopped reporting ten minutes ago: counted offline.
    AgentPresence.objects.create(
        user=other_agent,
        status="busy",
        changed_at=moment - dt.timedelta(hours=1),
        last_seen_at=moment - dt.timedelta(minutes=10),
    )


def test_answer_rate_report_for_today(day):
    start, end = local_day_bounds(TODAY)
    report = answer_rate_report(start=start, end=end)
    total = report.total
    assert report.threshold_seconds == 15 and report.answer_rate_target == 95
    # midnight, c1…c5, o1 and lost; not yesterday's call, not the outbound one.
    assert total.offered == 8
    assert total.answered == 5 and total.abandoned == 1 and total.ringing == 2
    assert total.answered_within == 3  # midnight 5 s, c1 10 s, c2 exactly 15 s
    assert total.answer_rate == round(100 * 5 / 6, 1)  # settled calls only
    assert total.within_rate == 60.0
    assert total.average_wait_seconds == (5 + 10 + 15 + 40 + 20) / 5
    assert report.answer_rate_met is False
    assert [entry.day for entry in report.days] == [TODAY]


def test_report_per_day_and_per_team(day, team, other_team):
    start, _ = local_day_bounds(TODAY - dt.timedelta(days=1))
    _, end = local_day_bounds(TODAY)
    report = answer_rate_report(start=start, end=end)
    yesterday, today = report.days
    assert yesterday.figures.offered == 1 and yesterday.figures.answered_within == 1
    assert today.figures.offered == 8 and report.total.offered == 9
    mine = answer_rate_report(start=start, end=end, team=other_team)
    assert mine.total.offered == 1 and mine.total.answered_within == 0
    assert mine.total.within_rate == 0.0 and mine.total.answer_rate == 100.0


def test_the_threshold_comes_from_the_standard_profile(day, manager):
    document = dict(profile_current_version().document)
    document["parameters"] = {**document["parameters"], "answer_within_seconds": 10}
    profile_version_create(actor=manager, profile=profile_get(), document=document)
    start, end = local_day_bounds(TODAY)
    report = answer_rate_report(start=start, end=end)
    assert report.threshold_seconds == 10
    assert report.total.answered_within == 2  # c2's 15 s no longer counts


def test_bad_periods_are_refused():
    start, end = local_day_bounds(TODAY)
    with pytest.raises(InvalidInput):
        answer_rate_report(start=end, end=start)
    with pytest.raises(InvalidInput):
        answer_rate_report(start=start - dt.timedelta(days=400), end=end)


def test_wallboard_figures(day, team_lead, manager, team, agent, other_agent):
    board = wallboard(user=manager)
    queues = {queue.kind: queue for queue in board.queues}
    assert queues["call"].waiting == 1 and queues["call"].longest_wait_text == "0:30"
    assert queues["chat"].waiting == 1 and queues["chat"].longest_wait_text == "2:00"
    assert queues["email"].waiting == 1 and queues["sms"].waiting == 0
    assert board.waiting_total == 3 and board.longest_wait_text == "5:00"
    presence = {status: count for status, _label, count in board.presence}
    assert presence["available"] == 1 and presence["busy"] == 0 and presence["offline"] == 1
    agents = {state.user.username: state for state in board.agents}
    assert agents["agent"].active_contacts == 2  # the ringing call and the chat
    assert agents["other_agent"].stale and agents["other_agent"].status == "offline"
    assert board.today.total.offered == 8

    # The team lead's team: its own waiting chat, not the other team's e-mail.
    mine = wallboard(user=team_lead, team=team)
    waiting = {queue.kind: queue.waiting for queue in mine.queues}
    assert waiting["chat"] == 1 and waiting["email"] == 0
    assert {state.user.username for state in mine.agents} == {"agent"}
    assert mine.today.total.offered == 5  # the agent's calls; c4 had no agent


def test_agents_get_403(client, agent, day):
    with pytest.raises(PermissionDenied):
        wallboard(user=agent)
    client.force_login(agent)
    assert client.get("/wallboard/").status_code == 403
    assert client.get("/wallboard/answer-rate/").status_code == 403
    response = client.get("/api/v1/cti/answer-rate?start=2026-11-27&end=2026-11-27")
    assert response.status_code == 403


def test_wallboard_page_and_live_refresh(client, team_lead, manager, team, day):
    client.force_login(team_lead)
    page = client.get("/wallboard/").content.decode()
    assert 'id="wallboard-live"' in page and f'?team={team.pk}"' in page
    assert "0:30" in page  # the waiting call of the lead's team
    client.force_login(manager)
    page = client.get("/wallboard/").content.decode()
    within = page.split('id="wb-within">')[1].split("</div>")[0]
    rate = page.split('id="wb-answer-rate">')[1].split("</div>")[0]
    assert within.strip() == "60.0%" and rate.strip() == "83.3%"
    assert page.split('id="wb-waiting">')[1].split("<")[0] == "3"
    live = client.get("/wallboard/?team=", HTTP_HX_REQUEST="true").content.decode()
    assert live.startswith('<div id="wallboard-live"') and "<html" not in live


def test_answer_rate_page_shows_each_day(client, team_lead, day):
    client.force_login(team_lead)
    page = client.get("/wallboard/answer-rate/?start=2026-11-26&end=2026-11-27&team=")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-day="2026-11-26"' in body and 'data-day="2026-11-27"' in body
    total = body.split('id="answer-rate-total">')[1].split("</tr>")[0]
    assert ">9<" in total
    refused = client.get("/wallboard/answer-rate/?start=2026-11-27&end=2026-11-01").content
    assert "alert-danger" in refused.decode()


def test_answer_rate_api(client, manager, team, day):
    client.force_login(manager)
    response = client.get("/api/v1/cti/answer-rate?start=2026-11-26&end=2026-11-27")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["offered"] == 9 and body["answered_within_target"] == 4
    assert body["answer_within_seconds"] == 15 and body["answer_rate_target"] == 95
    assert [day["day"] for day in body["days"]] == ["2026-11-26", "2026-11-27"]
    assert body["start"] == "2026-11-26T00:00:00+08:00"
    team_only = client.get(
        f"/api/v1/cti/answer-rate?start=2026-11-27&end=2026-11-27&team={team.pk}"
    )
    assert json.loads(team_only.content)["offered"] == 5
    bad = client.get("/api/v1/cti/answer-rate?start=2026-11-27&end=2026-11-01")
    assert bad.status_code == 422 and json.loads(bad.content)["field"] == "end"
    assert client.get("/api/v1/cti/answer-rate?start=x&end=2026-11-01").status_code == 422
    unknown = client.get("/api/v1/cti/answer-rate?start=2026-11-27&end=2026-11-27&team=99999")
    assert unknown.status_code == 422


def test_users_without_a_presence_row_count_as_offline(clock, manager, team):
    UserFactory(username="newcomer", roles=["agent"], team=team)
    board = wallboard(user=manager, team=team)
    assert [(state.user.username, state.status) for state in board.agents] == [
        ("newcomer", "offline")
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=9999-12-31&end=9999-12-31", "start"),  # used to overflow: a 500
        ("start=2026-11-27&end=9999-12-31", "end"),
        ("start=0001-01-01&end=2026-11-27", "start"),
        ("start=2025-11-26&end=2026-11-27", "end"),  # 367 days
        ("start=2026-11-27&end=2026-11-26", "end"),
    ],
)
def test_answer_rate_api_refuses_bad_periods_with_a_422(client, manager, query, field):
    client.force_login(manager)
    response = client.get(f"/api/v1/cti/answer-rate?{query}")
    assert response.status_code == 422, response.content
    assert json.loads(response.content)["field"] == field


def test_answer_rate_api_takes_a_full_year(client, manager, clock):
    client.force_login(manager)
    response = client.get("/api/v1/cti/answer-rate?start=2025-11-27&end=2026-11-27")  # 366 days
    assert response.status_code == 200 and len(json.loads(response.content)["days"]) == 366


@pytest.mark.parametrize(
    "query", ["start=9999-12-31&end=9999-12-31", "start=2025-01-01&end=2026-11-27"]
)
def test_answer_rate_page_explains_a_bad_period(client, manager, clock, query):
    client.force_login(manager)
    page = client.get(f"/wallboard/answer-rate/?{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "invalid-feedback" in body or "alert-danger" in body
    assert 'data-day="2026-11-27"' in body  # the last week instead


def test_report_period_and_day_bounds_refuse_the_far_ends_of_the_calendar():
    with pytest.raises(InvalidInput) as refused:
        report_period(dt.date.max, dt.date.max)
    assert refused.value.field == "start"
    with pytest.raises(InvalidInput):
        local_day_bounds(dt.date.max)
    with pytest.raises(InvalidInput):
        local_day_bounds(dt.date.min)
    start, end = report_period(TODAY, TODAY)
    assert (start, end) == local_day_bounds(TODAY)


def test_a_call_with_a_negative_wait_is_left_out_of_the_figures(day):
    """Defensive (ACC-1): the CTI service refuses an answer before the ringing, but a negative
    wait written another way must not count as answered within target."""
    start, end = local_day_bounds(TODAY)
    before = answer_rate_report(start=start, end=end).total
    _call("neg", "2026-11-27 09:40", answered_after=3, ended_after=60)
    Contact.objects.filter(external_id="neg").update(wait_seconds=-10.0)
    after = answer_rate_report(start=start, end=end).total
    assert after == before
