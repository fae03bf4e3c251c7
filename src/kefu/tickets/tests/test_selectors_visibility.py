"""Row-level permissions: who sees which tickets."""

from __future__ import annotations

import pytest

from kefu.tests_support.factories import make_ticket
from kefu.tickets.selectors import TicketFilters, ticket_is_visible, ticket_list


@pytest.fixture
def tickets(agent, other_agent, manager, department):
    own_team = make_ticket(actor=agent, subject="本组工单")
    other_team = make_ticket(actor=other_agent, subject="他组工单")
    routed = make_ticket(actor=other_agent, subject="转物流部", department=department)
    assigned_across = make_ticket(
        actor=manager, subject="跨组指派", team=other_agent.team, assignee=agent
    )
    complaint = make_ticket(
        actor=other_agent, subject="投诉：态度差", category="complaint.attitude"
    )
    return {
        "own": own_team,
        "other": other_team,
        "routed": routed,
        "assigned": assigned_across,
        "complaint": complaint,
    }


def _visible(user) -> set[str]:
    return set(ticket_list(user=user, filters=TicketFilters()).values_list("subject", flat=True))


@pytest.mark.django_db
def test_agent_sees_own_team_and_assigned(agent, tickets):
    assert _visible(agent) == {"本组工单", "跨组指派"}


@pytest.mark.django_db
def test_team_lead_sees_the_team(team_lead, tickets):
    assert _visible(team_lead) == {"本组工单"}


@pytest.mark.django_db
def test_department_member_sees_routed_work(department_member, tickets):
    assert _visible(department_member) == {"转物流部"}


@pytest.mark.django_db
def test_complaint_specialist_sees_complaints(complaint_specialist, tickets):
    assert _visible(complaint_specialist) == {"投诉：态度差"}


@pytest.mark.django_db
@pytest.mark.parametrize("role_fixture", ["manager", "qa"])
def test_managers_and_qa_see_all(request, role_fixture, tickets):
    user = request.getfixturevalue(role_fixture)
    assert _visible(user) == {ticket.subject for ticket in tickets.values()}


@pytest.mark.django_db
def test_python_predicate_agrees_with_the_query(
    agent, other_agent, team_lead, department_member, complaint_specialist, manager, tickets
):
    for user in (agent, other_agent, team_lead, department_member, complaint_specialist, manager):
        visible = _visible(user)
        for ticket in tickets.values():
            assert ticket_is_visible(user, ticket) == (ticket.subject in visible), (
                user,
                ticket.subject,
            )


@pytest.mark.django_db
def test_category_filter_on_a_root_includes_subcategories(manager, tickets):
    rows = ticket_list(user=manager, filters=TicketFilters(category="complaint"))
    assert [ticket.subject for ticket in rows] == ["投诉：态度差"]


@pytest.mark.django_db
def test_text_filter_matches_number_exactly_or_subject(manager, tickets):
    number = tickets["routed"].number
    assert [t.subject for t in ticket_list(user=manager, filters=TicketFilters(q=number))] == [
        "转物流部"
    ]
    assert {t.subject for t in ticket_list(user=manager, filters=TicketFilters(q="组工单"))} == {
        "本组工单",
        "他组工单",
    }
