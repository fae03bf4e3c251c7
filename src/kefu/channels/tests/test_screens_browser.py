"""The inbox and the wallboard in a real browser (TEC-7, TEC-8): a new contact shows up without
reloading, every form control has a label, the big figures are readable.

Uses the Chromium fixtures of ``kefu.tests_support.browser`` (skipped where Chromium or
playwright is missing).
"""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.channels.models import AgentPresence
from kefu.channels.services import cti_event_record
from kefu.channels.tests.inbox_data import add_message, make_contact
from kefu.core.timeutils import now
from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    page,
    shot,
)
from kefu.tests_support.html import unlabelled_controls

pytestmark = [NO_CHROMIUM, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect
# The pages poll every few seconds; one poll interval plus a margin.
LIVE_TIMEOUT_MS = 8000


def test_wallboard_and_inbox_update_live(page, live_server, team_lead, agent, team, customer):
    moment = now()
    AgentPresence.objects.create(
        user=agent, status="available", changed_at=moment, last_seen_at=moment
    )
    cti_event_record(
        actor=None,
        call_id="browser-1",
        event="ringing",
        at=moment - dt.timedelta(seconds=20),
        caller="13800138000",
        agent=agent.username,
    )
    cti_event_record(
        actor=None,
        call_id="browser-1",
        event="answered",
        at=moment - dt.timedelta(seconds=12),
        agent=agent.username,
    )

    log_in(page, live_server, team_lead.username)
    # The team lead's top bar (the longest one) still fits the screen on one line.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("a.nav-link[href='/wallboard/']")
    page.wait_for_url(f"{live_server.url}/wallboard/")
    expect(page.locator("#wb-within")).to_have_text("100.0%")
    expect(page.locator("#wb-waiting")).to_have_text("0")
    expect(page.locator("#wb-agents tr[data-agent='agent']")).to_contain_text("1")
    assert not unlabelled_controls(page.content()), unlabelled_controls(page.content())
    # A chat starts waiting for the team: the wallboard shows it without a reload.
    make_contact(kind="chat", state="queued", team=team)
    expect(page.locator("#wb-waiting")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#wb-queues tr[data-kind='chat']")).to_contain_text("1")
    shot(page, "channels-wallboard.png")

    # The lead's inbox: the waiting chat, then a new e-mail arrives and appears by itself.
    page.click("a.nav-link[href='/inbox/']")
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert not unlabelled_controls(page.content()), unlabelled_controls(page.content())
    expect(page.locator("#inbox-table tbody tr.inbox-row")).to_have_count(2)
    mail = make_contact(kind="email", state="queued", team=team, customer=customer)
    add_message(mail, "请问发票什么时候寄出？")
    row = page.locator(f"#inbox-table tr[data-contact='{mail.pk}']")
    expect(row).to_contain_text("请问发票什么时候寄出？", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#inbox-table tbody tr.inbox-row").first).to_have_attribute(
        "data-contact", str(mail.pk)
    )
    shot(page, "channels-inbox.png")

    # Open the contact page from the row.
    row.locator("a").first.click()
    page.wait_for_url(f"{live_server.url}/contacts/{mail.pk}/")
    expect(page.locator("#contact-messages")).to_contain_text("请问发票什么时候寄出？")
    assert not unlabelled_controls(page.content()), unlabelled_controls(page.content())
    shot(page, "channels-contact.png")
