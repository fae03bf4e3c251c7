"""Queue pages: which queues a role gets, filters, counts, saved filters, live refresh."""

from __future__ import annotations

import re

import pytest

from kefu.audit.models import AuditEvent
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import SavedFilter
from kefu.tickets.services import ticket_comment, ticket_update


def _numbers(page: str) -> set[str]:
    return set(re.findall(r"\d{8}-\d{6}", page))


@pytest.mark.django_db
def test_my_queue_lists_assigned_open_tickets_only(client, agent, team_lead, customer):
    mine = make_ticket(actor=agent, customer=customer, assignee=agent, subject="我的工单")
    other = make_ticket(actor=team_lead, customer=customer, assignee=team_lead)
    client.force_login(agent)
    page = client.get("/queues/mine/").content.decode()
    assert mine.number in page and other.number not in page
    team_page = client.get("/queues/team/").content.decode()
    assert {mine.number, other.number} <= _numbers(team_page)


@pytest.mark.django_db
def test_queues_follow_the_role(client, agent, manager, department_member):
    client.force_login(agent)
    assert client.get("/queues/all/").status_code == 404
    assert client.get("/queues/department/").status_code == 404
    assert client.get("/queues/unassigned/").status_code == 200
    client.force_login(manager)
    assert client.get("/queues/all/").status_code == 200
    client.force_login(department_member)
    assert client.get("/queues/department/").status_code == 200


@pytest.mark.django_db
def test_unassigned_and_department_queues(client, agent, team_lead, department, department_member):
    loose = make_ticket(actor=agent)
    routed = make_ticket(actor=agent, assignee=agent)
    ticket_update(
        actor=agent, ticket=routed, version=routed.version, changes={"department": department}
    )
    client.force_login(agent)
    unassigned = _numbers(client.get("/queues/unassigned/").content.decode())
    assert loose.number in unassigned and routed.number not in unassigned
    client.force_login(department_member)
    assert _numbers(client.get("/queues/department/").content.decode()) == {routed.number}


@pytest.mark.django_db
def test_other_teams_tickets_never_appear(client, agent, other_agent, manager):
    theirs = make_ticket(actor=other_agent, assignee=other_agent)
    client.force_login(agent)
    for queue in ("mine", "team", "unassigned"):
        assert theirs.number not in client.get(f"/queues/{queue}/").content.decode()
    client.force_login(manager)
    assert theirs.number in client.get("/queues/all/").content.decode()


@pytest.mark.django_db
def test_filters_narrow_the_queue(client, agent):
    urgent = make_ticket(actor=agent, assignee=agent, urgency="urgent", channel="email")
    normal = make_ticket(actor=agent, assignee=agent, urgency="normal")
    client.force_login(agent)
    page = client.get("/queues/mine/?urgency=urgent").content.decode()
    assert urgent.number in page and normal.number not in page
    page = client.get("/queues/mine/?channel=email&category=after_sales").content.decode()
    assert urgent.number in page and normal.number not in page
    page = client.get("/queues/mine/?status=resolved").content.decode()
    assert not _numbers(page) & {urgent.number, normal.number}
    page = client.get(f"/queues/mine/?q={normal.number}").content.decode()
    assert normal.number in page and urgent.number not in page


@pytest.mark.django_db
def test_bad_filter_values_are_explained_not_500(client, agent):
    client.force_login(agent)
    response = client.get("/queues/mine/?urgency=bogus&created_from=2026-13-40&page=x&sort=evil")
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    reversed_range = client.get("/queues/mine/?created_from=2026-11-20&created_to=2026-11-01")
    assert reversed_range.status_code == 200 and "is-invalid" in reversed_range.content.decode()


@pytest.mark.django_db
def test_queue_pages_by_position(client, agent):
    for index in range(27):
        make_ticket(actor=agent, assignee=agent, subject=f"工单{index}")
    client.force_login(agent)
    first = client.get("/queues/mine/")
    second = client.get("/queues/mine/?page=2")
    assert len(_numbers(first.content.decode())) == 25
    assert len(_numbers(second.content.decode())) == 2
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' in second.content.decode()
    assert first.context["counts"]["mine"] == (27, True)


@pytest.mark.django_db
def test_queue_counts_stop_at_the_cap(agent, monkeypatch):
    from kefu.tickets import queues

    monkeypatch.setattr(queues, "QUEUE_COUNT_CAP", 2)
    for _ in range(3):
        make_ticket(actor=agent, assignee=agent)
    assert queues.queue_counts(agent)["mine"] == (2, False)


