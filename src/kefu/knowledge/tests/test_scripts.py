"""The script library (话术库, SCR-1, SCR-4): trainers, QA specialists and managers add, edit
(versioned, audited) and deactivate scripts; everyone on staff reads the active ones."""

from __future__ import annotations

import pytest

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied, StaleVersion
from kefu.knowledge.models import Script
from kefu.knowledge.selectors import scripts
from kefu.knowledge.services import script_create, script_set_active, script_update
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


@pytest.fixture
def script(trainer):
    return script_create(
        actor=trainer,
        stage="need_confirmation",
        title="确认需求",
        text="为了更好地帮您解决问题，请问您的订单号是？",
    )


def test_keepers_add_edit_and_deactivate_with_history(script, trainer, qa, manager):
    assert (script.source, script.version, script.is_active) == ("manual", 1, True)
    edited = script_update(
        actor=qa, script=script, changes={"text": "请问您的订单号是多少？"}, version=1
    )
    assert edited.version == 2 and edited.text == "请问您的订单号是多少？"
    event = AuditEvent.objects.get(verb="script.update")
    assert event.before["text"].startswith("为了更好地") and event.after["version"] == 2
    with pytest.raises(StaleVersion):
        script_update(actor=manager, script=script, changes={"title": "旧"}, version=1)
    assert script_set_active(actor=manager, script=script, active=False).is_active is False
    assert AuditEvent.objects.filter(verb="script.deactivate").count() == 1


def test_agents_read_active_scripts_only_and_may_not_write(script, agent, trainer):
    assert list(scripts(user=agent)) == [script]
    script_set_active(actor=trainer, script=script, active=False)
    assert list(scripts(user=agent, include_inactive=True)) == []
    assert list(scripts(user=trainer, include_inactive=True)) == [script]
    with pytest.raises(PermissionDenied):
        script_create(actor=agent, stage="opening", title="x", text="y")
    with pytest.raises(PermissionDenied):
        script_update(actor=agent, script=script, changes={"title": "x"})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"stage": "middle"}, "stage"),
        ({"title": " "}, "title"),
        ({"text": ""}, "text"),
        ({"text": "好" * 4001}, "text"),
        ({"replaces": "a\x00b"}, "replaces"),
    ],
)
def test_bad_input_is_refused_with_the_field(trainer, values, field):
    base = {"stage": "opening", "title": "开场", "text": "您好，很高兴为您服务"}
    with pytest.raises(InvalidInput) as exc:
        script_create(actor=trainer, **{**base, **values})
    assert exc.value.field == field
    assert not Script.objects.exists()


def test_pages(client, settings, script, agent, trainer):
    settings.LANGUAGE_CODE = "en"
    client.force_login(agent)
    page = client.get("/knowledge/scripts/")
    assert page.status_code == 200
    assert "为了更好地帮您解决问题" in page.content.decode()
    assert client.get("/knowledge/scripts/new/").status_code == 403
    assert (
        client.post(f"/knowledge/scripts/{script.pk}/active/", {"active": "0"}).status_code == 403
    )

    client.force_login(trainer)
    created = client.post(
        "/knowledge/scripts/new/",
        {"stage": "closing", "title": "结束语", "text": "感谢您的来电，祝您生活愉快，再见！"},
    )
    assert created.status_code == 302
    edit = client.post(
        f"/knowledge/scripts/{script.pk}/",
        {
            "stage": "need_confirmation",
            "title": "确认需求",
            "text": "请问您的订单号是？",
            "version": 1,
        },
    )
    assert edit.status_code == 302
    script.refresh_from_db()
    assert script.version == 2
    stale = client.post(
        f"/knowledge/scripts/{script.pk}/",
        {"stage": "opening", "title": "x", "text": "y", "version": 1},
    )
    assert stale.status_code == 422
    assert client.post("/knowledge/scripts/new/", {"stage": "x"}).status_code == 422
    assert (
        client.post(f"/knowledge/scripts/{script.pk}/active/", {"active": "0"}).status_code == 302
    )
    script.refresh_from_db()
    assert script.is_active is False
    assert "结束语" in client.get("/knowledge/scripts/", {"stage": "closing"}).content.decode()
