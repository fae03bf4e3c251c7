"""Knowledge-base articles over HTTP (TEC-5): create, read rendered, edit, workflow (409),
feedback once, versions and diff, 404 for invisible articles, 422 naming the field."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
BASE = "/api/v1/knowledge/articles"


def _create(client, **extra):
    body = {"title": "退货政策", "body": "**七天**无理由\n<script>x</script>", **extra}
    return client.post(BASE, body, content_type="application/json")


def test_workflow_over_http(client, agent, manager):
    client.force_login(agent)
    created = _create(client, tags=["退货"])
    assert created.status_code == 201, created.content
    data = created.json()
    article_id = data["id"]
    assert data["state"] == "draft" and data["version"] == 1
    assert "<strong>七天</strong>" in data["body_html"] and "<script>" not in data["body_html"]
    assert data["allowed_transitions"] == ["in_review"]

    edited = client.patch(
        f"{BASE}/{article_id}",
        {"body": "七天无理由\n运费商家承担", "version": 1, "note": "运费"},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(
        f"{BASE}/{article_id}", {"title": "x", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409

    def move(to):
        return client.post(
            f"{BASE}/{article_id}/transitions", {"to": to}, content_type="application/json"
        )

    assert move("published").status_code == 409
    assert move("in_review").status_code == 200
    assert move("published").status_code == 403  # agents do not publish
    client.force_login(manager)
    published = move("published")
    assert published.status_code == 200
    assert published.json()["published_version"] == 2 and published.json()["review_by"]

    versions = client.get(f"{BASE}/{article_id}/versions").json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    diff = client.get(f"{BASE}/{article_id}/diff", {"a": 1, "b": 2}).json()["rows"]
    assert {"op": "+", "text": "运费商家承担"} in diff
    assert client.get(f"{BASE}/{article_id}/diff", {"a": 1, "b": 7}).json()["field"] == "b"

    feedback = client.post(
        f"{BASE}/{article_id}/feedback", {"helpful": True}, content_type="application/json"
    )
    assert feedback.status_code == 201
    again = client.post(
        f"{BASE}/{article_id}/feedback", {"helpful": False}, content_type="application/json"
    )
    assert again.status_code == 409
    listed = client.get(BASE, {"state": "published", "tag": "退货"}).json()
    assert [a["id"] for a in listed["items"]] == [article_id]


def test_invisible_is_404_and_bad_input_422(client, agent, other_agent):
    client.force_login(agent)
    article_id = _create(client).json()["id"]
    bad = _create(client, type="nope")
    assert bad.status_code == 422 and bad.json()["field"] == "type"
    blank = _create(client, title=" ")
    assert blank.status_code == 422 and blank.json()["field"] == "title"
    assert client.get(BASE, {"state": "x"}).json()["field"] == "state"
    client.force_login(other_agent)
    assert client.get(f"{BASE}/{article_id}").status_code == 404
    assert client.get(f"{BASE}/{article_id}/versions").status_code == 404
    assert client.get(BASE).json()["items"] == []


def test_others_may_read_a_published_article_but_not_edit_it(client, agent, other_agent, qa):
    client.force_login(agent)
    article_id = _create(client).json()["id"]
    client.post(f"{BASE}/{article_id}/transitions", {"to": "in_review"}, "application/json")
    client.force_login(qa)
    moved = client.post(f"{BASE}/{article_id}/transitions", {"to": "published"}, "application/json")
    assert moved.status_code == 200
    client.force_login(other_agent)
    assert client.get(f"{BASE}/{article_id}").json()["allowed_transitions"] == []
    edit = client.patch(f"{BASE}/{article_id}", {"title": "x"}, content_type="application/json")
    assert edit.status_code == 403
    archive = client.post(
        f"{BASE}/{article_id}/transitions", {"to": "archived"}, content_type="application/json"
    )
    assert archive.status_code == 403
    client.logout()
    assert client.get(f"{BASE}/{article_id}").status_code in (401, 403, 404)
