"""Browser test of the warning while typing (SCR-2, issue 7 "prevention while typing"): the
ticket reply box flags a forbidden phrase before sending and replaces it in one click."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.tests_support.browser import (  # noqa: F401  (fixtures used by name)
    NO_CHROMIUM,
    _orm_beside_playwright,
    browser,
    log_in,
    page,
)

pytestmark = [
    NO_CHROMIUM,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
expect = sync_api.expect

SUGGESTION = "我会帮您转接至相关同事，请您稍等。"


def test_ticket_reply_flags_forbidden_phrase_and_applies_suggestion(
    page: Any, live_server: Any, agent: Any, ticket: Any
) -> None:
    log_in(page, live_server, "agent")
    response = page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert response.status == 200

    page.locator("#id_body").press_sequentially("您好，这不是我的职责，你找财务部吧", delay=20)
    warning = page.locator("#id_body-qa")
    expect(warning).to_have_attribute("aria-live", "polite")
    item = warning.locator("[data-qa-category=shirking]")
    expect(item).to_be_visible()
    expect(item).to_contain_text("推诿")
    expect(item).to_contain_text("这不是我的职责")
    expect(item).to_contain_text(SUGGESTION)
    # Sending stays possible while the warning shows: the agent decides.
    expect(page.locator("form:has(#id_body) button[type=submit]")).to_be_enabled()

    item.get_by_role("button", name="使用建议用语").click()
    expect(page.locator("#id_body")).to_have_value(f"您好，{SUGGESTION}，你找财务部吧")
    expect(warning.locator("[data-qa-category=shirking]")).to_have_count(0)
