"""FAQ answers at run time (TEC-2, issue 8): thresholds, the model file built by the task,
the previous model serving while a new one is built, the BM25 fallback, channels."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from kefu.assist import faq_answers
from kefu.assist.faq_answers import (
    ANSWER_AT,
    CHOICES_AT,
    answer_question,
    content_stamp,
    current_model,
    faq_matches,
    model_path,
)
from kefu.assist.faq_tasks import build_faq_model
from kefu.knowledge.models import Faq, FaqSimilarQuestion
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db

ENTRIES = {
    "如何申请退款": ["怎么退款", "我要退钱", "退款怎么操作", "申请退货退款的流程"],
    "忘记密码怎么办": ["密码忘了", "怎么重置密码", "登录密码找回", "密码记不起来了"],
    "快递多久能到": ["什么时候发货", "物流几天到", "快递到哪了", "包裹多久送到"],
    "怎么开发票": ["发票怎么开", "开具增值税发票", "我要开票", "电子发票在哪下载"],
    "如何修改收货地址": ["改地址", "收货地址写错了", "更换配送地址", "地址填错了怎么办"],
    "会员积分怎么用": ["积分能抵现吗", "积分怎么兑换", "积分有什么用", "怎么使用积分"],
    "怎么注销账号": ["注销账户", "删除我的账号", "不想用了怎么销户", "账号怎么注销"],
    "优惠券怎么领取": ["哪里领券", "优惠券在哪领", "怎么拿优惠券", "领取满减券"],
    "商品有质量问题怎么办": ["收到的东西坏了", "质量有问题", "商品有瑕疵", "东西是坏的"],
    "支持哪些支付方式": ["可以用微信付款吗", "能用信用卡吗", "支付方式有哪些", "支持花呗吗"],
    "客服工作时间": ["客服几点上班", "人工客服什么时候在", "客服上班时间", "晚上有客服吗"],
    "怎么取消订单": ["订单不想要了", "取消购买", "撤销订单", "怎么把订单取消"],
}


def _faq(user, question, similar=(), channels=()):
    now = timezone.now()
    faq = Faq.objects.create(
        question=question,
        answer="答案:" + question,
        channels=list(channels),
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    for text in similar:
        FaqSimilarQuestion.objects.create(faq=faq, text=text)
    return faq


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(faq_answers, "_backend", lambda: None)  # sparse only: fast, stable
    faq_answers.reset()
    yield
    faq_answers.reset()


def test_small_set_uses_fixed_thresholds() -> None:
    user = UserFactory()
    refund = _faq(user, "如何申请退款", ["怎么退款"])
    _faq(user, "忘记密码怎么办", ["密码忘了"])
    model = current_model()
    assert model is not None and model.method == "similarity"
    assert (model.answer_at, model.choices_at) == (ANSWER_AT, CHOICES_AT)
    exact = answer_question("如何申请退款")
    assert exact.kind == "answer" and exact.best is not None and exact.best.faq_id == refund.pk
    partial = answer_question("退款要多久")
    assert partial.kind == "choices" and partial.best is not None
    assert partial.best.faq_id == refund.pk
    assert answer_question("量子力学").kind == "out_of_scope"


def test_thresholds_by_cross_validation_on_the_faq_set() -> None:
    user = UserFactory()
    faqs = {question: _faq(user, question, similar) for question, similar in ENTRIES.items()}
    model = current_model()
    assert model is not None and model.method == "svm"
    assert model.choices_at < model.answer_at
    assert model.confidence(model.answer_at) == pytest.approx(ANSWER_AT)
    assert model.confidence(model.choices_at) == pytest.approx(CHOICES_AT)
    sure = answer_question("怎么重置密码")
    assert sure.kind == "answer" and sure.best is not None
    assert sure.best.faq_id == faqs["忘记密码怎么办"].pk
    unrelated = answer_question("今天北京天气怎么样")
    assert unrelated.kind == "out_of_scope" and unrelated.candidates == []
    ranked = faq_matches("退款", limit=5)
    assert ranked[0].faq_id == faqs["如何申请退款"].pk
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0.0 <= c.score <= 1.0 for c in ranked)


def test_many_entries_use_retrieval(monkeypatch) -> None:
    monkeypatch.setattr(faq_answers, "KNN_ABOVE", 5)  # as if the set had over 300 entries
    user = UserFactory()
    faqs = {question: _faq(user, question, similar) for question, similar in ENTRIES.items()}
    model = current_model()
    assert model is not None and model.method == "knn"
    assert model.choices_at <= model.answer_at
    best = answer_question("优惠券在哪里领").best
    assert best is not None and best.faq_id == faqs["优惠券怎么领取"].pk
    sure = answer_question("怎么重置密码")
    assert sure.kind == "answer" and sure.best is not None
    assert sure.best.faq_id == faqs["忘记密码怎么办"].pk


def test_task_writes_the_model_file_and_processes_load_it(monkeypatch) -> None:
    user = UserFactory()
    refund = _faq(user, "如何申请退款", ["怎么退款"])
    _faq(user, "忘记密码怎么办", ["密码忘了"])
    path = model_path(content_stamp())
    assert not path.exists()
    build_faq_model()  # huey runs at once in the tests (immediate mode)
    assert path.exists()

    def no_build(*args, **kwargs):
        raise AssertionError("must load the file, not build")

    monkeypatch.setattr(faq_answers, "build_model", no_build)
    faq_answers.reset()  # another process: nothing in memory
    answer = answer_question("怎么退款")
    assert answer.best is not None and answer.best.faq_id == refund.pk


def test_previous_model_serves_while_the_new_one_is_built(monkeypatch) -> None:
    user = UserFactory()
    _faq(user, "如何申请退款", ["怎么退款"])
    _faq(user, "忘记密码怎么办", ["密码忘了"])
    old = current_model()
    assert old is not None
    requested: list[tuple] = []
    monkeypatch.setattr(faq_answers, "_request_build", requested.append)  # the worker is busy
    invoice = _faq(user, "怎么开发票", ["发票怎么开"])
    assert faq_answers.current_model() is old  # stale, not rebuilt in the request
    assert requested == [content_stamp()]
    assert invoice.pk not in [c.faq_id for c in faq_matches("发票怎么开")]

    faq_answers.faq_model_build()  # the task finishes
    assert current_model() is not old
    assert faq_matches("发票怎么开")[0].faq_id == invoice.pk


def test_fresh_big_set_answers_from_search_until_the_task_ran(monkeypatch) -> None:
    user = UserFactory()
    refund = _faq(user, "如何申请退款", ["怎么退款"])
    _faq(user, "忘记密码怎么办", ["密码忘了"])
    monkeypatch.setattr(faq_answers, "SYNC_BUILD_MAX", 1)
    monkeypatch.setattr(faq_answers, "_request_build", lambda stamp: None)
    assert current_model() is None
    answer = answer_question("申请退款")
    assert answer.kind == "choices" and answer.best is not None
    assert answer.best.faq_id == refund.pk and not model_path(content_stamp()).exists()


def test_channels_filter() -> None:
    user = UserFactory()
    chat_only = _faq(user, "如何申请退款", ["怎么退款"], channels=["chat"])
    _faq(user, "忘记密码怎么办", ["密码忘了"])
    assert chat_only.pk not in [c.faq_id for c in faq_matches("怎么退款", channel="portal")]
    assert faq_matches("怎么退款", channel="chat")[0].faq_id == chat_only.pk
    assert faq_matches("怎么退款")[0].faq_id == chat_only.pk
    portal = answer_question("怎么退款", channel="portal")
    assert chat_only.pk not in [c.faq_id for c in portal.candidates]


def test_empty_question_and_no_faqs() -> None:
    assert faq_matches("   ") == []
    assert answer_question("怎么退款").kind == "out_of_scope"
