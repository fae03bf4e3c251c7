"""The training plan (TRN-2): trainers and managers add a month's topics for teams or agents
and mark them done (planned → done only); everyone on staff reads the plan."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from kefu.people.models import TrainingTopic
from kefu.people.selectors import training_topics
from kefu.people.services import month_parse, training_topic_create, training_topic_done
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


def test_plan_a_topic_and_mark_it_done_once(trainer, team, agent):
    topic = training_topic_create(
        actor=trainer,
        month=dt.date(2026, 6, 17),
        title="杜绝推诿：转接话术",
        teams=[team.pk],
        agents=[agent],
    )
    assert topic.month == dt.date(2026, 6, 1) and topic.status == "planned"
    assert list(topic.teams.all()) == [team] and list(topic.agents.all()) == [agent]
    done = training_topic_done(actor=trainer, topic=topic)
    assert done.status == "done" and done.done_at is not None and done.done_by == trainer
    with pytest.raises(TransitionNotAllowed):
        training_topic_done(actor=trainer, topic=topic)
    assert AuditEvent.objects.filter(verb__startswith="training_topic.").count() == 2


def test_only_trainers_and_managers_keep_the_plan(trainer, agent, qa, manager):
    with pytest.raises(PermissionDenied):
        training_topic_create(actor=agent, month=dt.date(2026, 6, 1), title="x")
    with pytest.raises(PermissionDenied):
        training_topic_create(actor=qa, month=dt.date(2026, 6, 1), title="x")
    topic = training_topic_create(actor=manager, month=dt.date(2026, 6, 1), title="投诉处理")
    with pytest.raises(PermissionDenied):
        training_topic_done(actor=agent, topic=topic)
    assert list(training_topics(user=agent, month=dt.date(2026, 6, 1))) == [topic]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"month": dt.date(1999, 1, 1)}, "month"),
        ({"month": "2026-06"}, "month"),
        ({"teams": [999999]}, "teams"),
        ({"agents": ["x"]}, "agents"),
    ],
)
def test_bad_input_is_refused(trainer, values, field):
    with pytest.raises(InvalidInput) as exc:
        training_topic_create(
            actor=trainer, **{"month": dt.date(2026, 6, 1), "title": "话术培训", **values}
        )
    assert exc.value.field == field
    assert not TrainingTopic.objects.exists()


def test_month_parse():
    assert month_parse("2026-06") == dt.date(2026, 6, 1)
    assert month_parse("2026-13") is None and month_parse("June") is None


def test_page(client, settings, trainer, agent, team):
    settings.LANGUAGE_CODE = "en"
    client.force_login(trainer)
    created = client.post(
        "/people/training/new/", {"month": "2026-06", "title": "情绪安抚", "teams": [team.pk]}
    )
    assert created.status_code == 302 and created["Location"].endswith("?month=2026-06")
    topic = TrainingTopic.objects.get()
    assert (
        client.post("/people/training/new/", {"month": "2026-6x", "title": "x"}).status_code == 422
    )
    page = client.get("/people/training/", {"month": "2026-06"})
    assert page.status_code == 200 and "情绪安抚" in page.content.decode()
    assert client.post(f"/people/training/{topic.pk}/done/").status_code == 302
    topic.refresh_from_db()
    assert topic.status == "done"

    client.force_login(agent)
    assert client.get("/people/training/", {"month": "2026-06"}).status_code == 200
    assert (
        client.post("/people/training/new/", {"month": "2026-06", "title": "x"}).status_code == 403
    )
