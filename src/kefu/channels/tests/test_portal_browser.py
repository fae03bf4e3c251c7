"""The portal in a real browser on a phone-sized screen (TEC-6): submit a request, open the link
from the SMS with its code, read the agent's reply and answer it.

Uses the Chromium fixtures of ``kefu.tests_support.browser`` (skipped where Chromium or
playwright is missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from kefu.channels.tests.portal_support import code_message
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    shot,
)
from kefu.tests_support.html import unlabelled_controls
from kefu.tickets.models import Ticket, TicketEventKind
from kefu.tickets.services import ticket_comment

pytestmark = [NO_CHROMIUM, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect

PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A customer's phone: small screen, Chinese, touch."""
    cache.clear()
    context = browser.new_context(
        viewport=PHONE_SCREEN, locale="zh-CN", has_touch=True, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    cache.clear()


def test_a_customer_submits_follows_and_replies_on_a_phone(phone, live_server, manager):
    page = phone
    page.goto(f"{live_server.url}/portal/")
    assert unlabelled_controls(page.content()) == set()
    expect(page.locator(".kefu-topbar")).to_have_count(0)  # no staff navigation
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]
    shot(page, "portal-01-submit.png")

    # A first try without a way to reach the customer is refused on that field.
    page.select_option("#id_kind", "after_sales")
    page.fill("#id_name", "张伟")
    page.fill("#id_subject", "洗衣机漏水")
    page.fill("#id_description", "新买的洗衣机第一次用就漏水，希望上门维修。")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("#id_phone-errors")).to_be_visible()
    assert unlabelled_controls(page.content()) == set()

    page.fill("#id_phone", "139 0013 9000")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/submitted/")
    ticket = Ticket.objects.get(channel="portal")
    expect(page.locator(".kefu-portal-number")).to_have_text(ticket.number)
    expect(page.get_by_text("139****9000")).to_be_visible()
    shot(page, "portal-02-submitted.png")

    # The SMS in the outbox: its link opens the code form, its code the ticket.
    found = code_message()
    assert found.message.channel == "sms"
    assert urlsplit(found.link).netloc == urlsplit(live_server.url).netloc
    page.goto(found.link)
    assert unlabelled_controls(page.content()) == set()
    page.fill("#id_code", found.code)
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/tickets/{ticket.number}/")
    expect(page.locator("h1")).to_have_text("洗衣机漏水")
    expect(page.locator("[aria-current=step]")).to_have_count(1)

    # The agent answers; the customer sees it (by role, not by name) and writes back.
    manager.display_name = "王经理"
    manager.employee_number = "KF0007"
    manager.save()
    ticket_comment(actor=manager, ticket=ticket, body="您好，师傅明天上午上门。", public=True)
    page.reload()
    expect(page.get_by_text("您好，师傅明天上午上门。")).to_be_visible()
    expect(page.get_by_text("KF0007", exact=False)).to_be_visible()
    assert "王经理" not in page.content()
    assert unlabelled_controls(page.content()) == set()

    page.fill("#id_body", "好的，明天上午家里有人。")
    page.click("form:has(#id_body) button[type=submit]")
    expect(page.get_by_text("好的，明天上午家里有人。")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]
    shot(page, "portal-03-ticket.png")
    assert ticket.events.filter(kind=TicketEventKind.CUSTOMER_MESSAGE).count() == 1
