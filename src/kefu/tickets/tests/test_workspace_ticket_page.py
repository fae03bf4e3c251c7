"""The ticket page: header, timeline, composer, transitions, routing, record, conflicts."""

from __future__ import annotations

import pytest

from kefu.audit.models import AccessEvent
from kefu.tests_support.factories import make_ticket
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_comment, ticket_update


@pytest.mark.django_db
def test_ticket_page_shows_header_timeline_and_masked_customer(client, agent, ticket):
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert ticket.number in page and ticket.subject in page
    assert "138****8000" in page and "13800138000" not in page  # ACC-2, SEC-1
    assert 'data-shortcut="resolve"' in page and 'data-shortcut="next"' in page
    assert 'value="closed"' not in page  # a new ticket cannot be closed directly


@pytest.mark.django_db
def test_another_teams_ticket_is_refused(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.get(f"/tickets/{ticket.number}/").status_code == 404
    assert client.post(f"/tickets/{ticket.number}/comment/", {"body": "x"}).status_code == 404


@pytest.mark.django_db
def test_reply_note_and_resolve(client, agent, ticket):
    client.force_login(agent)
    url = f"/tickets/{ticket.number}/"
    client.post(url + "comment/", {"body": "您好，已为您登记维修。", "kind": "reply"})
    client.post(url + "comment/", {"body": "客户很着急", "kind": "note"})
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "is_public"))
    assert ("reply", True) in kinds and ("note", False) in kinds
    ticket.refresh_from_db()
    refused = client.post(
        url + "transition/", {"to": "resolved", "version": ticket.version}, follow=True
    )
    assert "CLS-3" in refused.content.decode()  # no solution yet: explained, not a 500
    client.post(
        url + "record/",
        {
            "version": ticket.version,
            "need_points": "冰箱不制冷",
            "solution": "上门维修，更换压缩机",
        },
    )
    ticket.refresh_from_db()
    assert ticket.solution == "上门维修，更换压缩机"
    client.post(url + "transition/", {"to": "resolved", "version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


@pytest.mark.django_db
def test_empty_reply_and_unknown_transition_are_explained(client, agent, ticket):
    client.force_login(agent)
    url = f"/tickets/{ticket.number}/"
    assert client.post(url + "comment/", {"body": "  "}).status_code == 302
    response = client.post(url + "transition/", {"to": "closed", "version": 1}, follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "new"
    response = client.post(url + "transition/", {"to": "nonsense", "version": "x"}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_conflicting_record_edit_keeps_the_text_and_overwrites_nothing(
    client, agent, team_lead, ticket
):
    client.force_login(agent)
    loaded = ticket.version
    ticket_update(
        actor=team_lead, ticket=ticket, version=ticket.version, changes={"solution": "组长的方案"}
    )
    response = client.post(
        f"/tickets/{ticket.number}/record/",
        {"version": loaded, "need_points": "我的记录", "solution": "我的方案"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="conflict"' in page and "我的方案" in page
    ticket.refresh_from_db()
    assert ticket.solution == "组长的方案"


@pytest.mark.django_db
def test_stale_transition_is_refused_with_a_message(client, agent, team_lead, ticket):
    client.force_login(agent)
    loaded = ticket.version
    ticket_update(actor=team_lead, ticket=ticket, version=loaded, changes={"urgency": "urgent"})
    client.post(f"/tickets/{ticket.number}/transition/", {"to": "open", "version": loaded})
    ticket.refresh_from_db()
    assert ticket.status == "new"


@pytest.mark.django_db
def test_team_lead_reassigns_and_routes(client, agent, team_lead, ticket, department):
    client.force_login(team_lead)
    response = client.post(
        f"/tickets/{ticket.number}/routing/",
        {
            "version": ticket.version,
            "assignee": team_lead.pk,
            "team": ticket.team_id,
            "department": department.pk,
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == team_lead and ticket.department == department
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert department.name in page
    bad = client.post(
        f"/tickets/{ticket.number}/routing/", {"version": ticket.version, "assignee": 99999}
    )
    assert bad.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == team_lead


@pytest.mark.django_db
def test_live_timeline_polls_204_until_changed(client, agent, ticket):
    client.force_login(agent)
    context = client.get(f"/tickets/{ticket.number}/").context
    url = f"/tickets/{ticket.number}/live/?v={ticket.version}&e={context['last_event']}"
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 204
    ticket_comment(actor=agent, ticket=ticket, body="客户来电催促", public=False)
    changed = client.get(url, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200 and "客户来电催促" in changed.content.decode()


@pytest.mark.django_db
def test_reveal_is_for_permitted_roles_and_logged(client, agent, team_lead, ticket, customer):
    client.force_login(agent)
    assert client.post(f"/customers/{customer.pk}/reveal/").status_code == 403
    client.force_login(team_lead)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "/reveal/" in page
    revealed = client.post(f"/customers/{customer.pk}/reveal/")
    assert revealed.status_code == 200 and "13800138000" in revealed.content.decode()
    assert AccessEvent.objects.filter(actor=team_lead, object_id=str(customer.pk)).exists()


@pytest.mark.django_db
def test_customer_page_lists_history_newest_first(client, agent, customer):
    first = make_ticket(actor=agent, customer=customer, channel="phone")
    second = make_ticket(actor=agent, customer=customer, channel="email")
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert page.index(second.number) < page.index(first.number)
    assert client.get("/customers/999999/").status_code == 404


@pytest.mark.django_db
def test_ticket_page_query_count_is_pinned(client, agent, ticket, django_assert_num_queries):
    for index in range(10):
        ticket_comment(actor=agent, ticket=ticket, body=f"备注{index}", public=index % 2 == 0)
    client.force_login(agent)
    client.get(f"/tickets/{ticket.number}/")
    # 19: one of them asks whether the ticket is a complaint (panel and status buttons), one
    # reads the calls and messages linked to it (one query however many, their automatic
    # quality checks joined into it: the quality panel adds no query), one reads the ticket's
    # own automatic check and whether it is handled only in writing (QA-3), one reads the
    # ticket's classification suggestion (TEC-4; none here, so no category list either).
    with django_assert_num_queries(19):
        response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_new_ticket_finds_the_customer_by_phone(client, agent, customer):
    client.force_login(agent)
    response = client.post(
        "/tickets/new/",
        {
            "phone": "138 0013 8000",
            "subject": "洗衣机漏水",
            "category": "after_sales.repair",
            "channel": "phone",
            "urgency": "normal",
            "priority": "B",
            "handling_class": "transfer",
        },
    )
    assert response.status_code == 302
    created = Ticket.objects.get(subject="洗衣机漏水")
    assert created.customer == customer and created.assignee == agent


@pytest.mark.django_db
def test_new_ticket_creates_a_new_customer(client, agent):
    client.force_login(agent)
    client.post(
        "/tickets/new/",
        {
            "phone": "13912345678",
            "customer_name": "赵雷",
            "subject": "咨询会员积分",
            "category": "consult",
            "channel": "phone",
            "urgency": "consult",
            "priority": "C",
            "handling_class": "instant",
        },
    )
    created = Ticket.objects.get(subject="咨询会员积分")
    assert created.customer.name == "赵雷"


@pytest.mark.django_db
def test_new_ticket_validation_is_shown_not_saved(client, agent):
    client.force_login(agent)
    response = client.post("/tickets/new/", {"subject": "", "category": "nope"})
    assert response.status_code == 422
    form = response.context["form"]
    assert {"subject", "category"} <= set(form.errors) and form.non_field_errors()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_customer_lookup_answers_masked(client, agent, customer):
    client.force_login(agent)
    found = client.get("/customers/lookup/?phone=13800138000").content.decode()
    assert customer.name in found and "13800138000" not in found
    assert client.get("/customers/lookup/?phone=abc").status_code == 200


@pytest.mark.django_db
def test_attach_a_file_and_download_it_from_the_timeline(client, agent, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(agent)
    upload = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(f"/tickets/{ticket.number}/attach/", {"file": upload}).status_code == 302
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    link = f"/api/v1/tickets/{ticket.number}/attachments/"
    assert link in page and "发票.pdf" in page
    attachment_id = ticket.attachments.get().pk
    assert client.get(f"{link}{attachment_id}").content == b"%PDF-1.4 test"
    empty = client.post(f"/tickets/{ticket.number}/attach/", {}, follow=True)
    assert empty.status_code == 200 and ticket.attachments.count() == 1


@pytest.mark.django_db
def test_a_colleagues_note_does_not_block_saving_the_record(client, agent, team_lead, ticket):
    client.force_login(agent)
    form = client.get(f"/tickets/{ticket.number}/").context["record_form"]
    loaded = {"version": form.initial["version"], "base": form.initial["base"]}
    ticket_comment(actor=team_lead, ticket=ticket, body="我来跟进物流", public=False)
    response = client.post(
        f"/tickets/{ticket.number}/record/",
        {**loaded, "need_points": "需上门", "solution": "已派工"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.solution == "已派工"


@pytest.mark.django_db
def test_routing_merges_over_unrelated_changes_but_not_over_a_reassignment(
    client, agent, team_lead, ticket
):
    client.force_login(agent)
    form = client.get(f"/tickets/{ticket.number}/").context["routing_form"]
    loaded = {"version": form.initial["version"], "base": form.initial["base"]}
    ticket_update(
        actor=team_lead, ticket=ticket, version=ticket.version, changes={"urgency": "urgent"}
    )
    client.post(
        f"/tickets/{ticket.number}/routing/",
        {**loaded, "assignee": agent.pk, "team": ticket.team_id},
    )
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.urgency == "urgent"
    form = client.get(f"/tickets/{ticket.number}/").context["routing_form"]
    loaded = {"version": form.initial["version"], "base": form.initial["base"]}
    ticket_update(
        actor=team_lead, ticket=ticket, version=ticket.version, changes={"assignee": team_lead}
    )
    client.post(
        f"/tickets/{ticket.number}/routing/",
        {**loaded, "assignee": agent.pk, "team": ticket.team_id},
    )
    ticket.refresh_from_db()
    assert ticket.assignee == team_lead  # the lead's reassignment is not silently undone