@pytest.mark.django_db
def test_live_refresh_answers_204_until_something_changes(client, agent):
    ticket = make_ticket(actor=agent, assignee=agent)
    client.force_login(agent)
    fingerprint = client.get("/queues/mine/").context["fingerprint"]
    poll = client.get(f"/queues/mine/?fp={fingerprint}", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204
    ticket_comment(actor=agent, ticket=ticket, body="已联系客户", public=False)
    poll = client.get(f"/queues/mine/?fp={fingerprint}", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    body = poll.content.decode()
    assert ticket.number in body and "<html" not in body  # a fragment, not a page


@pytest.mark.django_db
def test_saved_filters_are_per_user_and_audited(client, agent, other_agent):
    client.force_login(agent)
    response = client.post(
        "/queues/mine/filters/",
        {"name": "紧急电话", "query": "urgency=urgent&channel=phone&page=3"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=agent)
    assert saved.query == "channel=phone&urgency=urgent"  # no page position kept
    assert AuditEvent.objects.filter(verb="saved_filter.create").exists()
    assert "紧急电话" in client.get("/queues/mine/").content.decode()
    assert client.post("/queues/mine/filters/", {"name": " ", "query": "q=x"}).status_code == 302
    assert SavedFilter.objects.count() == 1
    client.force_login(other_agent)
    client.post(f"/filters/{saved.pk}/delete/")
    assert SavedFilter.objects.filter(pk=saved.pk).exists()  # not theirs to delete
    client.force_login(agent)
    client.post(f"/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


@pytest.mark.django_db
def test_next_ticket_walks_the_queue(client, agent):
    older = make_ticket(actor=agent, assignee=agent)
    newer = make_ticket(actor=agent, assignee=agent)
    client.force_login(agent)
    response = client.get(f"/queues/mine/next/?current={newer.number}")
    assert response.status_code == 302 and older.number in response["Location"]
    last = client.get(f"/queues/mine/next/?current={older.number}")
    assert last.status_code == 302 and last["Location"] == "/queues/mine/"


@pytest.mark.django_db
def test_queue_page_query_count_is_pinned(client, agent, django_assert_num_queries):
    for _ in range(30):
        make_ticket(actor=agent, assignee=agent)
    client.force_login(agent)
    client.get("/queues/mine/")  # warm per-process caches (categories)
    with django_assert_num_queries(18):
        response = client.get("/queues/mine/?urgency=normal")
    assert response.status_code == 200


@pytest.mark.django_db
def test_live_refresh_also_updates_the_counts(client, agent, team_lead):
    client.force_login(agent)
    fingerprint = client.get("/queues/mine/").context["fingerprint"]
    make_ticket(actor=team_lead)  # lands in the team and unassigned queues, not in "mine"
    poll = client.get(f"/queues/mine/?fp={fingerprint}", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert 'id="queue-nav" hx-swap-oob="true"' in poll.content.decode()


@pytest.mark.django_db
def test_merged_status_pages_equal_the_plain_ordering(agent, team_lead):
    from kefu.tickets.queues import queue_get, queue_rows, queue_tickets
    from kefu.tickets.selectors import TicketFilters
    from kefu.tickets.services import ticket_transition

    for index in range(14):
        ticket = make_ticket(actor=agent if index % 2 else team_lead, subject=f"合并{index}")
        if index % 3 == 0:
            ticket_transition(actor=agent, ticket=ticket, to="open", version=ticket.version)
        elif index % 3 == 1:
            ticket_transition(
                actor=agent, ticket=ticket, to="pending_customer", version=ticket.version
            )
    queue = queue_get(agent, "team")
    for sort in ("-updated_at", "updated_at", "-created_at"):
        expected = list(queue_tickets(agent, queue, TicketFilters(), sort=sort))
        for start in (0, 5, 10, 13):
            got = queue_rows(agent, queue, TicketFilters(), sort=sort, start=start, count=5)
            assert got == expected[start : start + 5], (sort, start)


@pytest.mark.django_db
def test_absurd_page_numbers_are_clamped(client, agent):
    make_ticket(actor=agent, assignee=agent)
    client.force_login(agent)
    response = client.get("/queues/mine/?page=999999999999")
    assert response.status_code == 200 and response.context["page"] == 400
