"""Browser tests: the agent workspace driven through headless Chromium against a live server.

The whole module is skipped where Chromium (``/usr/bin/chromium``) or the ``playwright`` package
is missing. Screenshots go to ``test-artifacts/screenshots/`` under the repository root.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    new_page,
    page,
    shot,
)
from kefu.tests_support.factories import make_ticket

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect

# The page polls every 5 s; one poll interval plus a margin.
LIVE_TIMEOUT_MS = 8000


def open_ticket(page: Any, live_server: Any, ticket: Any) -> None:
    # ``goto`` waits for the load event, so the deferred scripts (shortcuts, polling) have run.
    response = page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert response.status == 200


def test_login_search_customer_and_open_ticket(page, live_server, agent, customer, ticket):
    log_in(page, live_server, "agent")
    expect(page.locator(".kefu-queue-nav")).to_be_visible()
    shot(page, "01-queue.png")

    page.fill("#kefu-search", "13800138000")
    page.press("#kefu-search", "Enter")
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("h1")).to_have_text("李明")
    number_link = page.get_by_role("link", name=ticket.number, exact=True).first
    expect(number_link).to_be_visible()
    shot(page, "02-customer.png")

    number_link.click()
    page.wait_for_url(re.compile(rf"/tickets/{re.escape(ticket.number)}/"))
    expect(page.locator("#ticket-live h1")).to_contain_text("冰箱不制冷")
    shot(page, "03-ticket.png")


def test_reply_note_record_and_resolve(page, live_server, agent, ticket):
    log_in(page, live_server, "agent")
    open_ticket(page, live_server, ticket)
    timeline = page.locator(".kefu-timeline")
    compose = page.locator("form:has(#id_body)")

    expect(page.locator("#compose-reply")).to_be_checked()
    page.fill("#id_body", "您好，师傅明天上午上门检修。")
    # Each form posts and redirects back: wait for the new page, not the old one's content.
    with page.expect_navigation():
        compose.locator("button[type=submit]").click()
    expect(timeline).to_contain_text("您好，师傅明天上午上门检修。")

    page.click("label[for=compose-note]")
    expect(page.locator("#compose-note")).to_be_checked()
    page.fill("#id_body", "已联系售后网点，等待派单。")
    with page.expect_navigation():
        compose.locator("button[type=submit]").click()
    expect(timeline).to_contain_text("已联系售后网点，等待派单。")
    expect(timeline.locator("li.kind-note")).to_contain_text("已联系售后网点，等待派单。")

    page.fill("#id_need_points", "冰箱冷藏室不制冷，需上门维修。")
    page.fill("#id_solution", "安排师傅上门更换温控器。")
    with page.expect_navigation():
        page.locator("form[action$='/record/'] button[type=submit]").click()
    expect(page.locator("#id_solution")).to_have_value("安排师傅上门更换温控器。")
    expect(page.locator("#service-record .badge.text-bg-success")).to_be_visible()  # CLS-3 met

    with page.expect_navigation():
        page.click("[data-shortcut='resolve']")
    expect(page.locator("#ticket-live .badge.status-resolved")).to_have_text("已解决")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.need_points == "冰箱冷藏室不制冷，需上门维修。"
    shot(page, "04-ticket-resolved.png")


def test_keyboard_shortcuts(page, live_server, agent, ticket):
    log_in(page, live_server, "agent")
    open_ticket(page, live_server, ticket)
    body = page.locator("#id_body")
    expect(body).not_to_be_focused()

    page.keyboard.press("r")
    expect(body).to_be_focused()
    expect(page.locator("#compose-reply")).to_be_checked()
    assert body.input_value() == ""  # the key opened the reply box; it typed nothing

    page.keyboard.press("Escape")
    body.blur()
    page.keyboard.press("?")
    dialog = page.locator("#kefu-shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_class(re.compile(r"\bshow\b"))
    expect(dialog.locator("kbd")).to_have_text(["/", "n", "r", "i", "e", "c", "?"])
    # The modal's backdrop is fixed to the viewport: a full-page shot would cut it off.
    shot(page, "05-shortcuts.png", full_page=False)


def test_team_lead_reassigns_ticket(page, live_server, agent, team_lead, ticket):
    log_in(page, live_server, "lead")
    open_ticket(page, live_server, ticket)
    routing = page.locator("form[action$='/routing/']")
    routing.locator("#id_assignee").select_option(str(team_lead.pk))
    with page.expect_navigation():
        routing.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.reload()
    header = page.locator("#ticket-live .text-end")
    expect(header).to_contain_text(team_lead.display_name)
    expect(page.locator("#id_assignee")).to_have_value(str(team_lead.pk))
    ticket.refresh_from_db()
    assert ticket.assignee_id == team_lead.pk
    shot(page, "06-reassigned.png")


def test_other_team_gets_404(page, live_server, other_agent, ticket):
    log_in(page, live_server, "other_agent")
    response = page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert response.status == 404
    expect(page.locator(".kefu-error-page")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("冰箱不制冷")
    shot(page, "07-not-found.png")


def test_language_switch(page, live_server, agent):
    log_in(page, live_server, "agent")
    queues = page.locator(".kefu-queue-nav")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(queues).to_contain_text("我的工单")

    with page.expect_navigation():
        page.select_option("#kefu-language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(queues).to_contain_text("My tickets")
    shot(page, "08-queue-english.png")

    with page.expect_navigation():
        page.select_option("#kefu-language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(queues).to_contain_text("我的工单")


def test_live_updates(page, live_server, agent, ticket):
    from kefu.tickets.services import ticket_comment

    log_in(page, live_server, "agent")
    open_ticket(page, live_server, ticket)
    url = page.url
    ticket_comment(actor=agent, ticket=ticket, body="后台添加的备注", public=False)
    expect(page.locator(".kefu-timeline").get_by_text("后台添加的备注")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    assert page.url == url
    shot(page, "09-live-note.png")

    page.goto(f"{live_server.url}/queues/mine/")
    fresh = make_ticket(actor=agent, assignee=agent, subject="新来电：洗衣机漏水")
    row = page.locator("#queue-rows tr", has_text=fresh.number)
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row).to_contain_text("新来电：洗衣机漏水")
    shot(page, "10-queue-live.png")


def test_complaint_raised_from_a_ticket_and_worked_through_its_stages(
    browser, page, live_server, agent, complaint_specialist, ticket
):
    # The agent raises the ticket as a complaint in one step (CMP-1).
    log_in(page, live_server, agent.username)
    open_ticket(page, live_server, ticket)
    with page.expect_navigation():
        page.click("#complaint-panel a")
    page.select_option("#id_severity", "major")
    page.fill("#id_demands", "要求上门道歉并赔偿误工费")
    with page.expect_navigation():
        page.click("form:has(#id_demands) button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text(ticket.number)

    # The complaint specialist works it on the complaint page.
    specialist = new_page(browser)
    log_in(specialist, live_server, complaint_specialist.username)
    specialist.goto(f"{live_server.url}/complaints/")
    with specialist.expect_navigation():
        specialist.click(f"#complaint-queue a:has-text('{ticket.number}')")
    expect(specialist.locator("#complaint-stage")).to_have_text("已登记")
    expect(specialist.locator("#complaint-clocks")).to_contain_text("投诉调查")

    specialist.click("button[aria-controls=move-investigating]")
    with specialist.expect_navigation():
        specialist.click("#move-investigating button[type=submit]")
    expect(specialist.locator("#complaint-stage")).to_have_text("调查中")

    # A plan without its evidence is refused, the typed findings stay.
    specialist.click("button[aria-controls=move-plan_proposed]")
    specialist.fill("#id_plan_proposed_findings", "录音确认师傅迟到两小时且未提前告知")
    specialist.fill("#id_plan_proposed_plan", "主管上门致歉并免除服务费")
    with specialist.expect_navigation():
        specialist.click("#move-plan_proposed button[type=submit]")
    expect(specialist.locator("#move-plan_proposed .invalid-feedback")).to_be_visible()
    expect(specialist.locator("#id_plan_proposed_findings")).to_have_value(
        "录音确认师傅迟到两小时且未提前告知"
    )
    specialist.fill("#id_plan_proposed_evidence", "recording: CALL-0042 — 第2分钟")
    with specialist.expect_navigation():
        specialist.click("#move-plan_proposed button[type=submit]")
    expect(specialist.locator("#complaint-stage")).to_have_text("已提出初步方案")
    expect(specialist.locator("#complaint-notices")).to_contain_text("初步方案")
    shot(specialist, "10-complaint-plan-proposed.png")
    specialist.context.close()
