"""The FAQ bot in a real browser (TEC-2): the portal's bot box answers in place, takes a rating
and hands over to the request form; the chat widget on a shop's page answers first and hands an
out-of-scope question to a person in a real chat, with the transcript.

Uses the Chromium fixtures of ``kefu.tests_support.browser`` (skipped where Chromium or
playwright is missing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from kefu.assist.models import BotOutcome, BotSession
from kefu.channels.chat import services as chat_services
from kefu.channels.models import ChatWidget, ContactMessage, Presence, Speaker
from kefu.knowledge.faq_services import faq_create
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    ShopSite,
    _orm_beside_playwright,
    browser,
    log_in,
    new_page,
    shot,
)
from kefu.tests_support.html import unlabelled_controls

pytestmark = [NO_CHROMIUM, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect


@pytest.fixture
def faqs(manager: Any) -> list[Any]:
    cache.clear()
    return [
        faq_create(actor=manager, question="如何申请退货退款", answer="在**订单详情**点击退货。"),
        faq_create(actor=manager, question="发票怎么开具", answer="订单完成后在订单页申请发票。"),
    ]


def test_portal_bot_answers_in_place_and_hands_over_to_the_form(browser, live_server, faqs):
    page = new_page(browser, viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/portal/", timeout=30_000)
    box = page.locator("#bot")
    expect(box).to_be_visible()
    assert unlabelled_controls(page.content()) == set()
    page.fill("#bot-question", "发票怎么开具")
    page.click("#bot .kefu-bot-ask button[type=submit]")
    answer = box.locator(".kefu-bot-bot .kefu-faq-answer").last
    # The first question of a process loads jieba's dictionary and builds the matcher.
    expect(answer).to_contain_text("订单页申请发票", timeout=30_000)
    assert page.url.endswith("/portal/")  # answered in place, no reload
    box.locator(".kefu-bot-feedback button").first.click()
    expect(box.locator(".kefu-bot-feedback")).to_have_count(0)  # rated: the buttons are gone
    page.fill("#bot-question", "zzqx kwvv plorb")
    page.click("#bot .kefu-bot-ask button[type=submit]")
    person = box.locator(".kefu-bot-person").last
    expect(person).to_be_visible()
    shot(page, "bot-01-portal.png")
    person.click()
    page.wait_for_url("**/portal/?describe=*")
    expect(page.locator("#id_description")).to_have_value("zzqx kwvv plorb")
    session = BotSession.objects.get()
    assert session.outcome == BotOutcome.HANDED_OFF
    assert session.turns.filter(helpful=True).count() == 1
    page.context.close()


@pytest.fixture
def shop(live_server: Any) -> Iterator[ShopSite]:
    site = ShopSite(live_server.url, "shop")
    yield site
    site.close()


def test_chat_widget_bot_answers_then_hands_off_to_a_person(browser, team, agent, faqs, shop):
    ChatWidget.objects.create(key="shop", name="商城", team=team, allowed_origins=shop.url)
    chat_services.presence_set(actor=agent, status=Presence.AVAILABLE)
    page = new_page(browser)
    page.goto(shop.url)
    page.locator("#kefu-chat .kc-launcher").click()
    panel = page.locator("#kefu-chat .kc-panel")
    expect(panel.locator(".kc-bot").first).to_contain_text("智能助手")
    panel.locator(".kc-input").fill("如何申请退货退款")
    panel.locator(".kc-send").click()
    expect(panel.locator(".kc-bot").last).to_contain_text("订单详情", timeout=30_000)
    panel.locator(".kc-input").fill("zzqx kwvv plorb")
    panel.locator(".kc-send").click()
    # Out of scope: the bot hands the conversation to a person in a real chat.
    expect(panel.locator(".kc-status")).to_contain_text("客服", timeout=5000)
    expect(panel.locator(".kc-system").first).to_contain_text("如何申请退货退款")
    shot(page, "bot-02-chat-widget.png")
    session = BotSession.objects.get()
    assert session.outcome == BotOutcome.HANDED_OFF and session.contact is not None
    questions = ContactMessage.objects.filter(contact=session.contact, speaker=Speaker.CUSTOMER)
    assert list(questions.values_list("body", flat=True)) == ["如何申请退货退款", "zzqx kwvv plorb"]
    page.context.close()


def test_manager_reads_the_deflection_report(browser, live_server, manager, faqs):
    import random

    from kefu.demo.bot import seed_demo_bot_sessions

    seed_demo_bot_sessions(random.Random(5))
    page = new_page(browser)
    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/assist/bot/")
    expect(page.locator("#bot-deflection")).to_contain_text("%")
    link = page.locator("#bot-unanswered a").first
    expect(link).to_have_attribute("href", re.compile(r"^/knowledge/faqs/new/\?question="))
    shot(page, "bot-03-report.png")
    link.click()
    expect(page.locator("#id_question")).not_to_have_value("")
    page.context.close()
