"""The customer API: masked by default, reveal only for permitted roles and logged."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.accounts.services import api_token_create
from kefu.audit.models import AccessEvent


def client_for(user) -> Client:
    _, key = api_token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
def test_create_search_get_update(agent):
    api = client_for(agent)
    created = api.post(
        "/api/v1/customers",
        {"name": "赵丽", "phone": "139-0013-9000", "tier": "core", "tags": ["老年客户"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["identities"] == [
        {
            "id": body["identities"][0]["id"],
            "kind": "phone",
            "value": "139****9000",
            "masked": True,
            "primary": True,
        }
    ]
    found = api.get("/api/v1/customers", {"q": "13900139000"}).json()
    assert found["count"] == 1 and found["items"][0]["name"] == "赵丽"
    assert api.get("/api/v1/customers", {"q": "赵"}).json()["count"] == 1
    updated = api.patch(
        f"/api/v1/customers/{body['id']}",
        {"version": 1, "member_level": "gold"},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["member_level"] == "gold"
    stale = api.patch(
        f"/api/v1/customers/{body['id']}",
        {"version": 1, "member_level": "silver"},
        content_type="application/json",
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_reveal_is_forbidden_for_agents_and_logged_for_leads(customer, agent, team_lead):
    assert (
        client_for(agent).get(f"/api/v1/customers/{customer.pk}", {"reveal": "true"}).status_code
        == 403
    )
    revealed = (
        client_for(team_lead).get(f"/api/v1/customers/{customer.pk}", {"reveal": "true"}).json()
    )
    assert {item["value"] for item in revealed["identities"]} == {"13800138000", "li@example.com"}
    assert AccessEvent.objects.filter(actor=team_lead).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "phone": "call me"}, "phone"),
        ({"name": "a", "email": "nope"}, "email"),
        ({"name": "a", "tier": "platinum"}, "tier"),
        ({"name": "a", "tags": "vip"}, "tags"),
        ({"name": "a", "notes": "x" * 4001}, "notes"),
        ({"name": "a", "tags": ["\ud83d"]}, "tags"),
        ({"name": "a\x00"}, "name"),
    ],
)
def test_bad_customer_input(agent, body, field):
    response = client_for(agent).post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_duplicate_phone_is_conflict_and_unknown_customer_is_404(customer, agent):
    api = client_for(agent)
    duplicate = api.post(
        "/api/v1/customers", {"name": "b", "phone": "13800138000"}, content_type="application/json"
    )
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "phone"
    assert api.get("/api/v1/customers/999999").status_code == 404
    assert api.get("/api/v1/customers", {"q": ""}).status_code == 422


@pytest.mark.django_db
def test_qa_cannot_create_customers(qa):
    response = client_for(qa).post(
        "/api/v1/customers", {"name": "a"}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_full_width_digits_are_the_same_phone(customer, agent):
    api = client_for(agent)
    duplicate = api.post(
        "/api/v1/customers",
        {"name": "b", "phone": "１３８００１３８０００"},
        content_type="application/json",
    )
    assert duplicate.status_code == 409
    arabic = api.post(
        "/api/v1/customers", {"name": "c", "phone": "١٣٨٠٠١٣٨٠٠٠"}, content_type="application/json"
    )
    assert arabic.status_code == 422
    assert api.get("/api/v1/customers", {"q": "１３８００１３８０００"}).json()["count"] == 1


@pytest.mark.django_db
def test_update_touches_updated_at_and_empty_patch_changes_nothing(customer, agent):
    api = client_for(agent)
    first = api.patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": 1, "city": "杭州"},
        content_type="application/json",
    ).json()
    assert (
        first["version"] == 2
        and first["updated_at"] > customer.updated_at.isoformat().replace("+00:00", "Z")[:19]
    )
    same = api.patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": 2, "city": "杭州"},
        content_type="application/json",
    ).json()
    assert same["version"] == 2
    assert (
        api.patch(
            f"/api/v1/customers/{customer.pk}", {"version": 2}, content_type="application/json"
        ).json()["version"]
        == 2
    )


@pytest.mark.django_db
def test_trainers_do_not_browse_customers(customer):
    from kefu.accounts.roles import Role
    from kefu.tests_support.factories import UserFactory

    trainer = UserFactory(username="trainer", roles=[Role.TRAINER])
    assert client_for(trainer).get(f"/api/v1/customers/{customer.pk}").status_code == 403
