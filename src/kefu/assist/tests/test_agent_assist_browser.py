"""Browser test of agent assist (TEC-1): on the ticket page the panel beside the composer shows
the FAQ answer for the customer's latest message, and Insert puts its plain text at the cursor
of the reply box."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kefu.knowledge.models import Faq, FaqSimilarQuestion, Script
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    page,
    shot,
)
from kefu.tickets.services import ticket_customer_message

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect


def test_ticket_panel_shows_the_faq_answer_and_inserts_it(
    page: Any, live_server: Any, agent: Any, manager: Any, ticket: Any
) -> None:
    moment = timezone.now()
    refund = Faq.objects.create(
        question="如何申请退款",
        answer="在**订单详情**页点击“申请退款”，钱会原路退回。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    FaqSimilarQuestion.objects.create(faq=refund, text="钱怎么退回来")
    Faq.objects.create(
        question="发票怎么开",
        answer="在订单页申请电子发票。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    Script.objects.create(
        stage="opening",
        title="开场白",
        text="您好，我是客服小李，很高兴为您服务。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    ticket_customer_message(
        ticket=ticket, body="冰箱不要了，我要退款，钱怎么退回来？", channel="chat"
    )

    log_in(page, live_server, "agent")
    response = page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert response.status == 200

    panel = page.locator("#agent-assist")
    card = panel.locator(f".kefu-assist-faq[data-faq='{refund.pk}']")
    # The first request of a process loads jieba's dictionary and builds the indexes.
    expect(card).to_be_visible(timeout=30_000)
    expect(card).to_contain_text("如何申请退款")
    expect(card.locator("strong", has_text="订单详情")).to_be_visible()  # the answer's HTML
    expect(panel.locator(".kefu-assist-faq").first).to_have_attribute("data-faq", str(refund.pk))
    # No agent has answered yet: the opening script is recommended (SCR-4).
    expect(panel.locator(".kefu-assist-script[data-stage='opening']")).to_contain_text("开场白")
    shot(page, "agent-assist-ticket.png")

    composer = page.locator("#id_body")
    composer.fill("您好，")
    card.get_by_role("button", name="插入").or_(card.get_by_role("button", name="Insert")).click()
    expect(composer).to_have_value("您好，\n在订单详情页点击“申请退款”，钱会原路退回。")
    expect(composer).to_be_focused()


def test_chat_console_panel_follows_the_customers_messages(
    page: Any, live_server: Any, agent: Any, manager: Any, team: Any
) -> None:
    from kefu.channels.models import ChatSession, ChatWidget, Contact, ContactMessage

    moment = timezone.now()
    refund = Faq.objects.create(
        question="如何申请退款",
        answer="在订单详情页点击申请退款。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    invoice = Faq.objects.create(
        question="发票怎么开",
        answer="在订单页申请电子发票。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    FaqSimilarQuestion.objects.create(faq=invoice, text="开发票")
    FaqSimilarQuestion.objects.create(faq=refund, text="退款")
    widget = ChatWidget.objects.create(key="shop", name="商城", team=team)
    contact = Contact.objects.create(
        kind="chat",
        external_id="chat-assist-1",
        state="active",
        agent=agent,
        team=team,
        created_at=moment,
        updated_at=moment,
        queued_at=moment,
    )
    ChatSession.objects.create(contact=contact, widget=widget, visitor_hash="0" * 64)

    def customer_says(text: str) -> None:
        ContactMessage.objects.create(
            contact=contact,
            direction="inbound",
            speaker="customer",
            body=text,
            status="received",
            created_at=timezone.now(),
        )

    customer_says("我要退款")
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/chat/console/")
    panel = page.locator("#agent-assist")
    first = panel.locator(".kefu-assist-faq").first
    expect(first).to_have_attribute("data-faq", str(refund.pk), timeout=30_000)

    # The customer writes again: the panel follows the latest message (debounced).
    customer_says("另外我要开发票")
    expect(page.locator("#chat-transcript")).to_contain_text("另外我要开发票")
    expect(first).to_have_attribute("data-faq", str(invoice.pk))
    shot(page, "agent-assist-chat.png")

    first.get_by_role("button", name="插入").or_(first.get_by_role("button", name="Insert")).click()
    expect(page.locator("#chat-reply")).to_have_value("在订单页申请电子发票。")


def test_ticket_panel_follows_a_new_customer_message(
    page: Any, live_server: Any, agent: Any, manager: Any, ticket: Any
) -> None:
    moment = timezone.now()
    refund = Faq.objects.create(
        question="如何申请退款",
        answer="在订单详情页点击申请退款。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    FaqSimilarQuestion.objects.create(faq=refund, text="退款")
    invoice = Faq.objects.create(
        question="发票怎么开",
        answer="在订单页申请电子发票。",
        created_by=manager,
        created_at=moment,
        updated_at=moment,
    )
    FaqSimilarQuestion.objects.create(faq=invoice, text="开发票")
    ticket_customer_message(ticket=ticket, body="我要退款", channel="chat")
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    first = page.locator("#agent-assist .kefu-assist-faq").first
    expect(first).to_have_attribute("data-faq", str(refund.pk), timeout=30_000)

    # The ticket's live area polls every 5 s; a new event refreshes the suggestions.
    ticket_customer_message(ticket=ticket, body="另外帮我开发票", channel="chat")
    expect(page.locator("#ticket-live")).to_contain_text("另外帮我开发票", timeout=15_000)
    expect(first).to_have_attribute("data-faq", str(invoice.pk), timeout=5_000)
