"""FAQ entries (TEC-2, TEC-5): create, update with similar-question dedupe, channels, versions
and who may edit."""

from __future__ import annotations

import pytest

from kefu.accounts.roles import Role
from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, PermissionDenied, StaleVersion
from kefu.knowledge.faq_services import category_create, category_path, faq_create, faq_update
from kefu.tests_support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return factories.UserFactory(username="trainer", roles=[Role.TRAINER])


def test_create_dedupes_similar_questions_and_update_is_versioned(trainer):
    faq = faq_create(
        actor=trainer,
        question="怎么退货？",
        answer="**七天**无理由退货",
        similar_questions=[" 如何退货 ", "如何退货", "", "怎么退货？", "退货流程"],
        channels=["chat", "portal"],
    )
    assert [s.text for s in faq.similar_questions.all()] == ["如何退货", "退货流程"]
    assert faq.channels == ["portal", "chat"]
    edited = faq_update(actor=trainer, faq=faq, changes={"answer": "新答案"}, version=1)
    assert edited.version == 2
    assert AuditEvent.objects.filter(verb="faq.update").count() == 1
    with pytest.raises(StaleVersion):
        faq_update(actor=trainer, faq=faq, changes={"answer": "旧"}, version=1)


def test_unknown_channel_is_invalid_and_agents_may_not_edit(trainer, agent):
    with pytest.raises(InvalidInput) as error:
        faq_create(actor=trainer, question="q", answer="a", channels=["fax"])
    assert error.value.field == "channels"
    with pytest.raises(PermissionDenied):
        faq_create(actor=agent, question="q", answer="a")


def test_category_path_creates_the_tree_once(trainer):
    leaf = category_create(actor=trainer, path="售后/退换货")
    assert category_path(leaf) == "售后/退换货"
    assert category_create(actor=trainer, path="售后/退换货") == leaf
