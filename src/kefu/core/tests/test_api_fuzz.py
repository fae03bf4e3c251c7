"""Property test: whatever a client sends, the API answers with a 2xx or a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.accounts.services import api_token_create

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["phone", "consult.product", "urgent", "A", "resolved", "2026-11-27T10:00:00+08:00"]
    ),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=2),
)
TICKET_KEYS = [
    "subject",
    "description",
    "category",
    "channel",
    "customer_id",
    "urgency",
    "priority",
    "handling_class",
    "assignee_id",
    "team_id",
    "department_id",
    "promised_at",
    "version",
    "to",
    "body",
]
CUSTOMER_KEYS = [
    "name",
    "phone",
    "email",
    "tier",
    "member_level",
    "tags",
    "wechat_openid",
    "id_number",
    "version",
]
random_bodies = st.dictionaries(st.sampled_from(TICKET_KEYS + CUSTOMER_KEYS), values, max_size=8)
# A valid body with one or two fields replaced reaches the services and the database.
VALID = {
    "subject": "咨询",
    "category": "consult.product",
    "channel": "phone",
    "name": "王芳",
    "version": 1,
    "to": "open",
    "body": "好的",
    "kind": "phone",
    "value": "13800138001",
}
mutated_bodies = st.dictionaries(
    st.sampled_from([*TICKET_KEYS, *CUSTOMER_KEYS, "kind", "value"]), values, min_size=1, max_size=2
).map(lambda changes: {**VALID, **changes})
bodies = st.one_of(random_bodies, mutated_bodies)
path_ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=12)
)


@pytest.fixture
def api(manager, ticket, customer):
    _, key = api_token_create(actor=None, user=manager)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:300]


@pytest.mark.django_db
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_write_endpoints_never_fail_with_500(api, ticket, customer, body):
    payload = json.dumps(body, allow_nan=True)
    for method, url in [
        ("post", "/api/v1/tickets"),
        ("patch", f"/api/v1/tickets/{ticket.number}"),
        ("post", f"/api/v1/tickets/{ticket.number}/transitions"),
        ("post", f"/api/v1/tickets/{ticket.number}/comments"),
        ("post", "/api/v1/customers"),
        ("patch", f"/api/v1/customers/{customer.pk}"),
        ("post", f"/api/v1/customers/{customer.pk}/identities"),
    ]:
        _assert_no_server_error(getattr(api, method)(url, payload, content_type="application/json"))


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=path_ids,
    query=st.dictionaries(
        st.sampled_from(
            [
                "status",
                "team_id",
                "page",
                "page_size",
                "sort",
                "q",
                "customer_id",
                "created_from",
                "category",
                "reveal",
            ]
        ),
        st.text(max_size=20),
        max_size=4,
    ),
)
def test_read_endpoints_never_fail_with_500(api, key, query):
    for url in [
        "/api/v1/tickets/",
        "/api/v1/customers/",
        "/api/v1/tickets/{}/events",
        "/api/v1/tickets/{}/attachments/1",
    ]:
        target = url.format(key) if "{}" in url else url + key
        _assert_no_server_error(api.get(target, query))
    _assert_no_server_error(api.get("/api/v1/tickets", query))
    _assert_no_server_error(api.get("/api/v1/customers", query))
    _assert_no_server_error(api.get("/api/v1/audit/events", query))
