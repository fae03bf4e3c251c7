"""The FAQ bot's services (TEC-2): answer / choices / out of scope, feedback once, hand-off with
the transcript in a real chat, idle close, and the outcome transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.assist import bot_services
from kefu.assist.faq_answers import FaqAnswer, FaqCandidate
from kefu.assist.models import BotOutcome, BotReplyKind, BotSession
from kefu.channels.chat import services as chat_services
from kefu.channels.models import ChatWidget, ContactMessage, Presence, Speaker
from kefu.core.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from kefu.core.timeutils import now
from kefu.knowledge.faq_services import faq_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def faqs(manager):
    return [
        faq_create(actor=manager, question="如何申请退货退款", answer="在**订单详情**点击退货。"),
        faq_create(actor=manager, question="发票怎么开具", answer="订单完成后在订单页申请发票。"),
        faq_create(actor=manager, question="运费由谁承担", answer="质量问题由商家承担。"),
    ]


@pytest.fixture
def session():
    return bot_services.bot_session_start(
        channel="portal", visitor_key=bot_services.bot_visitor_key("browser-1")
    )


def decided(kind, faqs, confidence):
    candidates = [
        FaqCandidate(faq.pk, faq.question, confidence - i * 0.05) for i, faq in enumerate(faqs)
    ]
    return lambda question, channel="", limit=3: FaqAnswer(kind, candidates, confidence)


def test_visitor_key_is_a_keyed_hash_not_the_session_key():
    key = bot_services.bot_visitor_key("abc-session")
    assert len(key) == 64 and "abc-session" not in key
    assert key == bot_services.bot_visitor_key("abc-session")
    assert key != bot_services.bot_visitor_key("abc-session2")


def test_exact_question_is_answered(faqs, session):
    turn = bot_services.bot_ask(session=session, question="如何申请退货退款")
    assert turn.reply_kind == BotReplyKind.ANSWER
    assert turn.faq == faqs[0]
    assert turn.confidence >= 0.6
    session.refresh_from_db()
    assert session.questions == 1 and session.outcome == BotOutcome.OPEN


def test_unrelated_question_is_out_of_scope(faqs, session):
    turn = bot_services.bot_ask(session=session, question="zzqx kwvv plorb")
    assert turn.reply_kind == BotReplyKind.OUT_OF_SCOPE
    assert turn.faq is None and turn.candidates == []


def test_unsure_offers_top_three_and_a_choice_is_an_answer(faqs, session, monkeypatch):
    monkeypatch.setattr(bot_services, "answer_question", decided("choices", faqs, 0.45))
    turn = bot_services.bot_ask(session=session, question="退东西")
    assert turn.reply_kind == BotReplyKind.CHOICES and turn.faq is None
    assert [item["faq"] for item in turn.candidates] == [faq.pk for faq in faqs]
    picked = bot_services.bot_choose(session=session, turn_id=turn.pk, faq_id=faqs[1].pk)
    assert picked.reply_kind == BotReplyKind.ANSWER and picked.faq == faqs[1]
    assert picked.question == "退东西"
    session.refresh_from_db()
    assert session.questions == 1  # a picked choice is not a new question
    with pytest.raises(InvalidInput) as refused:
        bot_services.bot_choose(session=session, turn_id=turn.pk, faq_id=999_999)
    assert refused.value.field == "faq"
    with pytest.raises(Conflict):  # an answer offers no choices
        bot_services.bot_choose(session=session, turn_id=picked.pk, faq_id=faqs[1].pk)


def test_low_confidence_is_out_of_scope(faqs, session, monkeypatch):
    monkeypatch.setattr(bot_services, "answer_question", decided("out_of_scope", [], 0.1))
    turn = bot_services.bot_ask(session=session, question="你们老板是谁")
    assert turn.reply_kind == BotReplyKind.OUT_OF_SCOPE


@pytest.mark.parametrize("question", ["", "   ", "问" * 501, None, 42])
def test_bad_question_is_refused_naming_the_field(session, question):
    with pytest.raises(InvalidInput) as refused:
        bot_services.bot_ask(session=session, question=question)
    assert refused.value.field == "question"
    assert not session.turns.exists()


def test_feedback_once_sets_the_outcome(faqs, session):
    turn = bot_services.bot_ask(session=session, question="发票怎么开具")
    bot_services.bot_feedback(session=session, turn_id=turn.pk, helpful=True)
    session.refresh_from_db()
    assert session.outcome == BotOutcome.HELPFUL and session.ended_at is not None
    with pytest.raises(Conflict):
        bot_services.bot_feedback(session=session, turn_id=turn.pk, helpful=False)
    turn.refresh_from_db()
    assert turn.helpful is True
    # Another answer in the same session may be rated: the latest rating counts.
    second = bot_services.bot_ask(session=session, question="运费由谁承担")
    bot_services.bot_feedback(session=session, turn_id=second.pk, helpful=False)
    session.refresh_from_db()
    assert session.outcome == BotOutcome.UNHELPFUL


def test_feedback_refuses_non_answers_and_foreign_turns(faqs, session):
    out = bot_services.bot_ask(session=session, question="zzqx kwvv plorb")
    with pytest.raises(Conflict):
        bot_services.bot_feedback(session=session, turn_id=out.pk, helpful=True)
    with pytest.raises(InvalidInput) as refused:
        bot_services.bot_feedback(session=session, turn_id=out.pk, helpful="yes")
    assert refused.value.field == "helpful"
    other = bot_services.bot_session_start(channel="chat", visitor_key="k" * 64)
    with pytest.raises(NotFound):
        bot_services.bot_feedback(session=other, turn_id=out.pk, helpful=True)


def test_portal_handoff_is_final(faqs, session):
    bot_services.bot_ask(session=session, question="zzqx kwvv plorb")
    handed = bot_services.bot_handoff(session=session)
    assert handed.session.outcome == BotOutcome.HANDED_OFF and handed.contact is None
    assert handed.turn.reply_kind == BotReplyKind.HANDOFF
    with pytest.raises(Conflict):
        bot_services.bot_ask(session=session, question="发票怎么开具")
    with pytest.raises(Conflict):
        bot_services.bot_handoff(session=session)


def test_transitions_map_refuses_leaving_a_final_outcome():
    for final in (BotOutcome.ANSWERED, BotOutcome.HANDED_OFF, BotOutcome.ABANDONED):
        assert bot_services.OUTCOME_TRANSITIONS[final] == frozenset()
    session = BotSession(outcome=BotOutcome.ABANDONED)
    with pytest.raises(TransitionNotAllowed):
        bot_services._move(session, BotOutcome.HELPFUL, now())


def test_chat_handoff_starts_a_real_chat_with_the_transcript(faqs, team, agent):
    widget = ChatWidget.objects.create(key="shop", name="商城", team=team, allowed_origins="")
    chat_services.presence_set(actor=agent, status=Presence.AVAILABLE)
    session = bot_services.bot_session_start(channel="chat", visitor_key="v" * 64)
    bot_services.bot_ask(session=session, question="发票怎么开具")
    bot_services.bot_ask(session=session, question="zzqx kwvv plorb")

    def start_chat():
        return chat_services.chat_start(widget=widget).session.contact

    handed = bot_services.bot_handoff(session=session, start_chat=start_chat)
    session.refresh_from_db()
    assert session.outcome == BotOutcome.HANDED_OFF
    assert session.contact == handed.contact
    lines = list(ContactMessage.objects.filter(contact=handed.contact).order_by("id"))
    assert [(m.speaker, m.body) for m in lines if m.speaker == Speaker.CUSTOMER] == [
        (Speaker.CUSTOMER, "发票怎么开具"),
        (Speaker.CUSTOMER, "zzqx kwvv plorb"),
    ]
    system = [m.body for m in lines if m.speaker == Speaker.SYSTEM]
    assert "发票怎么开具" in system[0] and len(system) == 2


def test_refused_chat_leaves_the_session_unchanged(faqs, team):
    widget = ChatWidget.objects.create(key="shop", name="商城", team=team, allowed_origins="")
    session = bot_services.bot_session_start(channel="chat", visitor_key="v" * 64)
    bot_services.bot_ask(session=session, question="发票怎么开具")

    def start_chat():  # nobody online: the chat is closed
        return chat_services.chat_start(widget=widget).session.contact

    with pytest.raises(chat_services.ChatClosed):
        bot_services.bot_handoff(session=session, start_chat=start_chat)
    session.refresh_from_db()
    assert session.outcome == BotOutcome.OPEN and session.contact is None


def test_a_second_handoff_of_the_same_session_opens_no_chat(faqs):
    """A double click on "talk to a person": the second request holds a session read before the
    first committed; it is refused before it opens a chat (no orphan chat in the queue)."""
    session = bot_services.bot_session_start(channel="chat", visitor_key="v" * 64)
    bot_services.bot_ask(session=session, question="发票怎么开具")
    stale = BotSession.objects.get(pk=session.pk)
    bot_services.bot_handoff(session=session)
    assert stale.outcome == BotOutcome.OPEN  # what the second request still believes
    started: list[str] = []

    def start_chat():
        started.append("chat")
        return None

    with pytest.raises(Conflict):
        bot_services.bot_handoff(session=stale, start_chat=start_chat)
    assert started == []


def test_idle_sessions_close_answered_or_abandoned(faqs):
    def make(question, minutes_ago):
        session = bot_services.bot_session_start(channel="portal", visitor_key="x" * 64)
        if question:
            bot_services.bot_ask(session=session, question=question)
        BotSession.objects.filter(pk=session.pk).update(
            updated_at=now() - dt.timedelta(minutes=minutes_ago)
        )
        return session

    answered = make("如何申请退货退款", 45)
    unanswered = make("zzqx kwvv plorb", 45)
    silent = make("", 45)
    recent = make("发票怎么开具", 5)
    counts = bot_services.bot_sessions_close_idle()
    assert counts == {"answered": 1, "abandoned": 2}
    outcomes = dict(BotSession.objects.values_list("pk", "outcome"))
    assert outcomes[answered.pk] == BotOutcome.ANSWERED
    assert outcomes[unanswered.pk] == BotOutcome.ABANDONED
    assert outcomes[silent.pk] == BotOutcome.ABANDONED
    assert outcomes[recent.pk] == BotOutcome.OPEN
    answered.refresh_from_db()
    assert answered.ended_at == answered.updated_at  # ended when the customer left


def test_a_new_question_after_the_end_starts_a_new_session(faqs, session):
    bot_services.bot_handoff(session=session)
    again = bot_services.bot_session_for_question(channel="portal", visitor_key=session.visitor_key)
    assert again.pk != session.pk and again.outcome == BotOutcome.OPEN


def test_a_question_after_a_long_pause_starts_a_new_session(faqs, session):
    """A rated session keeps taking questions while the customer is there; one coming back
    after the idle time starts a new conversation, which gets an outcome of its own."""
    turn = bot_services.bot_ask(session=session, question="如何申请退货退款")
    bot_services.bot_feedback(session=session, turn_id=turn.pk, helpful=True)
    key = session.visitor_key
    assert bot_services.bot_session_for_question(channel="portal", visitor_key=key) == session
    BotSession.objects.filter(pk=session.pk).update(
        updated_at=now() - dt.timedelta(minutes=bot_services.IDLE_MINUTES + 1)
    )
    later = bot_services.bot_session_for_question(channel="portal", visitor_key=key)
    assert later.pk != session.pk and later.outcome == BotOutcome.OPEN
    session.refresh_from_db()
    assert session.outcome == BotOutcome.HELPFUL and session.questions == 1


def test_the_periodic_task_closes_idle_sessions_and_records_its_run(faqs):
    from kefu.assist.tasks import bot_close_idle_sessions
    from kefu.core.models import TaskRun

    bot_close_idle_sessions.call_local()
    assert not TaskRun.objects.filter(name="assist.bot_close_idle_sessions").exists()  # idle
    session = bot_services.bot_session_start(channel="chat", visitor_key="y" * 64)
    bot_services.bot_ask(session=session, question="如何申请退货退款")
    BotSession.objects.filter(pk=session.pk).update(updated_at=now() - dt.timedelta(hours=1))
    bot_close_idle_sessions.call_local()
    run = TaskRun.objects.get(name="assist.bot_close_idle_sessions")
    assert run.counts == {"answered": 1, "abandoned": 0}
    session.refresh_from_db()
    assert session.outcome == BotOutcome.ANSWERED
