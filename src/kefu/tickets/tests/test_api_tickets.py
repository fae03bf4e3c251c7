"""The ticket API end to end, including bad input: always a 4xx with a message, never a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.accounts.services import api_token_create
from kefu.tests_support.factories import make_ticket


@pytest.fixture
def api(agent):
    _, key = api_token_create(actor=None, user=agent)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def manager_api(manager):
    _, key = api_token_create(actor=None, user=manager)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


@pytest.mark.django_db
def test_create_get_update_transition_comment(api, customer, team):
    created = post(
        api,
        "/api/v1/tickets",
        {
            "subject": "洗衣机漏水",
            "category": "after_sales.repair",
            "channel": "phone",
            "customer_id": customer.pk,
            "urgency": "urgent",
            "priority": "A",
            "handling_class": "transfer",
            "need_points": "1. 上门检修",
            "promised_at": "2026-12-01T10:00:00+08:00",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    number = body["number"]
    assert body["status"] == "new" and body["team"]["name"] == team.name
    assert body["customer"]["name"] == "李明"
    assert body["promised_at"].startswith("2026-12-01T02:00:00")
    assert "resolved" in body["allowed_transitions"]

    fetched = api.get(f"/api/v1/tickets/{number}")
    assert fetched.status_code == 200 and fetched.json()["subject"] == "洗衣机漏水"

    updated = patch(
        api, f"/api/v1/tickets/{number}", {"version": 1, "solution": "安排师傅12月1日上午上门"}
    )
    assert updated.status_code == 200 and updated.json()["version"] == 2

    moved = post(api, f"/api/v1/tickets/{number}/transitions", {"to": "resolved", "version": 2})
    assert moved.status_code == 200 and moved.json()["status"] == "resolved"

    comment = post(
        api, f"/api/v1/tickets/{number}/comments", {"body": "已回访客户", "public": False}
    )
    assert comment.status_code == 201 and comment.json()["kind"] == "note"

    timeline = api.get(f"/api/v1/tickets/{number}/events").json()["items"]
    assert [event["kind"] for event in timeline] == [
        "created",
        "field_change",
        "status_change",
        "note",
    ]


@pytest.mark.django_db
def test_list_filters_sorting_and_pagination(api, agent, customer):
    for index in range(5):
        make_ticket(
            actor=agent,
            subject=f"工单{index}",
            customer=customer,
            urgency="urgent" if index % 2 else "normal",
        )
    page = api.get("/api/v1/tickets", {"page_size": 2, "page": 2, "sort": "created_at"}).json()
    assert page["count"] == 5
    assert [item["subject"] for item in page["items"]] == ["工单2", "工单3"]
    assert (
        api.get("/api/v1/tickets", {"status": "new,open", "customer_id": customer.pk}).json()[
            "count"
        ]
        == 5
    )
    assert api.get("/api/v1/tickets", {"status": "open"}).json()["count"] == 0
    assert api.get("/api/v1/tickets", {"q": "工单3"}).json()["count"] == 1
    assert api.get("/api/v1/tickets", {"category": "after_sales"}).json()["count"] == 5
    assert (
        api.get(
            "/api/v1/tickets", {"created_from": "2000-01-01T00:00:00Z", "created_to": "2000-01-02"}
        ).json()["count"]
        == 0
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body", "status", "field"),
    [
        (
            "post",
            "/api/v1/tickets",
            {"subject": 5, "category": "consult.product", "channel": "phone"},
            422,
            "subject",
        ),
        (
            "post",
            "/api/v1/tickets",
            {"category": "consult.product", "channel": "phone"},
            422,
            "subject",
        ),
        (
            "post",
            "/api/v1/tickets",
            {"subject": "x" * 201, "category": "consult.product", "channel": "phone"},
            422,
            "subject",
        ),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "description": "x" * 20_001,
                "category": "consult.product",
                "channel": "phone",
            },
            422,
            "description",
        ),
        (
            "post",
            "/api/v1/tickets",
            {"subject": "a", "category": "consult.product", "channel": "pigeon"},
            422,
            "channel",
        ),
        (
            "post",
            "/api/v1/tickets",
            {"subject": "a", "category": "nope", "channel": "phone"},
            422,
            "category",
        ),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "customer_id": 999999,
            },
            422,
            "customer",
        ),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "customer_id": "abc",
            },
            422,
            "customer_id",
        ),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "promised_at": "tomorrow",
            },
            422,
            "promised_at",
        ),
        ("get", "/api/v1/tickets?page_size=201", None, 422, "page_size"),
        ("get", "/api/v1/tickets?page=0", None, 422, "page"),
        ("get", "/api/v1/tickets?status=lost", None, 422, "status"),
        ("get", "/api/v1/tickets?sort=secret", None, 422, "sort"),
        ("get", "/api/v1/tickets?team_id=x", None, 422, "team_id"),
        ("get", "/api/v1/tickets?created_from=yesterday", None, 422, "created_from"),
        ("get", "/api/v1/tickets?category=nope", None, 422, "category"),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "customer_id": 2**63,
            },
            422,
            "customer_id",
        ),
        (
            "post",
            "/api/v1/tickets",
            {"subject": "a\x00b", "category": "consult.product", "channel": "phone"},
            422,
            "subject",
        ),
        ("get", f"/api/v1/tickets?team_id={2**70}", None, 422, "team_id"),
        ("get", "/api/v1/tickets?q=%00", None, 422, "q"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(api, method, url, body, status, field):
    response = post(api, url, body) if method == "post" else api.get(url)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["field"] == field
    assert payload["detail"]


@pytest.mark.django_db
def test_bad_input_on_an_existing_ticket(api, ticket):
    url = f"/api/v1/tickets/{ticket.number}"
    assert patch(api, url, {"urgency": "urgent"}).json()["field"] == "version"
    assert patch(api, url, {"version": "one"}).status_code == 422
    stale = patch(api, url, {"version": 99, "urgency": "urgent"})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"
    illegal = post(api, f"{url}/transitions", {"to": "closed", "version": 1})
    assert illegal.status_code == 409 and "cannot move" in illegal.json()["detail"]
    assert post(api, f"{url}/transitions", {"to": "open"}).json()["field"] == "version"
    stale_move = post(api, f"{url}/transitions", {"to": "open", "version": 7})
    assert stale_move.status_code == 409 and stale_move.json()["error"] == "stale_version"
    unknown = post(api, f"{url}/transitions", {"to": "teleported", "version": 1})
    assert unknown.status_code == 422 and unknown.json()["field"] == "to"
    assert post(api, f"{url}/comments", {"body": ""}).status_code == 422
    assert post(api, f"{url}/comments", {"body": "x" * 20_001}).status_code == 422
    assert (
        api.post(url + "/comments", "{not json", content_type="application/json").status_code == 400
    )
    assert api.get("/api/v1/tickets/20990101-000001").status_code == 404
    assert api.get("/api/v1/tickets/../../etc").status_code == 404


@pytest.mark.django_db
def test_invisible_ticket_is_404_for_another_team(ticket, other_agent):
    _, key = api_token_create(actor=None, user=other_agent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/v1/tickets/{ticket.number}").status_code == 404
    assert client.get("/api/v1/tickets").json()["count"] == 0


@pytest.mark.django_db
def test_attachment_upload_and_download(api, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("保修卡.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = api.post(f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    download = api.get(f"/api/v1/tickets/{ticket.number}/attachments/{attachment_id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 test"
    assert api.get(f"/api/v1/tickets/{ticket.number}/attachments/999999").status_code == 404
    missing = api.post(f"/api/v1/tickets/{ticket.number}/attachments", {})
    assert missing.status_code == 422


@pytest.mark.django_db
def test_unauthenticated_requests_are_401(ticket):
    assert Client().get("/api/v1/tickets").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer kefu_wrong").get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_session_auth_needs_csrf_for_writes(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/v1/me").json()["username"] == "agent"
    refused = client.post(
        "/api/v1/tickets",
        {"subject": "a", "category": "consult.product", "channel": "phone"},
        content_type="application/json",
    )
    assert refused.status_code == 403


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(
    manager_api, manager, agent, customer, department
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = manager_api.get("/api/v1/tickets", {"page_size": 200})
        assert response.status_code == 200
        return len(captured.captured_queries)

    make_ticket(
        actor=agent, customer=customer, assignee=agent, department=department, solution_owner=agent
    )
    count_queries()  # the token's first use writes last_used_at once; measure warm requests
    few = count_queries()
    for _ in range(25):
        make_ticket(
            actor=agent,
            customer=customer,
            assignee=agent,
            department=department,
            solution_owner=agent,
        )
    assert count_queries() == few


@pytest.mark.django_db
def test_openapi_schema_is_served(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/tickets/{number}/transitions" in schema["paths"]


@pytest.mark.django_db
def test_me_reports_roles(api):
    me = api.get("/api/v1/me").json()
    assert me["roles"] == ["agent"] and me["team"]["name"] == "一组"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "promised_at": "9999-12-31T23:59:59-14:00",
            },
            "promised_at",
        ),
        (
            "post",
            "/api/v1/tickets",
            {
                "subject": "a",
                "category": "consult.product",
                "channel": "phone",
                "promised_at": "0001-01-01T00:00:00",
            },
            "promised_at",
        ),
        ("get", "/api/v1/tickets?created_from=0001-01-01T00:00:00", None, "created_from"),
        ("get", "/api/v1/tickets?created_to=9999-12-31T23:59:59-14:00", None, "created_to"),
        ("get", "/api/v1/audit/events?since=0001-01-01T00:00:00%2B14:00", None, "since"),
    ],
)
def test_out_of_range_dates_are_422(manager_api, method, url, body, field):
    response = post(manager_api, url, body) if method == "post" else manager_api.get(url)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_patch_cannot_break_status_invariants(api, ticket, department):
    url = f"/api/v1/tickets/{ticket.number}"
    assert patch(api, url, {"version": 1, "department_id": department.pk}).status_code == 200
    assert (
        post(api, f"{url}/transitions", {"to": "pending_department", "version": 2}).status_code
        == 200
    )
    unrouted = patch(api, url, {"version": 3, "department_id": None})
    assert unrouted.status_code == 409 and unrouted.json()["field"] == "department"
    assert patch(api, url, {"version": 3, "solution": "已补发配件"}).status_code == 200
    assert post(api, f"{url}/transitions", {"to": "resolved", "version": 4}).status_code == 200
    emptied = patch(api, url, {"version": 5, "solution": ""})
    assert emptied.status_code == 409 and emptied.json()["field"] == "solution"


@pytest.mark.django_db
def test_routing_a_ticket_away_answers_with_the_saved_ticket(api, team_lead, other_agent):
    ticket = make_ticket(actor=team_lead)  # visible to the agent through the team only
    response = patch(
        api,
        f"/api/v1/tickets/{ticket.number}",
        {"version": 1, "team_id": other_agent.team_id, "assignee_id": other_agent.pk},
    )
    assert response.status_code == 200
    assert response.json()["assignee"]["username"] == "other_agent"
    assert api.get(f"/api/v1/tickets/{ticket.number}").status_code == 404


@pytest.mark.django_db
def test_attachment_content_type_is_sanitised(api, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain\nX-Evil: 1")
    response = api.post(f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload})
    assert response.status_code == 201
    assert response.json()["content_type"] == "text/plain"
    download = api.get(f"/api/v1/tickets/{ticket.number}/attachments/{response.json()['id']}")
    assert download.status_code == 200 and download["Content-Type"] == "text/plain"


@pytest.mark.django_db
def test_oversized_body_gets_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(
        api,
        "/api/v1/tickets",
        {
            "subject": "a",
            "description": "x" * 5000,
            "category": "consult.product",
            "channel": "phone",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


@pytest.mark.django_db
def test_counts_are_exact_up_to_the_limit_then_say_so(api, agent, settings):
    settings.KEFU_API_EXACT_COUNT_LIMIT = 3
    for _ in range(3):
        make_ticket(actor=agent)
    page = api.get("/api/v1/tickets").json()
    assert page["count"] == 3 and page["count_exact"] is True
    make_ticket(actor=agent)
    page = api.get("/api/v1/tickets", {"page_size": 10}).json()
    assert page["count"] == 3 and page["count_exact"] is False
    assert len(page["items"]) == 4
