"""Quality insights (QA-3, QA-4, IMP-1): pass rates against the ≥ 90 % target, the most
frequent violations, customer topics mined from customer turns only; who may see them; bad
input is a 422."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.core.timeutils import local_date, now
from kefu.quality.insight_selectors import (
    customer_topics,
    frequent_violations,
    insight_period,
    insight_team_scope,
    pass_rate_overall,
    pass_rate_target,
    pass_rates,
)
from kefu.quality.tests.insight_data import (
    auto_check,
    client_for,
    contact,
    finding,
    inspection,
    moment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return local_date(now()).replace(day=1)


def test_pass_rates_per_agent_team_and_month_against_the_target(day, agent, other_agent):
    """QA-4: 9 of 10 passed is 90.0 % and meets the ≥ 90 % target; 8 of 10 does not."""
    for index in range(10):
        inspection(agent=agent, passed=index < 9, at=moment(day))
        inspection(agent=other_agent, passed=index < 8, at=moment(day))
    # Not counted: not yet scored, appealed (waits for the re-review), before the period.
    inspection(agent=agent, passed=False, at=moment(day), state="pending")
    inspection(agent=agent, passed=False, at=moment(day), state="appealed")
    inspection(agent=agent, passed=False, at=moment(day - dt.timedelta(days=40)))

    assert pass_rate_target() == 90.0
    rows = pass_rates(start=day, end=day, group_by="agent")
    assert [(r["label"], r["count"], r["passed"], r["rate"], r["meets_target"]) for r in rows] == [
        (other_agent.display_name, 10, 8, 80.0, False),
        (agent.display_name, 10, 9, 90.0, True),
    ]
    teams = pass_rates(start=day, end=day, group_by="team")
    assert {(r["label"], r["rate"]) for r in teams} == {("一组", 90.0), ("二组", 80.0)}
    months = pass_rates(start=day - dt.timedelta(days=60), end=day, group_by="month")
    assert months[-1] == {
        **months[-1],
        "key": f"{day:%Y-%m}",
        "count": 20,
        "passed": 17,
        "rate": 85.0,
        "meets_target": False,
    }
    assert months[0]["count"] == 1 and months[0]["rate"] == 0.0
    overall = pass_rate_overall(start=day, end=day)
    assert (overall["count"], overall["passed"], overall["rate"]) == (20, 17, 85.0)
    # A team lead's view: their own team only.
    assert [r["label"] for r in pass_rates(start=day, end=day, team=agent.team)] == [
        agent.display_name
    ]


def test_bad_periods_and_groups_are_refused(day):
    with pytest.raises(InvalidInput) as exc:
        insight_period("2026-13-01", None)
    assert exc.value.field == "start"
    with pytest.raises(InvalidInput) as exc:
        insight_period("2026-05-02", "2026-05-01")
    assert exc.value.field == "end"
    with pytest.raises(InvalidInput) as exc:
        pass_rates(start=day, end=day, group_by="weekday")
    assert exc.value.field == "group_by"


def test_frequent_violations_count_findings_contacts_and_failed_items(day, agent):
    """QA-3: counts per category, share of the checked contacts, example evidence."""
    at = moment(day)
    shirk = finding("shirking", "这不归我们管", "我会帮您转接至相关同事，请您稍等。")
    first = contact(agent=agent, at=at)
    auto_check(first, [shirk, shirk, finding("missing_closing", standard="CLS-2")], at=at)
    auto_check(contact(agent=agent, at=at), [shirk], at=at)
    auto_check(contact(agent=agent, at=at), [], at=at)
    auto_check(
        contact(agent=agent, at=at - dt.timedelta(days=40)), [shirk], at=at - dt.timedelta(days=40)
    )
    inspection(agent=agent, passed=False, at=at, failed_items=["不推诿", "结束语"])
    inspection(agent=agent, passed=False, at=at, failed_items=["不推诿"])

    found = frequent_violations(start=day, end=day)
    assert found["checked"] == 3
    top = found["violations"][0]
    assert (top["category"], top["count"], top["contacts"], top["share"]) == (
        "shirking",
        3,
        2,
        66.7,
    )
    assert top["suggestion"] == "我会帮您转接至相关同事，请您稍等。"
    assert top["phrases"] == ["这不归我们管"]
    assert top["examples"][0]["contact_id"] == first.pk
    closing = found["violations"][1]
    assert (closing["category"], closing["count"], closing["share"]) == ("missing_closing", 1, 33.3)
    assert found["inspected"] == 2
    assert [(i["title"], i["count"], i["share"]) for i in found["failed_items"]] == [
        ("不推诿", 2, 100.0),
        ("结束语", 1, 50.0),
    ]
    assert frequent_violations(start=day, end=day, limit=1)["violations"] == [top]
    with pytest.raises(InvalidInput):
        frequent_violations(start=day, end=day, limit=0)


def test_customer_topics_come_from_customer_turns_only(day, agent):
    """QA-3: keywords and phrases of what customers say; the agent's words are not topics."""
    at = moment(day)
    for text in (
        "我的冰箱不制冷了，想申请退款",
        "冰箱不制冷，退款什么时候到账",
        "申请退款，冰箱坏了",
    ):
        contact(
            agent=agent,
            at=at,
            turns=[("agent", "您好，工号一二三，很高兴为您服务，系统显示订单"), ("customer", text)],
        )
    contact(agent=agent, at=at, turns=[("customer", "快递一直没有送到")])

    found = customer_topics(start=day, end=day)
    terms = [row["term"] for row in found["keywords"]]
    assert {"冰箱", "退款", "申请"} <= set(terms)
    assert found["contacts"] == 4
    # The agent said 系统 and 订单 in three contacts: never a customer topic.
    assert not {"系统", "订单", "工号", "服务"} & set(terms)
    # Once is no topic; stopwords neither.
    assert "快递" not in terms and "什么" not in terms
    phrases = {row["term"]: row for row in found["phrases"]}
    assert phrases["申请退款"]["contacts"] == 2
    assert len(phrases["申请退款"]["examples"]) == 2
    top = found["keywords"][0]
    assert top["contacts"] == 3 and top["examples"][0]["text"]


