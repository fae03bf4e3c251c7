"""The complaint API end to end: registration, stages with their records, departments, notices,
the improvement register; bad input is always a 4xx naming the field, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.accounts.services import api_token_create
from kefu.complaints.models import Complaint, Improvement
from kefu.core.timeutils import local_date, now
from kefu.customers.models import Customer
from kefu.tests_support import factories
from kefu.tickets.models import CategoryRoot, Ticket
from kefu.tickets.services import ticket_transition

NEW_PHONE = "13900139000"


def client_for(user) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


@pytest.fixture
def api(agent, complaint_specialist):
    """The registering agent; the complaint specialist exists, so registration assigns them."""
    return client_for(agent)


@pytest.fixture
def specialist_api(complaint_specialist):
    return client_for(complaint_specialist)


@pytest.fixture
def manager_api(manager):
    return client_for(manager)


def register(client, **changes):
    body = {
        "customer": {"phone": NEW_PHONE, "name": "张伟"},
        "type": "delivery",
        "severity": "general",
        "demands": "退还运费 12 元并道歉",
        "description": "快递员未送货上门，电话态度差。",
        "channel": "phone",
    }
    body.update(changes)
    return post(client, "/api/v1/complaints", body)


@pytest.fixture
def complaint_id(api) -> int:
    response = register(api)
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def move(client, complaint_id, to, record=None, **extra):
    body = {"to": to, "record": record or {}, **extra}
    return post(client, f"/api/v1/complaints/{complaint_id}/transitions", body)


PLAN_RECORD = {
    "findings": "快递员未按约定送货上门",
    "evidence": [{"kind": "recording", "ref": "CALL-20260929-001", "note": "客户来电录音"}],
    "plan": "退还运费并由物流部约谈快递员",
}


# -- registration -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_creates_a_complaint_ticket_for_the_specialist(api, complaint_specialist):
    response = register(api, received_at=(now() - dt.timedelta(days=400)).isoformat())
    assert response.status_code == 422 and response.json()["field"] == "received_at"

    received = (now() - dt.timedelta(minutes=20)).isoformat()
    response = register(api, received_at=received)
    assert response.status_code == 201, response.content
    body = response.json()
    number, complaint_id = body["ticket"], body["id"]
    ticket = Ticket.objects.select_related("category").get(number=number)
    assert ticket.category.root == CategoryRoot.COMPLAINT
    assert ticket.category.code == "complaint.delivery"
    assert ticket.assignee_id == complaint_specialist.pk
    assert Complaint.objects.get(pk=complaint_id).ticket_id == ticket.pk
    assert body["type"] == {
        "id": ticket.category_id,
        "code": "complaint.delivery",
        "name": "物流配送",
    }
    assert body["severity"] == "general" and body["stage"] == "registered"
    assert body["assignee"]["username"] == "complaints"
    assert body["customer"]["name"] == "张伟"
    assert body["version"] == 1
    assert sorted(body["allowed_transitions"]) == ["investigating", "solved", "withdrawn"]
    # The need-confirmation letter is queued (HND-5); the address never leaves the server.
    assert [(n["kind"], n["channel"], n["status"]) for n in body["notices"]] == [
        ("need_confirmation", "sms", "pending")
    ]
    assert NEW_PHONE not in response.content.decode()
    assert {clock["milestone"] for clock in body["clocks"]} >= {
        "complaint_register",
        "complaint_investigation",
        "complaint_final_solution",
    }

    fetched = api.get(f"/api/v1/complaints/{complaint_id}")
    assert fetched.status_code == 200
    detail = fetched.json()
    assert detail["ticket"] == number and detail["demands"] == "退还运费 12 元并道歉"
    assert detail["channel"] == "phone" and detail["received_at"] and detail["registered_at"]
    for key in ("findings", "evidence", "plan", "final_solution", "rectification_action"):
        assert key in detail
    assert NEW_PHONE not in fetched.content.decode()


@pytest.mark.django_db
def test_register_by_type_id_or_full_code_and_customer_id(api, customer, department):
    by_code = register(api, type="complaint.attitude", customer=customer.pk, severity="major")
    assert by_code.status_code == 201, by_code.content
    type_id = by_code.json()["type"]["id"]
    by_id = register(api, type=type_id, customer=customer.pk, departments=["logistics"])
    assert by_id.status_code == 201, by_id.content
    body = by_id.json()
    assert body["type"]["code"] == "complaint.attitude"
    assert [row["department"]["code"] for row in body["departments"]] == ["logistics"]
    assert body["departments"][0]["replied_at"] is None
    assert Customer.objects.filter(pk=customer.pk).count() == 1


@pytest.mark.django_db
def test_raise_an_existing_ticket_as_a_complaint(api, ticket, complaint_specialist):
    response = post(
        api,
        "/api/v1/complaints",
        {"ticket": ticket.number, "type": "attitude", "severity": "general", "demands": "道歉"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["ticket"] == ticket.number
    ticket.refresh_from_db()
    assert ticket.category.root == CategoryRoot.COMPLAINT
    assert ticket.assignee_id == complaint_specialist.pk
    again = post(
        api,
        "/api/v1/complaints",
        {"ticket": ticket.number, "type": "attitude", "severity": "general", "demands": "道歉"},
    )
    assert again.status_code == 409 and again.json()["field"] == "ticket"


def raise_team_ticket(client, ticket):
    return post(
        client,
        "/api/v1/complaints",
        {"ticket": ticket.number, "type": "quality", "severity": "major", "demands": "换货"},
    )


@pytest.mark.django_db
def test_raising_a_team_ticket_answers_with_the_saved_complaint(api, team_lead):
    """The raised ticket goes to the complaint specialist, out of the agent's team view; the
    answer is still the registered complaint, not a 404."""
    ticket = ticket_transition(
        actor=team_lead, ticket=factories.make_ticket(actor=team_lead), to="open"
    )
    assert api.get(f"/api/v1/tickets/{ticket.number}").status_code == 200
    response = raise_team_ticket(api, ticket)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ticket"] == ticket.number and body["stage"] == "registered"
    assert body["type"]["code"] == "complaint.quality" and body["severity"] == "major"
    assert body["ticket_status"] == "open"
    assert body["assignee"]["username"] == "complaints"
    assert api.get(f"/api/v1/complaints/{body['id']}").status_code == 404


@pytest.mark.django_db
def test_raising_a_new_team_ticket(api, team_lead, complaint_specialist):
    ticket = factories.make_ticket(actor=team_lead)
    assert api.get(f"/api/v1/tickets/{ticket.number}").status_code == 200
    response = raise_team_ticket(api, ticket)
    assert response.status_code == 201, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": None}, "type"),
        ({"type": "nope"}, "type"),
        ({"type": "consult.product"}, "type"),
        ({"type": 2**70}, "type"),
        ({"type": "9" * 30}, "type"),
        ({"severity": "huge"}, "severity"),
        ({"demands": ""}, "demands"),
        ({"demands": "   "}, "demands"),
        ({"demands": "x" * 4001}, "demands"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel": None}, "channel"),
        ({"received_at": "2026-09-29T10:00:00"}, "received_at"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"customer": None}, "customer"),
        ({"customer": 999_999}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"customer": {"name": "无联系方式"}}, "customer"),
        ({"customer": {"phone": 5}}, "customer"),
        ({"departments": ["nope"]}, "departments"),
        ({"departments": "logistics"}, "departments"),
        ({"ticket": "20990101-000001"}, "ticket"),
        ({"ticket": "../etc"}, "ticket"),
        ({"demands": "a\x00b"}, "demands"),
    ],
)
def test_bad_registration_is_422_naming_the_field(api, changes, field):
    body = {
        "customer": {"phone": NEW_PHONE},
        "type": "delivery",
        "severity": "general",
        "demands": "退还运费",
        "channel": "phone",
    }
    body.update(changes)
    body = {key: value for key, value in body.items() if value is not None}  # None: left out
    before = Customer.objects.count()
    response = post(api, "/api/v1/complaints", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert Customer.objects.count() == before and not Complaint.objects.exists()


@pytest.mark.django_db
def test_an_inactive_department_is_refused_and_leaves_no_new_customer(api):
    factories.DepartmentFactory(code="closed_dept", name="已撤销部门", is_active=False)
    before = Customer.objects.count()
    response = register(api, departments=["closed_dept"])
    assert response.status_code == 422 and response.json()["field"] == "departments"
    assert Customer.objects.count() == before
    assert not Complaint.objects.exists() and not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_role_without_the_permission_cannot_register(department_member):
    response = register(client_for(department_member))
    assert response.status_code == 403


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_and_pagination(api, specialist_api, customer):
    ids = []
    for index in range(3):
        response = register(
            api,
            customer=customer.pk,
            severity="major" if index == 2 else "general",
            type="attitude" if index == 0 else "delivery",
            demands=f"诉求{index}",
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    assert move(specialist_api, ids[1], "investigating").status_code == 200

    def listed(client, **query):
        response = client.get("/api/v1/complaints", query)
        assert response.status_code == 200, response.content
        return response.json()

    page = listed(api, page_size=2, page=1)
    assert page["count"] == 3 and page["count_exact"] and len(page["items"]) == 2
    assert listed(api, page_size=2, page=2)["items"][0]["demands"] == "诉求0"
    first = page["items"][0]
    assert {"id", "ticket", "type", "severity", "stage", "next_clock"} <= set(first)
    assert first["next_clock"]["milestone"].startswith("complaint_")
    assert [item["id"] for item in listed(api, stage="investigating")["items"]] == [ids[1]]
    assert listed(api, stage="active")["count"] == 3
    assert [item["id"] for item in listed(api, severity="major")["items"]] == [ids[2]]
    assert [item["id"] for item in listed(api, type="attitude")["items"]] == [ids[0]]
    assert listed(api, type="complaint.delivery")["count"] == 2
    assert listed(api, q="诉求1")["count"] == 1
    assert listed(api, mine=True)["count"] == 0
    assert listed(specialist_api, mine=True)["count"] == 3
    for query, field in [
        ({"stage": "lost"}, "stage"),
        ({"severity": "tiny"}, "severity"),
        ({"q": "x" * 101}, "q"),
        ({"page": 0}, "page"),
        ({"page_size": 201}, "page_size"),
        ({"mine": "perhaps"}, "mine"),
    ]:
        response = api.get("/api/v1/complaints", query)
        assert response.status_code == 422 and response.json()["field"] == field, query


@pytest.mark.django_db
def test_an_invisible_complaint_is_404(complaint_id, other_agent):
    other = client_for(other_agent)
    assert other.get(f"/api/v1/complaints/{complaint_id}").status_code == 404
    assert other.get("/api/v1/complaints").json()["count"] == 0
    assert move(other, complaint_id, "investigating").status_code == 404
    assert other.get("/api/v1/complaints/999999").status_code == 404
    assert other.get(f"/api/v1/complaints/{2**70}").status_code == 422
    assert other.get("/api/v1/complaints/abc").status_code == 422


# -- stages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_without_the_handle_permission_cannot_move_a_complaint(api, complaint_id):
    response = move(api, complaint_id, "investigating")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


@pytest.mark.django_db
def test_moves_need_their_record_and_follow_the_map(specialist_api, complaint_id):
    illegal = move(specialist_api, complaint_id, "closed", {"note": "无需处理"})
    assert illegal.status_code == 409 and illegal.json()["error"] == "transition_not_allowed"
    unknown = move(specialist_api, complaint_id, "teleported")
    assert unknown.status_code == 422 and unknown.json()["field"] == "to"
    stale = move(specialist_api, complaint_id, "investigating", version=7)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"

    started = move(specialist_api, complaint_id, "investigating", version=1)
    assert started.status_code == 200, started.content
    assert started.json()["stage"] == "investigating" and started.json()["version"] == 2

    for record, field in [
        ({}, "findings"),
        ({"findings": "已核实"}, "evidence"),
        ({"findings": "已核实", "evidence": []}, "evidence"),
        ({"findings": "已核实", "evidence": [{"kind": "rumour", "ref": "x"}]}, "evidence.0.kind"),
        ({"findings": "已核实", "evidence": PLAN_RECORD["evidence"]}, "plan"),
    ]:
        refused = move(specialist_api, complaint_id, "plan_proposed", record)
        assert refused.status_code == 422, refused.content
        assert refused.json()["field"] == field
    wrong_type = move(specialist_api, complaint_id, "plan_proposed", {"findings": ["a"]})
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "record.findings"
    assert move(specialist_api, complaint_id, "solved").json()["field"] == "final_solution"
    assert move(specialist_api, complaint_id, "withdrawn").json()["field"] == "reason"
    assert Complaint.objects.get(pk=complaint_id).version == 2


@pytest.mark.django_db
def test_the_closed_loop_through_the_api(specialist_api, manager_api, complaint_id, manager):
    steps = [
        ("investigating", {"note": "调取录音"}),
        ("plan_proposed", PLAN_RECORD),
        ("solved", {"final_solution": "已退还运费 12 元，物流部已约谈快递员"}),
    ]
    for stage, record in steps:
        response = move(specialist_api, complaint_id, stage, record)
        assert response.status_code == 200, response.content
        assert response.json()["stage"] == stage
    solved = response.json()
    assert solved["ticket_status"] == "resolved"
    assert solved["evidence"][0]["ref"] == "CALL-20260929-001"
    assert solved["final_solution"].startswith("已退还运费")
    due = (local_date(now()) + dt.timedelta(days=7)).isoformat()
    bad_rectification = move(
        specialist_api,
        complaint_id,
        "rectifying",
        {"action": "培训", "type": "sermon", "owner": manager.pk, "due": due},
    )
    assert bad_rectification.status_code == 422
    assert bad_rectification.json()["field"] == "record.type"
    missing_owner = move(
        specialist_api,
        complaint_id,
        "rectifying",
        {"action": "培训", "type": "training", "due": due},
    )
    assert missing_owner.status_code == 422 and missing_owner.json()["field"] == "owner"
    rectifying = move(
        specialist_api,
        complaint_id,
        "rectifying",
        {"action": "快递员服务规范培训", "type": "training", "owner": manager.pk, "due": due},
    )
    assert rectifying.status_code == 200, rectifying.content
    body = rectifying.json()
    assert body["rectification_type"] == "training"
    assert body["rectification_owner"]["id"] == manager.pk
    assert body["rectification_due"] == due

    register = manager_api.get("/api/v1/improvements").json()
    assert register["count"] == 1
    line = register["items"][0]
    assert line["complaint"] == {"id": complaint_id, "ticket": body["ticket"]}
    assert line["status"] == "open" and line["action_type"] == "training"

    closed = move(specialist_api, complaint_id, "closed", {"result": "已完成培训并考核"})
    assert closed.status_code == 200, closed.content
    closed_body = closed.json()
    assert closed_body["stage"] == "closed" and closed_body["ticket_status"] == "closed"
    assert closed_body["allowed_transitions"] == ["investigating"]
    kinds = [notice["kind"] for notice in closed_body["notices"]]
    assert kinds == ["need_confirmation", "plan", "result", "rectification"]
    assert Improvement.objects.get().status == "done"


@pytest.mark.django_db
def test_ticket_clocks_list_the_complaint_milestones(api, specialist_api, complaint_id):
    number = api.get(f"/api/v1/complaints/{complaint_id}").json()["ticket"]

    def milestones() -> set[str]:
        response = specialist_api.get(f"/api/v1/tickets/{number}/clocks")
        assert response.status_code == 200, response.content
        return {clock["milestone"] for clock in response.json()["items"]}

    assert milestones() >= {
        "complaint_register",
        "complaint_investigation",
        "complaint_plan_notice",
        "complaint_final_solution",
        "complaint_general_solution",
    }
    solved = move(specialist_api, complaint_id, "solved", {"final_solution": "已退款"})
    assert solved.status_code == 200, solved.content
    assert "complaint_rectification" in milestones()
    clocks = specialist_api.get(f"/api/v1/complaints/{complaint_id}").json()["clocks"]
    assert "complaint_rectification" in {clock["milestone"] for clock in clocks}
    register_clock = next(c for c in clocks if c["milestone"] == "complaint_register")
    assert register_clock["standard"] == "CMP-1" and register_clock["state"]


# -- departments ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_department_is_asked_and_replies(
    specialist_api, api, complaint_id, department, department_member, other_agent
):
    base = f"/api/v1/complaints/{complaint_id}/departments"
    assert post(api, base, {"department": "logistics"}).status_code == 403
    unknown = post(specialist_api, base, {"department": "nowhere"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "departments"
    assert post(specialist_api, base, {}).json()["field"] == "department"
    asked = post(specialist_api, base, {"department": "logistics", "request": "请核实派送记录"})
    assert asked.status_code == 201, asked.content
    assert asked.json()["department"]["id"] == department.pk
    assert asked.json()["request"] == "请核实派送记录" and asked.json()["replied_at"] is None
    twice = post(specialist_api, base, {"department": department.pk})
    assert twice.status_code == 409 and twice.json()["field"] == "department"

    # Solving waits for the department's answer (ORG-2).
    waiting = move(specialist_api, complaint_id, "solved", {"final_solution": "退款"})
    assert waiting.status_code == 409

    member = client_for(department_member)
    assert member.get(f"/api/v1/complaints/{complaint_id}").status_code == 200
    reply_url = f"{base}/{department.pk}/reply"
    assert post(member, reply_url, {"reply": ""}).json()["field"] == "reply"
    assert post(member, f"{base}/999999/reply", {"reply": "好"}).status_code == 404
    assert post(client_for(other_agent), reply_url, {"reply": "好"}).status_code == 404
    replied = post(member, reply_url, {"reply": "快递员当日未派送，已核实"})
    assert replied.status_code == 200, replied.content
    assert replied.json()["reply"] == "快递员当日未派送，已核实" and replied.json()["replied_at"]
    again = post(member, reply_url, {"reply": "补充"})
    assert again.status_code == 409 and again.json()["field"] == "reply"

    solved = move(specialist_api, complaint_id, "solved", {"final_solution": "退款"})
    assert solved.status_code == 200, solved.content
    assert solved.json()["departments"][0]["copied_at"]


# -- notices ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_progress_notice_by_hand(specialist_api, api, complaint_id):
    url = f"/api/v1/complaints/{complaint_id}/notices"
    assert post(api, url, {"kind": "progress"}).status_code == 403
    assert post(specialist_api, url, {"kind": "gossip"}).json()["field"] == "kind"
    assert post(specialist_api, url, {"kind": "progress", "channel": "fax"}).status_code == 422
    no_email = post(specialist_api, url, {"kind": "progress", "channel": "email"})
    assert no_email.status_code == 422 and no_email.json()["field"] == "channel"
    bad_variable = post(specialist_api, url, {"kind": "progress", "body": "{secret}"})
    assert bad_variable.status_code == 422 and bad_variable.json()["field"] == "body"
    sent = post(specialist_api, url, {"kind": "progress", "progress": "物流部正在核实"})
    assert sent.status_code == 201, sent.content
    notice = sent.json()
    assert notice["kind"] == "progress" and notice["channel"] == "sms"
    assert notice["status"] == "pending" and notice["sent_at"] is None
    assert NEW_PHONE not in sent.content.decode()
    kinds = [n["kind"] for n in api.get(f"/api/v1/complaints/{complaint_id}").json()["notices"]]
    assert kinds == ["need_confirmation", "progress"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notices_leave_after_commit(agent, complaint_specialist):
    api = client_for(agent)
    response = register(api)
    assert response.status_code == 201, response.content
    notices = api.get(f"/api/v1/complaints/{response.json()['id']}").json()["notices"]
    assert [(n["kind"], n["status"]) for n in notices] == [("need_confirmation", "sent")]
    assert notices[0]["sent_at"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_registration_sends_nothing(agent, complaint_specialist):
    from kefu.notify.models import OutboundMessage

    factories.DepartmentFactory(code="closed_dept", name="已撤销部门", is_active=False)
    response = register(client_for(agent), departments=["closed_dept"])
    assert response.status_code == 422
    assert not OutboundMessage.objects.exists() and not Customer.objects.exists()


# -- improvement register ---------------------------------------------------------------------


@pytest.mark.django_db
def test_improvement_register(manager_api, api, manager, qa):
    due = (local_date(now()) + dt.timedelta(days=14)).isoformat()
    line = {
        "problem": "退款类来电重复咨询率高",
        "evidence": "9 月质检抽样 30 通中 12 通",
        "action": "更新退款话术并培训",
        "action_type": "training",
        "owner": manager.pk,
        "due": due,
    }
    assert post(api, "/api/v1/improvements", line).status_code == 403
    assert api.get("/api/v1/improvements").status_code == 403
    refusals: list[tuple[dict[str, object], str]] = [
        ({"action_type": "sermon"}, "action_type"),
        ({"owner": 999_999}, "owner"),
        ({"owner": 2**70}, "owner"),
        ({"due": "2000-01-01"}, "due"),
        ({"due": "soon"}, "due"),
        ({"problem": ""}, "problem"),
    ]
    for changes, field in refusals:
        refused = post(manager_api, "/api/v1/improvements", {**line, **changes})
        assert refused.status_code == 422, refused.content
        assert refused.json()["field"] == field, changes
    created = post(manager_api, "/api/v1/improvements", line)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["complaint"] is None and body["version"] == 1
    url = f"/api/v1/improvements/{body['id']}"

    assert patch(manager_api, url, {"status": "done"}).json()["field"] == "version"
    not_yet = patch(manager_api, url, {"version": 1, "status": "done"})
    assert not_yet.status_code == 422 and not_yet.json()["field"] == "result"
    done = patch(manager_api, url, {"version": 1, "status": "done", "result": "复测下降到 5%"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    assert done.json()["version"] == 2
    stale = patch(manager_api, url, {"version": 1, "result": "改"})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"
    assert patch(manager_api, url, {"version": 2, "status": "lost"}).status_code == 422
    assert patch(manager_api, "/api/v1/improvements/999999", {"version": 1}).status_code == 404

    listed = manager_api.get("/api/v1/improvements", {"status": "done"}).json()
    assert listed["count"] == 1 and listed["items"][0]["result"] == "复测下降到 5%"
    assert manager_api.get("/api/v1/improvements", {"status": "open"}).json()["count"] == 0
    assert manager_api.get("/api/v1/improvements", {"status": "x"}).status_code == 422
    assert client_for(qa).get("/api/v1/improvements").json()["count"] == 1
    assert patch(client_for(qa), url, {"version": 2, "result": "改"}).status_code == 403


# -- schema and robustness --------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_complaint_endpoints(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/complaints",
        "/api/v1/complaints/{complaint_id}",
        "/api/v1/complaints/{complaint_id}/transitions",
        "/api/v1/complaints/{complaint_id}/departments",
        "/api/v1/complaints/{complaint_id}/departments/{department_id}/reply",
        "/api/v1/complaints/{complaint_id}/notices",
        "/api/v1/improvements",
        "/api/v1/improvements/{improvement_id}",
    ):
        assert path in paths, path


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["delivery", "major", "phone", "solved", "logistics", "2026-09-29"]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["phone", "kind", "ref", "x"]), scalars, max_size=2),
)
KEYS = [
    "customer",
    "ticket",
    "type",
    "severity",
    "demands",
    "channel",
    "received_at",
    "departments",
    "to",
    "record",
    "version",
    "department",
    "request",
    "reply",
    "kind",
    "body",
    "problem",
    "action",
    "action_type",
    "owner",
    "due",
    "status",
]


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_write_endpoints_never_fail_with_500(manager, complaint_specialist, department, body):
    client = client_for(manager)
    complaint = Complaint.objects.first()
    if complaint is None:
        response = register(client)
        assert response.status_code == 201, response.content
        complaint = Complaint.objects.get()
    payload = json.dumps(body, allow_nan=True)
    for method, url in [
        ("post", "/api/v1/complaints"),
        ("post", f"/api/v1/complaints/{complaint.pk}/transitions"),
        ("post", f"/api/v1/complaints/{complaint.pk}/departments"),
        ("post", f"/api/v1/complaints/{complaint.pk}/departments/{department.pk}/reply"),
        ("post", f"/api/v1/complaints/{complaint.pk}/notices"),
        ("post", "/api/v1/improvements"),
        ("patch", "/api/v1/improvements/1"),
    ]:
        response = getattr(client, method)(url, payload, content_type="application/json")
        assert response.status_code < 500, response.content[:300]