def test_who_sees_insights(agent, team_lead, qa, manager):
    assert insight_team_scope(qa) is None
    assert insight_team_scope(manager) is None
    assert insight_team_scope(team_lead) == team_lead.team_id
    with pytest.raises(PermissionDenied):
        insight_team_scope(agent)


def test_api_answers_pass_rates_violations_and_topics(day, agent, qa):
    inspection(agent=agent, passed=True, at=moment(day))
    client = client_for(qa)
    start = f"{day:%Y-%m-%d}"
    response = client.get("/api/v1/qa/insights/pass-rates", {"start": start, "end": start})
    assert response.status_code == 200
    body = response.json()
    assert body["target"] == 90.0 and body["overall"]["rate"] == 100.0
    assert body["rows"][0]["meets_target"] is True
    by_month = client.get("/api/v1/qa/insights/pass-rates", {"start": start, "group_by": "month"})
    assert by_month.json()["rows"][0]["key"] == f"{day:%Y-%m}"
    assert client.get("/api/v1/qa/insights/violations", {"start": start}).status_code == 200
    assert client.get("/api/v1/qa/insights/topics", {"start": start}).json()["contacts"] == 0


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("pass-rates", {"start": "2026-02-30"}, "start"),
        ("pass-rates", {"start": "yesterday"}, "start"),
        ("pass-rates", {"start": "2026-05-02", "end": "2026-05-01"}, "end"),
        ("pass-rates", {"group_by": "weekday"}, "group_by"),
        ("violations", {"end": "20260501"}, "end"),
        ("violations", {"limit": "0"}, "limit"),
        ("topics", {"limit": "x"}, "limit"),
    ],
)
def test_api_refuses_bad_input_with_422(qa, path, params, field):
    response = client_for(qa).get(f"/api/v1/qa/insights/{path}", params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_agents_get_403_from_api_and_page(client, agent):
    assert client_for(agent).get("/api/v1/qa/insights/pass-rates").status_code == 403
    client.force_login(agent)
    assert client.get("/qa/insights/").status_code == 403


def test_insights_page_highlights_below_target(client, settings, day, agent, other_agent, manager):
    settings.LANGUAGE_CODE = "en"
    inspection(agent=agent, passed=True, at=moment(day))
    inspection(agent=other_agent, passed=False, at=moment(day))
    client.force_login(manager)
    response = client.get("/qa/insights/", {"start": f"{day:%Y-%m-%d}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pass rate by agent" in html and "table-danger" in html
    assert other_agent.display_name in html
    assert client.get("/qa/insights/", {"start": "2026-99-01"}).status_code == 422
